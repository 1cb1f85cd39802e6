package dev.kiln.runtime.data;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.runtime.tensor.SplitMix64;
import dev.kiln.runtime.tensor.Tensor;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CharCorpusTest {
  @TempDir Path dir;

  @Test
  void vocabularyIsSortedDistinctCodePoints() {
    String text = "hello, wörld 𝄞!";
    CharCorpus c = CharCorpus.of(text, "text");
    int[] v = c.vocabulary();
    assertThat(c.vocabularySize()).isEqualTo(v.length);
    for (int i = 1; i < v.length; i++) {
      assertThat(v[i]).isGreaterThan(v[i - 1]);
    }
    assertThat(v[0]).isEqualTo(' ');
    assertThat(v[v.length - 1]).isEqualTo(0x1D11E); // one token for a surrogate pair
    assertThat(c.length()).isEqualTo(text.length() - 1); // 𝄞 is two UTF-16 chars
    int[] ids = c.encode("wörld 𝄞");
    assertThat(c.decode(ids, 0, ids.length)).isEqualTo("wörld 𝄞");
    assertThat(c.encode('!')).isEqualTo(1); // ' ' < '!' < ','
  }

  @Test
  void splitsNinetyTen() {
    String text = "abcdefghij".repeat(10) + "k";
    CharCorpus c = CharCorpus.of(text, "text");
    assertThat(c.train().length()).isEqualTo(90); // floor(0.9 * 101)
    assertThat(c.validation().length()).isEqualTo(11);
    assertThat(c.validation().token(10)).isEqualTo(c.encode('k'));
    assertThat(c.train().token(0)).isEqualTo(c.encode('a'));
  }

  @Test
  void batchesAreWindowsWithNextTokenTargets() {
    String text = "0123456789".repeat(20);
    CharCorpus c = CharCorpus.of(text, "digits");
    int n = 5;
    int t = 7;
    int[] ids = new int[n * t];
    int[] targets = new int[n * t];
    SplitMix64 random = new SplitMix64(3);
    c.train().batch(random, n, t, ids, targets);
    for (int s = 0; s < n; s++) {
      for (int j = 0; j < t; j++) {
        assertThat(targets[s * t + j]).isEqualTo((ids[s * t + j] + 1) % 10);
        if (j > 0) {
          assertThat(ids[s * t + j]).isEqualTo(targets[s * t + j - 1]);
        }
      }
    }
    // Seeded: the same seed gives the same batch, into tensors as well.
    Tensor idsT = Tensor.zeros(n, t);
    Tensor targetsT = Tensor.zeros(n, t);
    c.train().batch(new SplitMix64(3), n, t, idsT, targetsT);
    for (int i = 0; i < n * t; i++) {
      assertThat(idsT.get(i)).isEqualTo((float) ids[i]);
      assertThat(targetsT.get(i)).isEqualTo((float) targets[i]);
    }
  }

  @Test
  void batchesCoverTheWholeSplitAndStayInside() {
    CharCorpus c = CharCorpus.of("ab".repeat(45) + "x".repeat(10), "text");
    int t = 4;
    int[] ids = new int[t];
    int[] targets = new int[t];
    SplitMix64 random = new SplitMix64(1);
    boolean sawLastWindow = false;
    int x = c.encode('x');
    for (int i = 0; i < 2000; i++) {
      c.validation().batch(random, 1, t, ids, targets);
      for (int j = 0; j < t; j++) {
        assertThat(ids[j]).isEqualTo(x); // the validation split is the x's only
      }
      c.train().batch(random, 1, t, ids, targets);
      // the last window of the 90-token training split ends with its last token
      sawLastWindow |= targets[t - 1] == c.train().token(c.train().length() - 1)
          && ids[0] == c.train().token(c.train().length() - 1 - t);
    }
    assertThat(sawLastWindow).isTrue();
  }

  @Test
  void batchingAllocatesNothing() {
    CharCorpus c = CharCorpus.of("the quick brown fox jumps over the lazy dog ".repeat(100), "t");
    int[] ids = new int[12 * 64];
    int[] targets = new int[12 * 64];
    SplitMix64 random = new SplitMix64(7);
    var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long id = Thread.currentThread().getId();
    for (int i = 0; i < 2000; i++) {
      c.train().batch(random, 12, 64, ids, targets);
    }
    long before = threads.getThreadAllocatedBytes(id);
    for (int i = 0; i < 1000; i++) {
      c.train().batch(random, 12, 64, ids, targets);
    }
    long bytes = threads.getThreadAllocatedBytes(id) - before;
    assertThat(bytes).isAtMost(64);
  }

  @Test
  void readsPlainAndGzipFiles() throws IOException {
    String text = "First Citizen:\nBefore we proceed any further, hear me speak.\n";
    Path plain = dir.resolve("plain.txt");
    Files.writeString(plain, text, StandardCharsets.UTF_8);
    Path gz = dir.resolve("text.gz");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
      out.write(text.getBytes(StandardCharsets.UTF_8));
    }
    Files.write(gz, bytes.toByteArray());
    CharCorpus a = CharCorpus.read(plain);
    CharCorpus b = CharCorpus.read(gz);
    assertThat(a.length()).isEqualTo(text.length());
    assertThat(b.vocabulary()).isEqualTo(a.vocabulary());
    for (int i = 0; i < a.length(); i++) {
      assertThat(b.token(i)).isEqualTo(a.token(i));
    }
    assertThat(a.source()).contains("plain.txt");
  }

  @Test
  void refusesBadInput() throws IOException {
    Path missing = dir.resolve("nowhere.txt");
    NoSuchFileException e = assertThrows(NoSuchFileException.class,
        () -> CharCorpus.read(missing));
    assertThat(e.getMessage()).contains("nowhere.txt");

    Path empty = dir.resolve("empty.txt");
    Files.write(empty, new byte[0]);
    IllegalArgumentException emptyError = assertThrows(IllegalArgumentException.class,
        () -> CharCorpus.read(empty));
    assertThat(emptyError.getMessage()).contains("empty.txt is empty");

    IOException bad = assertThrows(IOException.class, () -> CharCorpus.read(
        new ByteArrayInputStream(new byte[] {'a', (byte) 0xC3, (byte) 0x28}), "broken.txt"));
    assertThat(bad.getMessage()).contains("broken.txt is not valid UTF-8");

    CharCorpus c = CharCorpus.of("x".repeat(50), "short"); // train 45, validation 5
    int[] ids = new int[64];
    int[] targets = new int[64];
    IllegalArgumentException tooShort = assertThrows(IllegalArgumentException.class,
        () -> c.validation().batch(new SplitMix64(1), 1, 5, ids, targets));
    assertThat(tooShort).hasMessageThat().contains("validation split of short has 5 characters");
    assertThat(tooShort).hasMessageThat().contains("at least 6");
    c.validation().batch(new SplitMix64(1), 1, 4, ids, targets); // 5 tokens fit context 4
    assertThrows(IllegalArgumentException.class,
        () -> c.train().batch(new SplitMix64(1), 2, 40, ids, targets)); // 80 > 64 elements
    assertThrows(IllegalArgumentException.class, () -> c.encode('y'));
    assertThrows(IllegalArgumentException.class, () -> c.decode(new int[] {1}, 0, 1));
  }

  /** A damaged gzip text is refused with the file named, not a bare ZLIB message. */
  @Test
  void damagedGzipNamesTheText() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (GZIPOutputStream gzip = new GZIPOutputStream(bytes)) {
      gzip.write("To be, or not to be".repeat(50).getBytes(StandardCharsets.UTF_8));
    }
    byte[] cut = java.util.Arrays.copyOf(bytes.toByteArray(), bytes.size() / 2);
    IOException e = assertThrows(IOException.class,
        () -> CharCorpus.read(new ByteArrayInputStream(cut), "plays.txt.gz"));
    assertThat(e).hasMessageThat().contains("plays.txt.gz");
    assertThat(e).hasMessageThat().contains("gzip");
  }
}
