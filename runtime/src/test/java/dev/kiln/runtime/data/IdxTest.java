package dev.kiln.runtime.data;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxTest {
  @TempDir Path dir;

  /** An IDX header for {@code type} and {@code dims}, followed by {@code payload}. */
  static byte[] idx(int type, int[] dims, byte[] payload) {
    ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + payload.length);
    b.put((byte) 0).put((byte) 0).put((byte) type).put((byte) dims.length);
    for (int d : dims) {
      b.putInt(d);
    }
    return b.put(payload).array();
  }

  static byte[] gzip(byte[] bytes) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(bytes);
    }
    return out.toByteArray();
  }

  private Path write(String name, byte[] bytes) throws IOException {
    return Files.write(dir.resolve(name), bytes);
  }

  private static final byte[] PIXELS = {0, 1, 127, (byte) 128, (byte) 200, (byte) 255};

  @Test
  void readsPlainUnsignedBytes() throws IOException {
    IdxArray a = Idx.read(write("plain.gz", idx(0x08, new int[] {2, 3}, PIXELS)));
    assertThat(a.dims()).asList().containsExactly(2, 3).inOrder();
    assertThat(a.values()).usingExactEquality().containsExactly(0f, 1f, 127f, 128f, 200f, 255f)
        .inOrder();
    assertThat(a.count()).isEqualTo(2);
    assertThat(a.itemSize()).isEqualTo(3);
  }

  @Test
  void detectsGzipByMagicNotName() throws IOException {
    IdxArray a = Idx.read(write("images-idx2-ubyte", gzip(idx(0x08, new int[] {2, 3}, PIXELS))));
    assertThat(a.dims()).asList().containsExactly(2, 3).inOrder();
    assertThat(a.values()).usingExactEquality().containsExactly(0f, 1f, 127f, 128f, 200f, 255f)
        .inOrder();
  }

  @Test
  void readsOtherTypes() throws IOException {
    IdxArray signed = Idx.read(new ByteArrayInputStream(
        idx(0x09, new int[] {2}, new byte[] {-3, 4})), "signed");
    assertThat(signed.values()).usingExactEquality().containsExactly(-3f, 4f).inOrder();
    byte[] shorts = ByteBuffer.allocate(4).putShort((short) -300).putShort((short) 7).array();
    assertThat(Idx.read(new ByteArrayInputStream(idx(0x0b, new int[] {2}, shorts)), "s").values())
        .usingExactEquality().containsExactly(-300f, 7f).inOrder();
    byte[] ints = ByteBuffer.allocate(8).putInt(-5).putInt(1 << 20).array();
    assertThat(Idx.read(new ByteArrayInputStream(idx(0x0c, new int[] {2}, ints)), "i").values())
        .usingExactEquality().containsExactly(-5f, 1048576f).inOrder();
    byte[] floats = ByteBuffer.allocate(8).putFloat(1.5f).putFloat(-2.25f).array();
    assertThat(Idx.read(new ByteArrayInputStream(idx(0x0d, new int[] {2}, floats)), "f").values())
        .usingExactEquality().containsExactly(1.5f, -2.25f).inOrder();
    byte[] doubles = ByteBuffer.allocate(16).putDouble(0.5).putDouble(3).array();
    assertThat(Idx.read(new ByteArrayInputStream(idx(0x0e, new int[] {2}, doubles)), "d").values())
        .usingExactEquality().containsExactly(0.5f, 3f).inOrder();
  }

  private IdxFormatException fails(String name, byte[] bytes) throws IOException {
    Path file = write(name, bytes);
    IdxFormatException e = assertThrows(IdxFormatException.class, () -> Idx.read(file));
    assertThat(e).hasMessageThat().contains(file.toString());
    assertThat(e.source()).isEqualTo(file.toString());
    return e;
  }

  @Test
  void rejectsWrongMagic() throws IOException {
    byte[] bytes = idx(0x08, new int[] {2, 3}, PIXELS);
    bytes[0] = 0x12;
    IdxFormatException e = fails("magic", bytes);
    assertThat(e.offset()).isEqualTo(0);
    assertThat(e).hasMessageThat().contains("magic bytes 0x00 0x00, found 0x12 0x00");
  }

  @Test
  void rejectsUnknownTypeCode() throws IOException {
    IdxFormatException e = fails("type", gzip(idx(0x0a, new int[] {2, 3}, PIXELS)));
    assertThat(e).hasMessageThat().contains("byte offset 2");
    assertThat(e).hasMessageThat().contains("found 0x0a");
  }

  @Test
  void rejectsZeroAndNonPositiveDimensions() throws IOException {
    IdxFormatException zero = fails("rank0", idx(0x08, new int[] {}, PIXELS));
    assertThat(zero).hasMessageThat().contains("at least 1 dimension, found 0 dimensions");
    IdxFormatException negative = fails("negative", idx(0x08, new int[] {2, -3}, PIXELS));
    assertThat(negative.offset()).isEqualTo(8);
    assertThat(negative).hasMessageThat().contains("dimension 1, found -3");
  }

  @Test
  void rejectsTruncatedPayload() throws IOException {
    // header 4 + 2 * 4 = 12 bytes, payload needs 3 * 4 = 12 bytes, only 5 present
    IdxFormatException e = fails("short", idx(0x08, new int[] {3, 4}, new byte[5]));
    assertThat(e.offset()).isEqualTo(17);
    assertThat(e).hasMessageThat().contains("at byte offset 17");
    assertThat(e).hasMessageThat().contains("expected 12 payload bytes");
    assertThat(e).hasMessageThat().contains("after 5 payload bytes");
  }

  @Test
  void rejectsTruncatedHeader() throws IOException {
    byte[] bytes = idx(0x08, new int[] {3, 4}, new byte[0]);
    IdxFormatException e = fails("header", Arrays.copyOf(bytes, 9));
    assertThat(e.offset()).isEqualTo(9);
    assertThat(e).hasMessageThat().contains("2 int32 dimensions");
  }

  @Test
  void rejectsTruncatedGzip() throws IOException {
    byte[] gz = gzip(idx(0x08, new int[] {100, 100}, new byte[10_000]));
    IdxFormatException cut = fails("cut.gz", Arrays.copyOf(gz, gz.length / 2));
    assertThat(cut).hasMessageThat().contains("gzip");
    // Only the 8-byte gzip trailer missing: the payload is complete, the stream is not.
    IdxFormatException noTrailer = fails("trailer.gz", Arrays.copyOf(gz, gz.length - 4));
    assertThat(noTrailer).hasMessageThat().contains("gzip");
  }

  @Test
  void rejectsTrailingBytes() throws IOException {
    byte[] bytes = Arrays.copyOf(idx(0x08, new int[] {2, 3}, PIXELS), 4 + 8 + 6 + 1);
    IdxFormatException e = fails("trailing", bytes);
    assertThat(e.offset()).isEqualTo(18);
    assertThat(e).hasMessageThat().contains("trailing bytes");
    assertThrows(IdxFormatException.class, () -> Idx.read(write("trailing.gz", gzip(bytes))));
  }

  @Test
  void rejectsMismatchedImageAndLabelCounts() throws IOException {
    IdxArray images = Idx.read(write("img", idx(0x08, new int[] {3, 2, 2}, new byte[12])));
    IdxArray labels = Idx.read(write("lbl", idx(0x08, new int[] {2}, new byte[] {1, 0})));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Dataset.fromIdx(images, labels, 10, "toy"));
    assertThat(e).hasMessageThat().contains("3 images but 2 labels");
    assertThat(e).hasMessageThat().contains(labels.source() + ": at byte offset 4");
    assertThat(e).hasMessageThat().contains("expected 3, the image count of " + images.source());
    assertThat(labels.source()).endsWith("lbl");
  }

  @Test
  void imagesAndLabelsMakeAScaledOneHotDataset() throws IOException {
    IdxArray images = Idx.read(write("img", idx(0x08, new int[] {2, 1, 3}, PIXELS)));
    IdxArray labels = Idx.read(write("lbl", idx(0x08, new int[] {2}, new byte[] {2, 0})));
    Dataset d = Dataset.fromIdx(images, labels, 3, "toy");
    assertThat(d.size()).isEqualTo(2);
    assertThat(d.featureCount()).isEqualTo(3);
    assertThat(d.features()[5]).isEqualTo(1f);
    assertThat(d.features()[4]).isWithin(1e-7f).of(200f / 255f);
    assertThat(d.labels()).usingExactEquality().containsExactly(0f, 0f, 1f, 1f, 0f, 0f)
        .inOrder();
    assertThat(d.classIndex(0)).isEqualTo(2);
    IdxArray bad = Idx.read(write("bad", idx(0x08, new int[] {2}, new byte[] {3, 0})));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Dataset.fromIdx(images, bad, 3, "toy"));
    assertThat(e).hasMessageThat().contains("row 0 is 3");
  }
}
