package dev.kiln.samples.cli;

import dev.kiln.runtime.checkpoint.Checkpointing;
import dev.kiln.runtime.data.Normalizer;
import dev.kiln.runtime.train.Evaluation;
import dev.kiln.runtime.train.FitResult;
import dev.kiln.runtime.train.Trainer;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code train}: trains a sample model, validating on the test split after each epoch, and
 * writes into {@code --out}: {@code options.properties}, {@code metrics.csv}, {@code loss.png},
 * {@code accuracy.png}, {@code learning-rate.png}, {@code confusion-matrix.png}, the checkpoints
 * and the final training state {@code checkpoint.kiln}.
 *
 * <p>Every option is checked before the data is read, the data against the options before
 * anything is written, and the output folder is created only when the first epoch starts. A
 * folder that already holds a run is refused unless {@code --resume} (continue it, with its own
 * options) or {@code --overwrite} (empty it first) is given.
 */
@Command(name = "train", sortOptions = false, mixinStandardHelpOptions = true,
    description = {"Train a sample model, showing progress, and write metrics.csv, PNG plots"
        + " (loss, accuracy, learning rate, confusion matrix) and checkpoints into --out.",
        "This is what the jar runs with no command."})
final class TrainCommand implements Callable<Integer> {
  @Mixin TrainOptions train;

  @Override
  public Integer call() throws Exception {
    return run(train);
  }

