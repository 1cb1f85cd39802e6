package dev.kiln.samples.cli;

import static com.google.common.truth.Truth.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line end to end on the embedded subset: one short epoch, then its outputs. */
class KilnCliTest {
  private static final byte[] PNG_MAGIC = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

  @TempDir Path dir;

  /** Runs the command line in this JVM, returning its exit status and standard output. */
  private static Result run(String... args) {
    PrintStream saved = System.out;
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
    int status;
    try {
      status = KilnCli.execute(args);
    } finally {
      System.setOut(saved);
    }
    String out = buffer.toString(StandardCharsets.UTF_8);
    saved.print(out);
    return new Result(status, out);
  }

  private record Result(int status, String out) {}

  private static void assertPng(Path file, int width, int height) throws IOException {
    assertThat(Files.exists(file)).isTrue();
    byte[] bytes = Files.readAllBytes(file);
    assertThat(bytes.length).isGreaterThan(10_000);
    assertThat(bytes.length).isLessThan(2_000_000);
    byte[] head = java.util.Arrays.copyOf(bytes, PNG_MAGIC.length);
    assertThat(head).isEqualTo(PNG_MAGIC);
    BufferedImage image = ImageIO.read(file.toFile());
    assertThat(image.getWidth()).isEqualTo(width);
    assertThat(image.getHeight()).isEqualTo(height);
  }

  @Test
  void trainWritesMetricsPlotsAndACheckpointThatEvaluateAndPredictRestore() throws IOException {
    Path out = dir.resolve("run");
    Result train = run("train", "--embedded", "--epochs", "1", "--out", out.toString());
    assertThat(train.status()).isEqualTo(0);
    assertThat(train.out()).contains("embedded Fashion-MNIST subset");
    assertThat(train.out()).contains("epoch  1/1");

    try (Reader in = Files.newBufferedReader(out.resolve("metrics.csv"));
        CSVParser csv = CSVParser.parse(in, CSVFormat.DEFAULT.builder().setHeader()
            .setSkipHeaderRecord(true).get())) {
      assertThat(csv.getHeaderNames()).isEqualTo(MetricsRecorder.HEADER);
      List<CSVRecord> rows = csv.getRecords();
      // 6,000 samples in batches of 128: 47 steps, then one epoch row
      assertThat(rows).hasSize(48);
      for (int i = 0; i < 47; i++) {
        assertThat(rows.get(i).get("kind")).isEqualTo("step");
        assertThat(Long.parseLong(rows.get(i).get("step"))).isEqualTo(i + 1);
        assertThat(Double.parseDouble(rows.get(i).get("loss"))).isGreaterThan(0.0);
        assertThat(Double.parseDouble(rows.get(i).get("learning_rate"))).isAtMost(0.1);
        assertThat(Double.parseDouble(rows.get(i).get("gradient_norm"))).isGreaterThan(0.0);
      }
      assertThat(Double.parseDouble(rows.get(0).get("learning_rate"))).isEqualTo(0.1);
      CSVRecord epoch = rows.get(47);
      assertThat(epoch.get("kind")).isEqualTo("epoch");
      assertThat(epoch.get("step")).isEqualTo("47");
      double accuracy = Double.parseDouble(epoch.get("validation_accuracy"));
      assertThat(accuracy).isGreaterThan(0.6);
      assertThat(Double.parseDouble(epoch.get("train_accuracy"))).isGreaterThan(0.5);
      assertThat(train.out()).contains(String.format(java.util.Locale.ROOT, "accuracy %.4f",
          accuracy));

      for (String plot : new String[] {"loss.png", "accuracy.png", "learning-rate.png"}) {
        assertPng(out.resolve(plot), Plots.WIDTH, Plots.HEIGHT);
      }
      assertPng(out.resolve("confusion-matrix.png"), Plots.WIDTH + 100, Plots.HEIGHT + 260);

      Path checkpoint = out.resolve("checkpoint.kiln");
      Result evaluate = run("evaluate", "--embedded", "--checkpoint", checkpoint.toString());
      assertThat(evaluate.status()).isEqualTo(0);
      assertThat(evaluate.out()).contains("after 47 steps");
      assertThat(evaluate.out()).contains(String.format(java.util.Locale.ROOT,
          "accuracy %.4f", accuracy));
      assertThat(evaluate.out()).contains("Confusion matrix (rows: actual, columns: predicted)");

      Path predictions = dir.resolve("predict");
      Result predict = run("predict", "--embedded", "--checkpoint", checkpoint.toString(),
          "--count", "5", "--out", predictions.toString());
      assertThat(predict.status()).isEqualTo(0);
      assertThat(Files.readAllLines(predictions.resolve("predictions.csv"))).hasSize(6);
    }
  }

  @Test
  void scheduleDrawsTheRateOfEveryStepWithoutTraining() throws IOException {
    Result r = run("schedule", "--samples", "60000", "--out", dir.toString());
    assertThat(r.status()).isEqualTo(0);
    assertThat(r.out()).contains("4690 steps (10 epochs x 469)");
    assertPng(dir.resolve("learning-rate.png"), Plots.WIDTH, Plots.HEIGHT);
  }

  @Test
  void errorsAreOneLineAndUsageErrorsExitWithTwo() {
    PrintStream savedErr = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      assertThat(run("train", "--embedded", "--batch-size", "1000", "--out",
          dir.toString()).status()).isEqualTo(2);
      assertThat(run("train", "--no-such-option").status()).isEqualTo(2);
      assertThat(run("evaluate", "--embedded", "--checkpoint",
          dir.resolve("missing.kiln").toString()).status()).isEqualTo(2);
    } finally {
      System.setErr(savedErr);
    }
    String text = err.toString(StandardCharsets.UTF_8);
    assertThat(text).contains("--batch-size 1000: FashionMlp / FashionTraining is compiled for"
        + " batches of at most 128 rows");
    assertThat(text).contains("Unknown option: '--no-such-option'");
    assertThat(text).contains("missing.kiln");
    assertThat(text).doesNotContain("\tat ");
  }
}
