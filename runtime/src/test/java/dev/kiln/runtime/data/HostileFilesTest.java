package dev.kiln.runtime.data;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18, item 5: files Kiln reads are refused with an error naming the file and what is
 * wrong, without allocating what a forged header claims.
 */
class HostileFilesTest {
  @TempDir Path dir;

  /** An IDX header claiming 2^31 - 9 floats over a 12-byte payload: refused, no 8 GB array. */
  @Test
  void idxHeaderClaimingHugeDimensionsIsRefusedWithoutAllocatingThem() throws IOException {
    ByteBuffer b = ByteBuffer.allocate(4 + 8 + 12);
    b.put(new byte[] {0, 0, 0x0d, 2}).putInt(46_340).putInt(46_340); // 2.1e9 floats claimed
    Path file = dir.resolve("huge-idx");
    Files.write(file, b.array());
    long before = usedHeap();
    IdxFormatException e = assertThrows(IdxFormatException.class, () -> Idx.read(file));
    assertThat(e).hasMessageThat().contains(file.toString());
    assertThat(e).hasMessageThat().contains("the end of the data");
    // at most the first allocation (4 MiB), far from the 8 GiB the header claims
    assertThat(usedHeap() - before).isLessThan(64L << 20);
  }

  private static long usedHeap() {
    Runtime r = Runtime.getRuntime();
    return r.totalMemory() - r.freeMemory();
  }

  /** A larger-than-one-chunk IDX file still reads exactly (the array grows to its size). */
  @Test
  void idxPayloadsLargerThanTheFirstAllocationReadExactly() throws IOException {
    int n = Idx.FIRST_ALLOCATION + 12_345;
    ByteBuffer b = ByteBuffer.allocate(8 + n);
    b.put(new byte[] {0, 0, 0x08, 1}).putInt(n);
    for (int i = 0; i < n; i++) {
      b.put((byte) i);
    }
    IdxArray a = Idx.read(new ByteArrayInputStream(b.array()), "big");
    assertThat(a.values()).hasLength(n);
    assertThat(a.values()[n - 1]).isEqualTo((float) ((n - 1) & 0xff));
  }

  /** An unclosed quote: a CsvFormatException naming the file, not an UncheckedIOException. */
  @Test
  void csvWithAnUnclosedQuoteNamesTheFile() {
    String text = "x1,x2,label\n1,2,a\n3,\"4,b\n5,6,a\n";
    CsvFormatException e = assertThrows(CsvFormatException.class,
        () -> CsvDataset.read(new StringReader(text), "broken.csv", CsvDataset.options()));
    assertThat(e).hasMessageThat().startsWith("broken.csv: ");
    assertThat(e).hasMessageThat().contains("malformed CSV");
  }

  /** The same from a file: the message names the file's path. */
  @Test
  void csvFileWithAnUnclosedQuoteNamesItsPath() throws IOException {
    Path file = dir.resolve("train.csv");
    Files.writeString(file, "x1,x2,label\n1,2,a\n3,\"4,b\n");
    CsvFormatException e = assertThrows(CsvFormatException.class,
        () -> CsvDataset.read(file, CsvDataset.options()));
    assertThat(e).hasMessageThat().contains(file.toString());
  }
}
