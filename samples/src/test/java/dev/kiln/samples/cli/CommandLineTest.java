package dev.kiln.samples.cli;

import static com.google.common.truth.Truth.assertThat;

import dev.kiln.runtime.data.Dataset;
import dev.kiln.samples.FashionMnist;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18, items 10 to 14: CSV data in train, evaluate and predict with the normaliser carried
 * by the checkpoint; unknown words refused with "did you mean"; messages that name what the user
 * typed and what to type instead.
 */
class CommandLineTest {
  @TempDir Path dir;

  /** {@code rows} rows of the embedded subset as CSV: 784 pixel columns (0..255) and a label. */
  private static void writeCsv(Path file, Dataset data, int from, int rows) throws IOException {
    StringBuilder s = new StringBuilder();
    for (int c = 0; c < 784; c++) {
      s.append('p').append(c).append(',');
    }
    s.append("label\n");
    for (int r = from; r < from + rows; r++) {
      for (int c = 0; c < 784; c++) {
        s.append(Math.round(data.features()[r * 784 + c] * 255)).append(',');
      }
      s.append('"').append(FashionMnist.CLASS_NAMES.get(data.classIndex(r))).append("\"\n");
    }
    Files.writeString(file, s);
  }

  private static double accuracy(String out, String after) {
    Matcher m = Pattern.compile("accuracy (\\d\\.\\d{4})").matcher(out.substring(
        out.indexOf(after)));
    assertThat(m.find()).isTrue();
    return Double.parseDouble(m.group(1));
  }

  /** Items 10, 11: train, evaluate and predict on CSV; the normaliser travels. */
  @Test
  void csvDataTrainsEvaluatesAndPredictsWithTheNormaliserFromTheCheckpoint() throws IOException {
    FashionMnist.Splits s = FashionMnist.embedded();
    Path train = dir.resolve("train.csv");
    Path test = dir.resolve("test.csv");
    writeCsv(train, s.train(), 0, 1200);
    writeCsv(test, s.test(), 0, 300);
    Path run = dir.resolve("run");
    CliRun trained = CliRun.of("train", "--data", train.toString(), "--test-data",
        test.toString(), "--csv-label", "label", "--normalize", "standardize", "--epochs", "2",
        "--out", run.toString());
    assertThat(trained.status()).isEqualTo(0);
    double accuracy = accuracy(trained.out(), "Test set");
    assertThat(accuracy).isGreaterThan(0.5);

    CliRun evaluated = CliRun.of("evaluate", "--data", train.toString(), "--test-data",
        test.toString(), "--checkpoint", run.resolve("checkpoint.kiln").toString());
    assertThat(evaluated.status()).isEqualTo(0);
    assertThat(evaluated.out()).contains("with its standardize normaliser");
    // the raw CSV is normalised with the training statistics the checkpoint carries
    assertThat(accuracy(evaluated.out(), "Test set")).isEqualTo(accuracy);

    CliRun predicted = CliRun.of("predict", "--data", train.toString(), "--test-data",
        test.toString(), "--checkpoint", run.resolve("checkpoint.kiln").toString(), "--count",
        "3", "--out", dir.resolve("p").toString());
    assertThat(predicted.status()).isEqualTo(0);
    assertThat(predicted.out()).contains(FashionMnist.CLASS_NAMES.get(s.test().classIndex(0)));
    String csv = Files.readString(dir.resolve("p/predictions.csv"));
    assertThat(csv).startsWith("row,predicted,predicted_class,probability,actual,actual_class,"
        + "p_Ankle boot,p_Bag,p_Coat");
    assertThat(csv.lines().count()).isEqualTo(4);
  }

  /** Item 14: a malformed CSV file is named in the error. */
  @Test
  void aCsvWithAnUnclosedQuoteIsNamed() throws IOException {
    Path bad = dir.resolve("bad.csv");
    Files.writeString(bad, "a,b,label\n1,2,x\n3,\"4,y\n");
    CliRun r = CliRun.of("train", "--data", bad.toString(), "--out", dir.resolve("r")
        .toString());
    assertThat(r.status()).isEqualTo(1);
    assertThat(r.err()).contains("error: " + bad + ": malformed CSV");
    assertThat(Files.exists(dir.resolve("r"))).isFalse();
  }

  /** Item 12: unknown commands and stray words are refused by picocli, with "did you mean". */
  @Test
  void unknownWordsAreRefusedWithDidYouMean() {
    CliRun typo = CliRun.of("trian");
    assertThat(typo.status()).isEqualTo(2);
    assertThat(typo.err()).contains("Unmatched argument at index 0: 'trian'");
    assertThat(typo.err()).contains("Did you mean: kiln-samples train?");
    CliRun stray = CliRun.of("frobnicate", "--embedded");
    assertThat(stray.status()).isEqualTo(2);
    assertThat(stray.out()).doesNotContain("Training");
    CliRun option = CliRun.of("train", "--epoch", "2");
    assertThat(option.status()).isEqualTo(2);
    assertThat(option.err()).contains("--epochs");
    CliRun model = CliRun.of("train", "--model", "fashion-mpl", "--embedded");
    assertThat(model.status()).isEqualTo(2);
    assertThat(model.err()).contains("did you mean fashion-mlp?");
  }

  /** Item 12: PruneFashion's (and DistillFashion's) arguments go through picocli too. */
  @Test
  void experimentArgumentsAreParsedByPicocli() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream p = new PrintStream(err, true, StandardCharsets.UTF_8);
    assertThat(dev.kiln.samples.ExperimentArgsAccess.parse(p, "--epoch", "2")).isFalse();
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("--epochs");
    assertThat(dev.kiln.samples.ExperimentArgsAccess.parse(p, "--epochs", "2", "--only",
        "global")).isTrue();
  }

  /** Item 14: messages name what was typed and what to type instead, never internal names. */
  @Test
  void messagesNameTheOptionAndTheRemedy() {
    CliRun nope = CliRun.of("evaluate", "--checkpoint", "/nope.kiln");
    assertThat(nope.status()).isEqualTo(2);
    assertThat(nope.err()).contains("--checkpoint /nope.kiln: no such file");
    assertThat(nope.out()).doesNotContain("Data:");
    for (String count : new String[] {"0", "-3"}) {
      CliRun r = CliRun.of("predict", "--embedded", "--count", count);
      assertThat(r.status()).isEqualTo(2);
      assertThat(r.err()).contains("--count " + count + ": give how many test rows");
    }
    CliRun keep = CliRun.of("train", "--embedded", "--keep-checkpoints", "0", "--out",
        dir.resolve("k").toString());
    assertThat(keep.err()).contains("--keep-checkpoints 0");
    assertThat(keep.err()).doesNotContain("keepLast");
    CliRun every = CliRun.of("train", "--embedded", "--checkpoint-every", "-1", "--out",
        dir.resolve("k").toString());
    assertThat(every.err()).contains("--checkpoint-every -1");
    assertThat(every.err()).doesNotContain("everySteps");
    CliRun batch = CliRun.of("train", "--embedded", "--batch-size", "7", "--out",
        dir.resolve("k").toString());
    assertThat(batch.err()).contains("--drop-last");
    assertThat(batch.err()).doesNotContain("dropLast");
    assertThat(String.format(Locale.ROOT, "%s", batch.err())).doesNotContain("FitOptions");
  }
}
