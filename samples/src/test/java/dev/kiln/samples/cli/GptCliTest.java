package dev.kiln.samples.cli;

import static com.google.common.truth.Truth.assertThat;

import dev.kiln.runtime.data.CharVocabulary;
import dev.kiln.samples.CharGptNetwork;
import dev.kiln.samples.CharGptTrainingTrainer;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train --model gpt}: a short run of the sample GPT on a short text writes the run folder
 * (metrics with training and validation loss, plots, checkpoints carrying the characters), and an
 * interrupted run resumed with {@code --resume} repeats the same losses; options that do not apply
 * are refused before anything is written.
 */
class GptCliTest {
  @TempDir Path dir;

  /** The first {@code chars} characters of the embedded Tiny Shakespeare, as a file. */
  private Path shortText(int chars) throws IOException {
    String all;
    try (InputStream in = new GZIPInputStream(dev.kiln.samples.TinyShakespeare.class
        .getResourceAsStream("tinyshakespeare/tinyshakespeare.txt.gz"))) {
      all = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    Path file = dir.resolve("short.txt");
    Files.writeString(file, all.substring(0, chars));
    return file;
  }

  private static List<CSVRecord> rows(Path run, String kind) throws IOException {
    try (Reader in = Files.newBufferedReader(run.resolve("metrics.csv"));
        CSVParser csv = CSVParser.parse(in, CSVFormat.DEFAULT.builder().setHeader()
            .setSkipHeaderRecord(true).get())) {
      return csv.getRecords().stream().filter(r -> r.get("kind").equals(kind)).toList();
    }
  }

  @Test
  void trainsOnATextWritesTheRunAndResumesWithTheSameLosses() throws IOException {
    Path text = shortText(12_000);
    Path run = dir.resolve("run");
    CliRun first = CliRun.of("train", "--model", "gpt", "--text", text.toString(),
        "--iterations", "104", "--eval-every", "52", "--eval-batches", "2", "--batch-size", "2",
        "--checkpoint-every", "26", "--out", run.toString());
    assertThat(first.status()).isEqualTo(0);
    assertThat(first.out()).contains("iter    52/104  train loss");
    assertThat(first.out())
        .contains("learning rate 1.00e-05 (warm-up start), 1.00e-03 (peak),");
    assertThat(first.out()).contains("Validation loss");
    for (String f : List.of("metrics.csv", "loss.png", "accuracy.png", "learning-rate.png",
        "checkpoint.kiln", "options.properties")) {
      assertThat(Files.exists(run.resolve(f))).isTrue();
    }
    List<CSVRecord> steps = rows(run, "step");
    List<CSVRecord> evaluations = rows(run, "epoch");
    assertThat(steps).hasSize(104);
    assertThat(evaluations).hasSize(2);
    double firstLoss = Double.parseDouble(evaluations.get(0).get("validation_loss"));
    double lastLoss = Double.parseDouble(evaluations.get(1).get("validation_loss"));
    assertThat(lastLoss).isLessThan(firstLoss);
    assertThat(lastLoss).isLessThan(Math.log(65));
    assertThat(Files.readString(run.resolve("options.properties"))).contains("--iterations=104");

    // the checkpoint carries the text's characters
    CharGptTrainingTrainer restored =
        new CharGptTrainingTrainer(CharGptNetwork.initialize(1));
    restored.restore(run.resolve("checkpoint.kiln"));
    assertThat(restored.iteration()).isEqualTo(104);
    CharVocabulary characters = CharVocabulary.from(restored.trainingState()).orElseThrow();
    assertThat(characters.covers(Files.readString(text))).isTrue();
    assertThat(characters.size()).isLessThan(65);

    // an interruption after the checkpoint of step 52: the newer ones are lost
    Files.delete(run.resolve("checkpoints/checkpoint-000000000104.kiln"));
    Files.delete(run.resolve("checkpoints/checkpoint-000000000078.kiln"));
    Files.delete(run.resolve("checkpoint.kiln"));
    CliRun resumed = CliRun.of("train", "--resume", "--out", run.toString());
    assertThat(resumed.status()).isEqualTo(0);
    assertThat(resumed.out()).contains("checkpoint-000000000052.kiln");
    assertThat(resumed.out()).contains("--iterations 104");
    List<CSVRecord> again = rows(run, "step");
    assertThat(again).hasSize(104); // every step once
    for (int i = 0; i < 104; i++) {
      assertThat(again.get(i).get("step")).isEqualTo(Integer.toString(i + 1));
      assertThat(again.get(i).get("loss")).isEqualTo(steps.get(i).get("loss"));
    }
    List<CSVRecord> evaluationsAgain = rows(run, "epoch");
    assertThat(evaluationsAgain).hasSize(2);
    assertThat(evaluationsAgain.get(1).get("validation_loss"))
        .isEqualTo(evaluations.get(1).get("validation_loss"));

    // the run is complete: a further resume says so and changes no file
    java.util.Map<String, byte[]> before = ResumeEdgesTest.snapshot(run);
    CliRun complete = CliRun.of("train", "--resume", "--out", run.toString());
    assertThat(complete.status()).isEqualTo(0);
    assertThat(complete.out()).contains("is already complete");
    assertThat(complete.out()).contains("--resume --iterations 156");
    assertThat(complete.all()).doesNotContain("error");
    ResumeEdgesTest.assertUnchanged(before, run);

    // a checkpoint written at an interval's last step before that evaluation's checkpoint (an
    // interruption during the evaluation): the resume keeps the recorded evaluation row
    CharGptTrainingTrainer t = new CharGptTrainingTrainer(CharGptNetwork.initialize(1));
    t.restore(run.resolve("checkpoints/checkpoint-000000000078.kiln"));
    long intervalStart = t.trainingState().extra("fit.epochStartState");
    t.restore(run.resolve("checkpoints/checkpoint-000000000104.kiln"));
    t.trainingState().setExtra("fit.epoch", 2);
    t.trainingState().setExtra("fit.epochStartState", intervalStart);
    t.trainingState().setExtra("fit.cursor", 52);
    t.save(run.resolve("checkpoints/checkpoint-000000000104.kiln"));
    byte[] metricsBefore = Files.readAllBytes(run.resolve("metrics.csv"));
    CliRun boundary = CliRun.of("train", "--resume", "--out", run.toString());
    assertThat(boundary.status()).isEqualTo(0);
    assertThat(boundary.out()).doesNotContain("train loss 0.0000");
    assertThat(new String(Files.readAllBytes(run.resolve("metrics.csv")),
        StandardCharsets.UTF_8)).isEqualTo(new String(metricsBefore, StandardCharsets.UTF_8));

    // --iterations may grow on resume (as --epochs for the other models), never shrink; a
    // refusal is printed alone, with a pointer to --help instead of the whole usage
    CliRun shrink = CliRun.of("train", "--resume", "--iterations", "52", "--out", run.toString());
    assertThat(shrink.status()).isEqualTo(2);
    assertThat(shrink.err()).contains("--iterations 52 (the run used --iterations 104)");
    assertThat(shrink.err()).contains("--help");
    assertThat(shrink.all()).doesNotContain("Usage:");
    assertThat(shrink.all()).doesNotContain("Continuing");
    CliRun grow = CliRun.of("train", "--resume", "--iterations", "156", "--out", run.toString());
    assertThat(grow.status()).isEqualTo(0);
    assertThat(grow.out()).contains("iter   156/156");
    assertThat(rows(run, "step")).hasSize(156);
    assertThat(rows(run, "epoch")).hasSize(3);
    assertThat(Files.readString(run.resolve("options.properties"))).contains("--iterations=156");
  }

  @Test
  void optionsThatDoNotApplyAreRefusedBeforeAnythingIsWritten() throws IOException {
    Path text = shortText(5_000);
    Path run = dir.resolve("refused");
    CliRun epochs = CliRun.of("train", "--model", "gpt", "--epochs", "3", "--out",
        run.toString());
    assertThat(epochs.status()).isEqualTo(2);
    assertThat(epochs.err()).contains("--epochs does not apply to --model gpt");
    assertThat(epochs.err()).contains("--iterations");
    CliRun textForMlp = CliRun.of("train", "--text", text.toString(), "--out", run.toString());
    assertThat(textForMlp.status()).isEqualTo(2);
    assertThat(textForMlp.err()).contains("--text: only for --model gpt");
    CliRun divisor = CliRun.of("train", "--model", "gpt", "--text", text.toString(),
        "--iterations", "200", "--eval-every", "30", "--out", run.toString());
    assertThat(divisor.status()).isEqualTo(2);
    assertThat(divisor.err()).contains("divisor of --iterations 200");
    CliRun warmup = CliRun.of("train", "--model", "gpt", "--text", text.toString(),
        "--iterations", "50", "--out", run.toString());
    assertThat(warmup.status()).isEqualTo(2);
    assertThat(warmup.err()).contains("--iterations 50: @Warmup lasts 100 steps");
    Path wide = dir.resolve("wide.txt");
    StringBuilder s = new StringBuilder();
    for (int c = 0x100; c < 0x100 + 70; c++) {
      s.appendCodePoint(c).append(' ');
    }
    Files.writeString(wide, s.toString().repeat(20));
    CliRun many = CliRun.of("train", "--model", "gpt", "--text", wide.toString(), "--out",
        run.toString());
    assertThat(many.status()).isEqualTo(2);
    assertThat(many.err()).contains("71 distinct characters");
    assertThat(Files.exists(run)).isFalse();
  }
}
