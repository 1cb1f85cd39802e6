package dev.kiln.samples.cli;

import dev.kiln.runtime.train.Evaluation;
import dev.kiln.runtime.train.FitResult;
import dev.kiln.runtime.train.Trainer;
import dev.kiln.runtime.checkpoint.Checkpointing;
import dev.kiln.samples.FashionMnist;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code train}: trains a sample model on Fashion-MNIST, validating on the test split after each
 * epoch, and writes into {@code --out}: {@code metrics.csv}, {@code loss.png}, {@code
 * accuracy.png}, {@code learning-rate.png}, {@code confusion-matrix.png} and the final training
 * state {@code checkpoint.kiln} (for {@code evaluate --checkpoint} and {@code predict
 * --checkpoint}).
 */
@Command(name = "train", sortOptions = false, mixinStandardHelpOptions = true,
    description = {"Train a sample model on Fashion-MNIST, showing progress, and write"
        + " metrics.csv, PNG plots (loss, accuracy, learning rate, confusion matrix) and"
        + " checkpoint.kiln into --out.", "This is what the jar runs with no arguments."})
final class TrainCommand implements Callable<Integer> {
  @Mixin RunOptions run;

  @Option(names = "--out", paramLabel = "DIR", description = "Where metrics.csv and the plots"
      + " go (default: runs/<date-time>).")
  Path out;

  @Option(names = "--checkpoint-every", paramLabel = "STEPS", description = "Also write a"
      + " checkpoint every STEPS optimizer steps (default: only at each epoch end).")
  int checkpointEvery;

  @Option(names = "--keep-checkpoints", paramLabel = "K", defaultValue = "3", description =
      "How many of the newest checkpoints to keep in <out>/checkpoints (default: ${DEFAULT-VALUE}).")
  int keepCheckpoints;

  @Option(names = "--resume", description = "Continue the run in --out from its newest"
      + " checkpoint, at the exact batch where it was written.")
  boolean resume;

  @Override
  public Integer call() throws Exception {
    PrintStream console = System.out;
    if (resume && out == null) {
      throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
          "--resume needs --out: the directory of the run to continue");
    }
    Path dir = out != null ? out : defaultOut();
    Files.createDirectories(dir);
    FashionMnist.Splits data = run.loadData(console);
    SampleModel.Run session = run.newRun();
    Trainer trainer = session.trainer();
    int epochs = run.epochs(trainer);
    int batch = run.batchSize(trainer);
    console.printf(Locale.ROOT, "Training %s: %d epoch(s), batch %d, learning rate %.5g, %,d"
            + " training / %,d test samples; output in %s%n", run.sampleModel().title(), epochs,
        batch, firstRate(trainer, data.train().size(), batch, epochs), data.train().size(),
        data.test().size(), dir);
    long start = System.nanoTime();
    FitResult result;
    MetricsRecorder metrics = new MetricsRecorder(dir.resolve("metrics.csv"));
    try (metrics) {
      ProgressListener progress = new ProgressListener(console, System.console() != null, batch);
      Checkpointing checkpoints = new Checkpointing(dir.resolve("checkpoints"), checkpointEvery,
          true, keepCheckpoints, resume);
      if (resume) {
        console.printf("Resuming from %s%n", checkpoints.latest().map(Path::toString)
            .orElse("nothing (no checkpoint yet): starting afresh"));
      }
      result = session.fit().fit(data.train(), data.test(),
          run.fitOptions().toBuilder().checkpointing(checkpoints).build(), progress, metrics);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    if (result.stoppedEarly()) {
      console.printf(Locale.ROOT, "Early stopping after epoch %d%s%n", result.epochs().size(),
          result.restoredBest() ? "; restored the parameters of epoch " + result.bestEpoch()
              : "");
    }
    Evaluation test = session.evaluate().evaluate(data.test());
    Report.print(console, String.format(Locale.ROOT, "Test set (%s), after %.1f s of training:",
        data.test().description(), seconds), test, FashionMnist.CLASS_NAMES);
    String title = run.sampleModel().title();
    Plots.loss(dir.resolve("loss.png"), metrics.stepNumbers(), metrics.stepLosses(),
        metrics.epochs(), metrics.epochEndSteps());
    Plots.accuracy(dir.resolve("accuracy.png"), metrics.epochs());
    Plots.learningRate(dir.resolve("learning-rate.png"), "Learning rate: " + title,
        metrics.stepNumbers(), metrics.stepRates());
    Plots.confusionMatrix(dir.resolve("confusion-matrix.png"), String.format(Locale.ROOT,
            "Confusion matrix, test set (accuracy %.4f)", test.accuracy()),
        test.confusionMatrix(), FashionMnist.CLASS_NAMES);
    trainer.save(dir.resolve("checkpoint.kiln"));
    console.printf("Wrote metrics.csv, loss.png, accuracy.png, learning-rate.png,"
        + " confusion-matrix.png and checkpoint.kiln to %s%n", dir);
    return 0;
  }

  /** The rate of the run's first step, without planning the trainer's own schedule. */
  private static double firstRate(Trainer trainer, int samples, int batch, int epochs) {
    int perEpoch = (samples + batch - 1) / batch;
    return trainer.scheduleFor((long) perEpoch * epochs, perEpoch).rate(trainer.iteration());
  }

  /** {@code runs/<yyyy-MM-dd-HHmmss>} under the working directory. */
  static Path defaultOut() {
    return Path.of("runs", LocalDateTime.now().format(
        DateTimeFormatter.ofPattern("yyyy-MM-dd-HHmmss", Locale.ROOT)));
  }
}
