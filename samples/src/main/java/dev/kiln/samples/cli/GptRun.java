package dev.kiln.samples.cli;

import dev.kiln.runtime.checkpoint.Checkpointing;
import dev.kiln.runtime.data.CharCorpus;
import dev.kiln.runtime.data.CharVocabulary;
import dev.kiln.runtime.data.TokenBatches;
import dev.kiln.runtime.train.EarlyStopping;
import dev.kiln.runtime.train.FitOptions;
import dev.kiln.runtime.train.FitResult;
import dev.kiln.runtime.train.TokenValidation;
import dev.kiln.samples.CharGpt;
import dev.kiln.samples.CharGptNetwork;
import dev.kiln.samples.CharGptTrainingTrainer;
import dev.kiln.samples.TinyShakespeare;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * {@code train --model gpt}: trains {@link CharGpt} on a text as nanoGPT's CPU run (random
 * windows of the first 90 %, {@code --iterations} steps, the validation loss estimated every
 * {@code --eval-every} iterations on {@code --eval-batches} random batches of the last 10 %), with
 * the runtime's token {@code fit} ({@link dev.kiln.runtime.train.TokenTraining}). It writes into
 * {@code --out} what {@code train} writes for the other models: {@code options.properties}, {@code
 * metrics.csv} (a {@code step} row per iteration; an {@code epoch} row per evaluation, whose
 * "epoch" is the evaluation's number, with the validation loss in nats per character and the
 * next-character accuracy), {@code loss.png}, {@code accuracy.png}, {@code learning-rate.png},
 * {@code checkpoints/} (one per evaluation, and every {@code --checkpoint-every} steps) and the
 * final {@code checkpoint.kiln}. {@code --resume} continues from the newest checkpoint exactly.
 *
 * <p>Every checkpoint carries the text's characters ({@link CharVocabulary#attachTo}): restore
 * one into a {@link CharGptTrainingTrainer} and read them with {@link CharVocabulary#from} to
 * encode prompts and decode samples as this run did.
 */
final class GptRun {
  private GptRun() {}

  /** The options that do not apply to a token model, with what to use instead. */
  private static final Map<String, String> NOT_FOR_TEXT = Map.of(
      "--data", "--text FILE", "--test-data", "--text FILE (its last 10% validates)",
      "--csv-label", "--text FILE", "--csv-no-header", "--text FILE", "--normalize",
      "nothing (token ids are not normalised)", "--drop-last", "nothing (every batch is full)",
      "--epochs", "--iterations N");

  /** CharGptTraining's {@code @Warmup} steps (named in the refusal of a too short run). */
  static final int WARMUP_STEPS = 100;

  /** Runs {@code train} for a token model; {@code o.run} has adopted a resumed run's options. */
  static int run(TrainOptions o, RunFolder folder, Map<String, String> record, PrintStream console)
      throws IOException {
    RunOptions run = o.run;
    TextOptions text = o.text;
    Path dir = folder.dir();
    Map<String, String> typed = run.given();
    for (Map.Entry<String, String> e : new TreeMap<>(NOT_FOR_TEXT).entrySet()) {
      if (typed.containsKey(e.getKey()) || e.getKey().equals("--data") && run.embedded()) {
        throw run.usage((e.getKey().equals("--data") && run.embedded() ? "--embedded"
            : e.getKey()) + " does not apply to --model " + run.modelId() + ", which trains on a"
            + " text; use " + e.getValue());
      }
    }
    run.check();
    checkCounts(run, text);
    SampleModel.Run session = run.newRun();
    CharGptTrainingTrainer trainer = (CharGptTrainingTrainer) session.trainer();
    CharGptNetwork network = trainer.network();
    int intervals = text.iterations() / text.evalEvery();
    double[] rates;
    try { // before the text is read: every option is checked first
      rates = trainer.scheduleCurve(text.iterations(), text.evalEvery());
    } catch (IllegalArgumentException e) {
      throw run.usage("--iterations " + text.iterations() + ": " + e.getMessage());
    }
    if (o.resume) { // TrainCommand has adopted the run's recorded options: all checked now
      TrainCommand.printContinuing(console, record);
      StringBuilder s = new StringBuilder("Continuing the run with its text options:");
      text.recorded().forEach((k, v) -> s.append(' ').append(k).append(' ').append(v));
      console.println(s);
    }
    CharCorpus corpus = TinyShakespeare.load(text.text);
    CharVocabulary characters = corpus.characters();
    if (characters.size() > CharGpt.VOCABULARY) {
      throw run.usage(String.format(Locale.ROOT, "--text %s has %d distinct characters, but"
          + " CharGpt is compiled for a vocabulary of at most %d (Tiny Shakespeare's); use a"
          + " text with fewer distinct characters", text.text, characters.size(),
          CharGpt.VOCABULARY));
    }
    int t = CharGpt.CONTEXT;
    if (corpus.validation().length() < t + 1 || corpus.train().length() < t + 1) {
      throw run.usage(String.format(Locale.ROOT, "--text %s is too short: %,d characters give"
          + " %,d for training and %,d for validation, and each needs at least %d (a window of"
          + " %d and its next character)", text.text, corpus.length(), corpus.train().length(),
          corpus.validation().length(), t + 1, t));
    }
    console.printf(Locale.ROOT, "Text: %s, %,d characters (%,d training, %,d validation), %s%n",
        corpus.source(), corpus.length(), corpus.train().length(), corpus.validation().length(),
        characters);

    int n = run.batchSize(trainer);
    long seed = run.seed != null ? run.seed : run.sampleModel().defaultSeed();
    Checkpointing checkpoints = new Checkpointing(dir.resolve("checkpoints"),
        o.checkpointEvery(), true, o.keepCheckpoints(), o.resume);
    if (o.resume) {
      Optional<Path> latest = checkpoints.latest();
      if (latest.isPresent()) {
        // read the run's characters before fit restores the same file
        boolean complete = TrainCommand.isComplete(trainer, latest.get(), intervals);
        CharVocabulary saved = CharVocabulary.from(trainer.trainingState()).orElse(null);
        if (saved != null && !saved.equals(characters)) {
          throw run.usage("--resume: " + corpus.source() + " now has " + characters + ", but"
              + " the run was trained with " + saved + "; give the run's text");
        }
        if (complete) {
          console.printf("The run in %s is already complete: its %d iterations are trained"
              + " (%s). Nothing was changed. To train it further, resume with more --iterations"
              + " (a multiple of --eval-every %d), e.g. --resume --iterations %d%n", dir,
              text.iterations(), latest.get().getFileName(), text.evalEvery(),
              text.iterations() + text.evalEvery());
          return 0;
        }
      }
      console.println(latest.map(p -> "Resuming from " + p).orElse("No checkpoint in "
          + checkpoints.directory() + " yet: starting the run afresh"));
    }
    characters.attachTo(trainer.trainingState());

    TokenBatches batches = new TokenBatches(corpus.train(), n, t, text.evalEvery(), seed);
    CharGptNetwork.EvalBuffers buffers = network.evalBuffers(n);
    TokenValidation validation = new TokenValidation(corpus.validation(), text.evalBatches(), n,
        t, CharGpt.VOCABULARY, 0, (ids, rows, length, logits) ->
        network.forwardEval(ids, rows, length, logits, buffers));
    FitOptions.Builder options = FitOptions.builder().epochs(intervals).logging(null)
        .checkpointing(checkpoints);
    if (run.patience != null) {
      options.earlyStopping(EarlyStopping.onValidationLoss(run.patience));
    }
    double peak = java.util.Arrays.stream(rates).max().orElse(rates[0]);
    console.printf(Locale.ROOT, "Training %s: %,d iterations of %d x %d characters, learning"
            + " rate %.2e (warm-up start), %.2e (peak), %.2e (final); validation loss every %d"
            + " iterations on %d batches; output in %s%n", run.sampleModel().title(),
        text.iterations(), n, t, rates[0], peak, rates[rates.length - 1],
        text.evalEvery(), text.evalBatches(), dir);

    Map<String, String> recorded = recorded(run, text, n, seed);
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
    long start = System.nanoTime();
    FitResult result;
    try (metrics) {
      GptProgress progress = new GptProgress(console, System.console() != null, n, t,
          text.evalEvery(), text.iterations());
      result = trainer.fit(batches, validation, options.build(), metrics, progress);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    List<MetricsRecorder.EpochRow> evaluations = metrics.epochs();
    if (!evaluations.isEmpty()) {
      MetricsRecorder.EpochRow last = evaluations.get(evaluations.size() - 1);
      console.printf(Locale.ROOT, "Validation loss %.4f nats/char (next-character accuracy %.4f)"
          + " after %,d iterations; %.1f s in this session%n", last.validationLoss(),
          last.validationAccuracy(), last.step(), seconds);
    }
    if (result.stoppedEarly()) {
      console.printf(Locale.ROOT, "Early stopping after %d evaluations%s%n",
          result.epochs().size(), result.restoredBest() ? "; restored the parameters of"
              + " evaluation " + result.bestEpoch() : "");
    }
    String title = run.sampleModel().title();
    int best = result.restoredBest() ? result.bestEpoch() : 0;
    if (metrics.stepCount() == 0) {
      return 0; // nothing trained or recorded: the plots of the run stay as they are
    }
    Plots.save(Plots.lossChart(metrics.stepNumbers(), metrics.stepLosses(), evaluations, best,
        true), dir.resolve("loss.png"));
    Plots.save(Plots.accuracyChart(evaluations, best, true), dir.resolve("accuracy.png"));
    Plots.learningRate(dir.resolve("learning-rate.png"), "Learning rate: " + title,
        metrics.stepNumbers(), metrics.stepRates());
    trainer.save(dir.resolve("checkpoint.kiln"));
    console.printf("Wrote metrics.csv, loss.png, accuracy.png, learning-rate.png and"
        + " checkpoint.kiln (with the text's %d characters) to %s%n", characters.size(), dir);
    return 0;
  }

  /** Refuses iteration counts that make no run, naming the option. */
  private static void checkCounts(RunOptions run, TextOptions text) {
    if (text.iterations() < 1) {
      throw run.usage("--iterations " + text.iterations() + ": a run needs more steps than"
          + " CharGptTraining's " + WARMUP_STEPS + " warm-up steps (@Warmup): give at least "
          + (WARMUP_STEPS + 1));
    }
    if (text.evalEvery() < 1 || text.iterations() % text.evalEvery() != 0) {
      throw run.usage("--eval-every " + text.evalEvery() + ": give a positive divisor of"
          + " --iterations " + text.iterations() + " (the run is a whole number of evaluation"
          + " intervals)");
    }
    if (text.evalBatches() < 1) {
      throw run.usage("--eval-batches " + text.evalBatches() + ": estimate the validation loss"
          + " on at least 1 batch");
    }
  }

  /** What the run records in {@code options.properties}. */
  private static Map<String, String> recorded(RunOptions run, TextOptions text, int n,
      long seed) {
    Map<String, String> m = new TreeMap<>(run.given());
    m.putAll(text.recorded());
    m.put("--model", run.modelId());
    m.put("--batch-size", Integer.toString(n));
    m.put("--seed", Long.toString(seed));
    return m;
  }
}
