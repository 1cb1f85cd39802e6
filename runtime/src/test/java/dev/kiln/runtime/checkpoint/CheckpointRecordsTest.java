package dev.kiln.runtime.checkpoint;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18, items 2, 5 and 16 at the checkpoint level: forged {@code .npy} shapes and inflating
 * entries are refused without allocating their claims; interrupted writes leave no temporary
 * files behind once the next write runs; files follow the umask; the manifest names the project
 * version; fingerprint keys come out sorted.
 */
class CheckpointRecordsTest {
  @TempDir Path dir;

  private static Checkpoint sample() {
    Map<String, Checkpoint.Array> arrays = new LinkedHashMap<>();
    arrays.put("w", new Checkpoint.Array(new float[] {1, 2, 3, 4}, new long[] {2, 2}));
    return new Checkpoint("training", Map.of("b", "2", "a", "1"), arrays, Map.of("iteration", 3L));
  }

  /** A .npy header whose shape multiplies past the entry (and past 2^63) is an error. */
  @Test
  void npyShapeLargerThanItsEntryIsRefusedBeforeAllocating() {
    for (String shape : new String[] {"(4294967296, 4294967296, 16)", "(-1, 4)",
        "(100000000, 100000)"}) {
      String header = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }";
      byte[] h = header.getBytes(StandardCharsets.ISO_8859_1);
      byte[] bytes = new byte[10 + h.length + 16];
      bytes[0] = (byte) 0x93;
      System.arraycopy("NUMPY".getBytes(StandardCharsets.US_ASCII), 0, bytes, 1, 5);
      bytes[6] = 1;
      bytes[8] = (byte) h.length;
      System.arraycopy(h, 0, bytes, 10, h.length);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> Npy.decode(bytes));
      assertThat(e).hasMessageThat().contains("needs more data than the entry's 16 bytes");
    }
  }

  /** An entry that inflates past its declared size is refused, naming the file and entry. */
  @Test
  void entryInflatingBeyondItsSizeIsRefused() throws IOException {
    Path file = dir.resolve("bomb.kiln");
    try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
      zip.putNextEntry(new ZipEntry("w.npy"));
      zip.write(new byte[50_000_000]); // 50 MB of zeros, about 50 kB compressed
      zip.closeEntry();
    }
    // Forge the central directory's uncompressed size down to 1,000 bytes.
    byte[] bytes = Files.readAllBytes(file);
    long size = 50_000_000L;
    for (int i = bytes.length - 22; i > 0; i--) {
      if (bytes[i] == 'P' && bytes[i + 1] == 'K' && bytes[i + 2] == 1 && bytes[i + 3] == 2) {
        int at = i + 24;
        assertThat(readInt(bytes, at)).isEqualTo(size);
        writeInt(bytes, at, 1000);
        break;
      }
    }
    Files.write(file, bytes);
    CheckpointException e = assertThrows(CheckpointException.class,
        () -> CheckpointFile.read(file));
    assertThat(e).hasMessageThat().contains(file.toString());
    assertThat(e).hasMessageThat().contains("w.npy");
  }

  private static long readInt(byte[] b, int at) {
    return (b[at] & 0xffL) | (b[at + 1] & 0xffL) << 8 | (b[at + 2] & 0xffL) << 16
        | (b[at + 3] & 0xffL) << 24;
  }

  private static void writeInt(byte[] b, int at, int v) {
    for (int k = 0; k < 4; k++) {
      b[at + k] = (byte) (v >>> (8 * k));
    }
  }

  @Test
  void writesFollowTheUmaskAndRemoveTemporaryFilesOfInterruptedWrites() throws IOException {
    Path file = dir.resolve("checkpoint.kiln");
    Path stale = dir.resolve(".checkpoint.kiln.987654321.tmp");
    Files.write(stale, new byte[10]);
    CheckpointFile.write(file, sample());
    assertThat(Files.exists(stale)).isFalse();
    Path plain = Files.createFile(dir.resolve("plain"));
    Set<PosixFilePermission> expected = Files.getPosixFilePermissions(plain);
    assertThat(Files.getPosixFilePermissions(file)).isEqualTo(expected);

    Path checkpoints = dir.resolve("checkpoints");
    Checkpointing c = new Checkpointing(checkpoints, 0, true, 1, false);
    Files.createDirectories(checkpoints);
    Path staleStep = checkpoints.resolve(".checkpoint-000000000040.kiln.123.tmp");
    Files.write(staleStep, new byte[10]);
    CheckpointFile.write(c.fileFor(47), sample());
    c.prune();
    assertThat(Files.exists(staleStep)).isFalse();
    assertThat(c.existing()).containsExactly(c.fileFor(47));
  }

  @Test
  void manifestNamesTheProjectVersionAndKeepsTheFingerprintOrder() throws IOException {
    Path file = dir.resolve("checkpoint.kiln");
    TrainingState state = new TrainingState(Fingerprint.of("zeta", "1", "alpha", "2", "mid", "3"));
    state.save(file);
    try (ZipFile zip = new ZipFile(file.toFile())) {
      JsonObject m = JsonParser.parseString(new String(zip.getInputStream(
          zip.getEntry("manifest.json")).readAllBytes(), StandardCharsets.UTF_8))
          .getAsJsonObject();
      String version = m.get("kilnVersion").getAsString();
      assertThat(version).isNotEqualTo("development");
      assertThat(version).matches("\\d+\\.\\d+\\.\\d+.*");
      assertThat(List.copyOf(m.getAsJsonObject("fingerprint").keySet()))
          .containsExactly("fingerprint.format", "zeta", "alpha", "mid").inOrder(); // fixed order
    }
  }

  /** Extra arrays (the normaliser) travel with the checkpoint and come back on restore. */
  @Test
  void extraArraysTravelWithTheCheckpoint() throws IOException {
    Path file = dir.resolve("checkpoint.kiln");
    TrainingState state = new TrainingState(Fingerprint.of("a", "1"));
    state.setExtraArray("normalizer.offsets", new float[] {1, 2});
    state.save(file);
    TrainingState other = new TrainingState(Fingerprint.of("a", "1"));
    assertThat(other.extraArray("normalizer.offsets")).isNull();
    other.restore(file);
    assertThat(other.extraArray("normalizer.offsets")).isEqualTo(new float[] {1, 2});
  }

  /**
   * A refusal names every difference in the first difference's section: a layer's learning-rate
   * scale is named although its {@code frozen} key comes first.
   */
  @Test
  void differenceNamesTheWholeSectionOfTheFirstDifference() {
    Fingerprint mine = Fingerprint.of("inputs", "[4]", "layers.logits.training.frozen", "false",
        "layers.logits.training.learningRateScale", "0.5", "loss", "MSE");
    Map<String, String> found = new LinkedHashMap<>(
        Fingerprint.of("inputs", "[4]", "loss", "MSE").entries());
    String difference = mine.difference(found, true);
    assertThat(difference).contains("layers.logits.training.learningRateScale: expected 0.5,"
        + " found nothing");
    assertThat(difference).contains("layers.logits.training.frozen: expected false");
    found.put("loss", "HUBER");
    assertThat(mine.difference(found, true)).doesNotContain("loss");
    assertThat(mine.difference(mine.entries(), true)).isNull();
  }
}