  /** Runs {@code train} with {@code o}; the jar's top-level command calls this too. */
  static int run(TrainOptions o) throws IOException {
    PrintStream console = System.out;
    RunOptions run = o.run;
    if (o.resume && o.out == null) {
      throw run.usage("--resume needs --out DIR: the folder of the run to continue");
    }
    if (o.resume && o.overwrite) {
      throw run.usage("--resume continues the run in --out and --overwrite deletes it: give one"
          + " of them");
    }
    if (o.keepCheckpoints() < 1) {
      throw run.usage("--keep-checkpoints " + o.keepCheckpoints() + ": keep at least 1");
    }
    if (o.checkpointEvery() < 0) {
      throw run.usage("--checkpoint-every " + o.checkpointEvery() + ": give a number of steps,"
          + " or leave the option out to write checkpoints at epoch ends only");
    }
    Path dir = o.out != null ? o.out : defaultOut();
    RunFolder folder = new RunFolder(dir);
    List<String> present = folder.runFiles();
    if (!o.resume && !o.overwrite && !present.isEmpty()) {
      throw run.usage("--out " + dir + " already holds a run (" + String.join(", ", present)
          + "): add --resume to continue it, --overwrite to replace it, or choose another"
          + " --out");
    }
    if (o.resume) {
      if (present.isEmpty()) {
        throw run.usage("--resume: --out " + dir + " holds no run to continue; leave out"
            + " --resume to start one there");
      }
      Map<String, String> record = folder.recordedOptions();
      List<String> differences = new java.util.ArrayList<>(run.adopt(record));
      o.adoptCheckpointing(record);
      if (isTokenModel(run)) {
        differences.addAll(o.text.adopt(record));
      }
      if (!differences.isEmpty()) {
        throw run.usage("--resume: the run in " + dir + " was made with other options: "
            + String.join(", ", differences) + ". Leave these options out to continue the run"
            + " with its own, or start a new run with another --out");
      }
    }
    if (isTokenModel(run)) {
      return GptRun.run(o, folder, o.resume ? folder.recordedOptions() : Map.of(), console);
    }
    if (o.text.anyGiven()) {
      throw run.usage(String.join(", ", o.text.given().keySet()) + ": only for --model gpt"
          + " (a language model trained on a text); --model " + run.modelId() + " trains on"
          + " --data");
    }
    run.check();
    if (o.resume) {
      printContinuing(console, folder.recordedOptions());
    }
    DataSplits data = run.loadData(console);
    SampleModel.Run session = run.newRun();
    Trainer trainer = session.trainer();
    checkShape(run, trainer, data);
    run.checkLastBatch(trainer, data.train().size());
    Normalizer normalizer = run.normalizer();
    if (normalizer != null) {
      normalizer.fit(data.train());
      data = new DataSplits(normalizer.apply(data.train()), normalizer.apply(data.test()),
          data.description(), data.classNames());
      normalizer.attachTo(trainer.trainingState());
    }
    int epochs = run.epochs(trainer);
    int batch = run.batchSize(trainer);
    Checkpointing checkpoints = new Checkpointing(dir.resolve("checkpoints"),
        o.checkpointEvery(), true, o.keepCheckpoints(), o.resume);
    if (o.resume) {
      Optional<Path> latest = checkpoints.latest();
      if (latest.isPresent() && isComplete(trainer, latest.get(), epochs)) {
        console.printf("The run in %s is already complete: its %d epoch(s) are trained (%s)."
            + " Nothing was changed. To train it further, resume with more --epochs, e.g."
            + " --resume --epochs %d%n", dir, epochs, latest.get().getFileName(), epochs + 1);
        return 0;
      }
      console.println(latest.map(p -> "Resuming from " + p).orElse("No checkpoint in "
          + checkpoints.directory() + " yet: starting the run afresh"));
    }
    console.printf(Locale.ROOT, "Training %s: %d epoch(s), batch %d, learning rate %.5g, %,d"
            + " training / %,d test samples; output in %s%n", run.sampleModel().title(), epochs,
        batch, firstRate(trainer, data.train().size(), batch, epochs), data.train().size(),
        data.test().size(), dir);
    long start = System.nanoTime();
    FitResult result;
    Map<String, String> recorded = new java.util.TreeMap<>(run.recorded(trainer));
    recorded.putAll(o.recordedCheckpointing());
    MetricsRecorder metrics = new MetricsRecorder(dir.resolve("metrics.csv"), o.resume, () -> {
      try {
        if (o.overwrite) {
          folder.empty();
        }
        folder.recordOptions(recorded);
      } catch (IOException e) {
        throw new UncheckedIOException("could not prepare " + dir + ": " + e.getMessage(), e);
      }
    });
    try (metrics) {
      ProgressListener progress = new ProgressListener(console, System.console() != null, batch);
      result = session.fit().fit(data.train(), data.test(),
          run.fitOptions().toBuilder().checkpointing(checkpoints).build(), metrics, progress);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    if (result.stoppedEarly()) {
      console.printf(Locale.ROOT, "Early stopping after epoch %d%s%n",
          result.epochs().isEmpty() ? 0 : result.epochs().get(result.epochs().size() - 1)
              .epoch(), result.restoredBest() ? "; restored the parameters of epoch "
              + result.bestEpoch() : "");
    }
    Evaluation test = session.evaluate().evaluate(data.test());
    Report.print(console, String.format(Locale.ROOT, "Test set (%s), after %.1f s of training:",
        data.test().description(), seconds), test, data.classNames());
    String title = run.sampleModel().title();
    int best = result.restoredBest() ? result.bestEpoch() : 0;
    if (metrics.stepCount() == 0) {
      return 0; // nothing trained or recorded: the plots of the run stay as they are
    }
    Plots.loss(dir.resolve("loss.png"), metrics.stepNumbers(), metrics.stepLosses(),
        metrics.epochs(), best);
    Plots.accuracy(dir.resolve("accuracy.png"), metrics.epochs(), best);
    Plots.learningRate(dir.resolve("learning-rate.png"), "Learning rate: " + title,
        metrics.stepNumbers(), metrics.stepRates());
    Plots.confusionMatrix(dir.resolve("confusion-matrix.png"), String.format(Locale.ROOT,
            "Confusion matrix, test set (accuracy %.4f)", test.accuracy()),
        test.confusionMatrix(), data.classNames());
    trainer.save(dir.resolve("checkpoint.kiln"));
    console.printf("Wrote metrics.csv, loss.png, accuracy.png, learning-rate.png,"
        + " confusion-matrix.png and checkpoint.kiln to %s%n", dir);
    return 0;
  }

  /** Says which of the run's recorded options a resume continues with (after every check). */
  static void printContinuing(PrintStream console, Map<String, String> record) {
    if (!record.isEmpty()) {
      StringBuilder s = new StringBuilder();
      record.forEach((k, v) -> {
        if (RunFolder.FIXED.contains(k)) {
          s.append(' ').append(k).append(' ').append(v);
        }
      });
      console.println("Continuing the run with its options:" + s);
    }
  }

  private static boolean isTokenModel(RunOptions run) {
    return SampleModel.ids().contains(run.modelId()) && run.sampleModel().tokens();
  }

  /**
   * Whether the fit checkpoint {@code latest} lies after the last of {@code epochs} epochs (or
   * evaluation intervals), so that resuming it trains nothing. Restores it into {@code trainer}.
   *
   * @throws IOException when the checkpoint cannot be read
   */
  static boolean isComplete(Trainer trainer, Path latest, int epochs) throws IOException {
    trainer.restore(latest);
    Long next = trainer.trainingState().extra("fit.epoch");
    return next != null && next > epochs;
  }

  /** Refuses data whose width or class count the model cannot take, naming both. */
  static void checkShape(RunOptions run, Trainer trainer, DataSplits data) {
    int inputs = trainer.featureBuffer().size(1);
    int outputs = trainer.labelBuffer().size(1);
    if (data.train().featureCount() != inputs || data.train().classCount() != outputs) {
      throw run.usage(String.format(Locale.ROOT, "%s has %d features and %d classes, but --model"
          + " %s (%s) takes %d features and %d classes; choose another --model or"
          + " --data", data.description(), data.train().featureCount(),
          data.train().classCount(), run.modelId(), run.sampleModel().title(), inputs, outputs));
    }
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
