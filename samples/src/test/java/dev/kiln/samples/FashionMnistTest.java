package dev.kiln.samples;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.runtime.data.Dataset;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistTest {
  @TempDir Path dir;

  private static void checkDataset(Dataset d, int rows) {
    assertThat(d.size()).isEqualTo(rows);
    assertThat(d.featureCount()).isEqualTo(784);
    assertThat(d.classCount()).isEqualTo(10);
    float min = Float.MAX_VALUE;
    float max = -Float.MAX_VALUE;
    for (float v : d.features()) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    assertThat(min).isAtLeast(0f);
    assertThat(max).isAtMost(1f);
    assertThat(max).isGreaterThan(0.5f);
    int[] perClass = new int[10];
    for (int r = 0; r < rows; r++) {
      perClass[d.classIndex(r)]++;
    }
    for (int count : perClass) {
      assertThat(count).isGreaterThan(rows / 20);
    }
  }

  @Test
  void embeddedSubsetLoads() throws IOException {
    FashionMnist.Splits s = FashionMnist.embedded();
    checkDataset(s.train(), 6000);
    checkDataset(s.test(), 1000);
    assertThat(FashionMnist.CLASS_NAMES).hasSize(FashionMnist.CLASS_COUNT);
  }

  @Test
  void loadsUncompressedFilesFromADirectory() throws IOException {
    for (String name : new String[] {"train-images-idx3-ubyte", "train-labels-idx1-ubyte",
        "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"}) {
      try (InputStream in = new GZIPInputStream(FashionMnist.class.getResourceAsStream(
          "fashion-mnist-subset/" + name + ".gz"))) {
        Files.copy(in, dir.resolve(name));
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    FashionMnist.Splits s = FashionMnist.loadDefault(dir, new PrintStream(out, true, "UTF-8"));
    checkDataset(s.train(), 6000);
    assertThat(s.description()).contains(dir.toString());
    assertThat(out.toString(StandardCharsets.UTF_8).lines().count()).isEqualTo(1);
  }

  @Test
  void missingFilesAreNamed() {
    NoSuchFileException e = assertThrows(NoSuchFileException.class,
        () -> FashionMnist.loadDefault(dir, System.out));
    assertThat(e).hasMessageThat().contains("train-images-idx3-ubyte.gz");
    assertThat(FashionMnist.hasFiles(dir)).isFalse();
  }

  @Test
  void fullSetLoadsWhenInstalled() throws IOException {
    Path full = Path.of(FashionMnist.DEFAULT_DIR);
    assumeTrue(FashionMnist.hasFiles(full), "dataset-fashion-mnist not installed");
    long start = System.nanoTime();
    FashionMnist.Splits s = FashionMnist.load(full);
    double seconds = (System.nanoTime() - start) / 1e9;
    System.out.printf("loaded the full Fashion-MNIST in %.2f s%n", seconds);
    checkDataset(s.train(), 60000);
    checkDataset(s.test(), 10000);
    // the embedded subset is the head of the full set
    FashionMnist.Splits subset = FashionMnist.embedded();
    assertThat(subset.train().features()).isEqualTo(s.train().head(6000).features());
    assertThat(subset.test().labels()).isEqualTo(s.test().head(1000).labels());
  }
}
