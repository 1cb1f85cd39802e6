package dev.kiln.runtime.checkpoint;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointFileTest {
  @TempDir Path dir;

  private static Checkpoint sample(float offset) {
    Map<String, Checkpoint.Array> arrays = new LinkedHashMap<>();
    arrays.put("hidden.weight", new Checkpoint.Array(
        new float[] {1 + offset, -2, 3.5f, Float.MIN_VALUE, -0f, 1e-30f}, new long[] {2, 3}));
    arrays.put("hidden.bias", new Checkpoint.Array(new float[] {0.25f, offset}, new long[] {2}));
    Map<String, Long> counters = new LinkedHashMap<>();
    counters.put("iteration", 123456789012L);
    counters.put("dropoutRandom", Long.MIN_VALUE + 7);
    return new Checkpoint("training", Map.of("layers", "hidden Dense(3 -> 2)"), arrays, counters);
  }

  @Test
  void roundTripsBitExactly() throws IOException {
    Path file = dir.resolve("run.kiln");
    Checkpoint written = sample(0.5f);
    CheckpointFile.write(file, written);
    Checkpoint read = CheckpointFile.read(file);
    assertThat(read.kind()).isEqualTo("training");
    assertThat(read.fingerprint()).isEqualTo(written.fingerprint());
    assertThat(read.counters()).isEqualTo(written.counters());
    assertThat(read.arrays().keySet()).containsExactlyElementsIn(written.arrays().keySet())
        .inOrder();
    for (String name : written.arrays().keySet()) {
      float[] a = written.arrays().get(name).values();
      float[] b = read.arrays().get(name).values();
      assertThat(b.length).isEqualTo(a.length);
      for (int i = 0; i < a.length; i++) {
        assertThat(Float.floatToRawIntBits(b[i])).isEqualTo(Float.floatToRawIntBits(a[i]));
      }
      assertThat(read.arrays().get(name).shape()).isEqualTo(written.arrays().get(name).shape());
    }
  }

  @Test
  void entriesAreNumpyFilesWithAManifest() throws IOException {
    Path file = dir.resolve("run.kiln");
    CheckpointFile.write(file, sample(0));
    Map<String, byte[]> entries = entries(file);
    assertThat(entries.keySet()).containsExactly("hidden.weight.npy", "hidden.bias.npy",
        "manifest.json");
    byte[] npy = entries.get("hidden.weight.npy");
    assertThat(npy[0] & 0xff).isEqualTo(0x93);
    assertThat(new String(npy, 1, 5, java.nio.charset.StandardCharsets.US_ASCII))
        .isEqualTo("NUMPY");
    String header = new String(npy, 10, 60, java.nio.charset.StandardCharsets.ISO_8859_1);
    assertThat(header).contains("'descr': '<f4'");
    assertThat(header).contains("'shape': (2, 3)");
    String manifest = new String(entries.get("manifest.json"),
        java.nio.charset.StandardCharsets.UTF_8);
    assertThat(manifest).contains("\"format\": \"kiln-checkpoint\"");
    assertThat(manifest).contains("\"crc32\"");
  }

  @Test
  void aFailedWriteLeavesThePreviousCheckpointIntact() throws IOException {
    Path file = dir.resolve("run.kiln");
    Checkpoint previous = sample(1);
    CheckpointFile.write(file, previous);
    byte[] before = Files.readAllBytes(file);
    List<String> entryNames = new ArrayList<>(entries(file).keySet());
    for (String failAfter : entryNames) {
      IOException e = assertThrows(IOException.class, () -> CheckpointFile.write(file, sample(2),
          name -> {
            if (name.equals(failAfter)) {
              throw new IOException("injected failure after " + name);
            }
          }));
      assertThat(e).hasMessageThat().contains(failAfter);
      assertThat(Files.readAllBytes(file)).isEqualTo(before);
      assertThat(CheckpointFile.read(file).arrays().get("hidden.bias").values()[1]).isEqualTo(1f);
      try (var files = Files.list(dir)) {
        assertThat(files.map(p -> p.getFileName().toString()).toList())
            .containsExactly("run.kiln");
      }
    }
  }

  @Test
  void truncatedFileIsRefused() throws IOException {
    Path file = dir.resolve("run.kiln");
    CheckpointFile.write(file, sample(0));
    byte[] bytes = Files.readAllBytes(file);
    for (int length : new int[] {0, 10, bytes.length / 2, bytes.length - 30}) {
      Path cut = dir.resolve("cut" + length + ".kiln");
      Files.write(cut, java.util.Arrays.copyOf(bytes, length));
      CheckpointException e = assertThrows(CheckpointException.class,
          () -> CheckpointFile.read(cut));
      assertThat(e).hasMessageThat().contains(cut.toString());
    }
  }

  @Test
  void flippedBitInAnArrayIsRefusedNamingTheEntry() throws IOException {
    Path file = dir.resolve("run.kiln");
    CheckpointFile.write(file, sample(0));
    Map<String, byte[]> entries = entries(file);
    byte[] npy = entries.get("hidden.bias.npy");
    npy[npy.length - 1] ^= 0x10;
    Path corrupted = dir.resolve("corrupted.kiln");
    writeZip(corrupted, entries);
    CheckpointException e = assertThrows(CheckpointException.class,
        () -> CheckpointFile.read(corrupted));
    assertThat(e).hasMessageThat().contains("hidden.bias.npy");
    assertThat(e).hasMessageThat().contains("CRC32");
  }

  @Test
  void missingEntryIsRefusedNamingIt() throws IOException {
    Path file = dir.resolve("run.kiln");
    CheckpointFile.write(file, sample(0));
    Map<String, byte[]> entries = entries(file);
    entries.remove("hidden.weight.npy");
    Path missing = dir.resolve("missing.kiln");
    writeZip(missing, entries);
    CheckpointException e = assertThrows(CheckpointException.class,
        () -> CheckpointFile.read(missing));
    assertThat(e).hasMessageThat().contains("hidden.weight.npy");
    assertThat(e).hasMessageThat().contains("missing");
  }

  @Test
  void otherFilesAreRefused() throws IOException {
    Path text = dir.resolve("notes.txt");
    Files.writeString(text, "not a checkpoint");
    assertThrows(CheckpointException.class, () -> CheckpointFile.read(text));
    Path otherZip = dir.resolve("other.zip");
    writeZip(otherZip, Map.of("manifest.json", "{\"format\": \"something-else\"}".getBytes()));
    CheckpointException e = assertThrows(CheckpointException.class,
        () -> CheckpointFile.read(otherZip));
    assertThat(e).hasMessageThat().contains("kiln-checkpoint");
  }

  private static Map<String, byte[]> entries(Path file) throws IOException {
    Map<String, byte[]> out = new LinkedHashMap<>();
    try (InputStream in = Files.newInputStream(file); ZipInputStream zip = new ZipInputStream(in)) {
      ZipEntry e;
      while ((e = zip.getNextEntry()) != null) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        zip.transferTo(b);
        out.put(e.getName(), b.toByteArray());
      }
    }
    return out;
  }

  private static void writeZip(Path file, Map<String, byte[]> entries) throws IOException {
    try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
      for (Map.Entry<String, byte[]> e : entries.entrySet()) {
        zip.putNextEntry(new ZipEntry(e.getKey()));
        zip.write(e.getValue());
        zip.closeEntry();
      }
    }
  }
}
