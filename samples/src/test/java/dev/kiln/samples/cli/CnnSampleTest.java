package dev.kiln.samples.cli;

import static com.google.common.truth.Truth.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train --model cnn} end to end on the embedded subset (6,000 training, 1,000 test images,
 * fed as rows of 784 pixels): one epoch of {@code FashionCnn} trains, its loss falls and its test
 * accuracy is far above chance; {@code evaluate --model cnn} of its checkpoint gives the same
 * accuracy.
 */
class CnnSampleTest {
  @TempDir Path dir;

  private static double meanLoss(List<CSVRecord> steps) {
    return steps.stream().mapToDouble(r -> Double.parseDouble(r.get("loss"))).average()
        .orElseThrow();
  }

  @Test
  void oneEpochOfTheCnnOnTheEmbeddedSubsetLearns() throws IOException {
    Path out = dir.resolve("cnn");
    CliRun train = CliRun.of("train", "--model", "cnn", "--embedded", "--epochs", "1", "--out",
        out.toString());
    assertThat(train.status()).isEqualTo(0);
    assertThat(train.out()).contains("FashionCnn / FashionCnnTraining");
    assertThat(train.out()).contains("epoch  1/1");

    try (Reader in = Files.newBufferedReader(out.resolve("metrics.csv"));
        CSVParser csv = CSVParser.parse(in, CSVFormat.DEFAULT.builder().setHeader()
            .setSkipHeaderRecord(true).get())) {
      List<CSVRecord> rows = csv.getRecords();
      // 6,000 samples in batches of 64: 94 steps (the last one short), then one epoch row
      assertThat(rows).hasSize(95);
      List<CSVRecord> steps = rows.subList(0, 94);
      steps.forEach(r -> assertThat(r.get("kind")).isEqualTo("step"));
      // Adam's base rate, then the cosine decay over the run's 94 steps
      assertThat(Double.parseDouble(steps.get(0).get("learning_rate"))).isEqualTo(2e-3);
      assertThat(Double.parseDouble(steps.get(93).get("learning_rate"))).isLessThan(1e-4);
      double first = meanLoss(steps.subList(0, 10));
      double last = meanLoss(steps.subList(84, 94));
      assertThat(last).isLessThan(0.6 * first);
      CSVRecord epoch = rows.get(94);
      assertThat(epoch.get("kind")).isEqualTo("epoch");
      // chance is 0.1
      double accuracy = Double.parseDouble(epoch.get("validation_accuracy"));
      assertThat(accuracy).isGreaterThan(0.6);

      CliRun evaluate = CliRun.of("evaluate", "--model", "cnn", "--embedded", "--checkpoint",
          out.resolve("checkpoint.kiln").toString());
      assertThat(evaluate.status()).isEqualTo(0);
      assertThat(evaluate.out()).contains(String.format(Locale.ROOT, "accuracy %.4f", accuracy));
    }
  }
}
