package dev.kiln.runtime.train;

import dev.kiln.runtime.backend.openblas.OpenBlasCore;
import dev.kiln.runtime.data.BatchSource;
import dev.kiln.runtime.data.IteratorSource;
import dev.kiln.runtime.ops.LossKind;
import dev.kiln.runtime.optim.ParameterSnapshot;
import dev.kiln.runtime.tensor.Tensor;

import dev.kiln.runtime.checkpoint.Checkpointing;
import dev.kiln.runtime.checkpoint.TrainingState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import dev.kiln.runtime.data.Batches;
import dev.kiln.runtime.data.Dataset;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The epoch loop and evaluation that generated trainers' {@code fit} and {@code evaluate} use.
 *
 * <p>One epoch: each batch is copied into the trainer's own buffers ({@link
 * Trainer#featureBuffer()}, {@link Trainer#labelBuffer()}) and trained with {@link
 * Trainer#stepBuffered(int)}; nothing is allocated per batch for an in-memory {@link Dataset}.
 * Then the validation data, if any, is evaluated in eval mode, {@link Trainer#endEpoch} is told
 * the validation loss, listeners hear of the epoch, and early stopping (see {@link
 * EarlyStopping}) decides whether to go on.
 */
public final class Training {
  static {
    // Before ND4J loads OpenBLAS, which picks its CPU kernels once (OpenBlasCore).
    OpenBlasCore.select();
  }

  private static final Logger LOG = LoggerFactory.getLogger(Training.class);

  private Training() {}

  /**
   * Trains for {@link Trainer#epochs()} epochs with the configuration's settings: as {@link
   * #fit(Trainer, LossKind, double, Dataset, Dataset, FitOptions, TrainingListener...)} with
   * {@link FitOptions#defaults()}.
   *
   * @return one result per epoch
   */
  public static List<EpochResult> fit(Trainer trainer, LossKind loss, double labelSmoothing,
      Dataset train, Dataset validation, TrainingListener... listeners) {
    return fit(trainer, loss, labelSmoothing, train, validation, FitOptions.defaults(), listeners)
        .epochs();
  }

  /**
   * Trains over mini-batches of {@code train}, shuffled each epoch with the options' seed (as
   * PyTorch's {@code DataLoader(shuffle=True)} with a seeded generator), evaluating {@code
   * validation} after each epoch.
   *
   * @param validation evaluated after each epoch; may be null unless early stopping is set
   * @param options epochs, batch size, shuffling, {@code dropLast}, early stopping; null for the
   *     defaults
   * @throws IllegalArgumentException if a dataset's feature or label count does not fit the
   *     network, a dataset is empty, the batch size exceeds the compiled {@code BATCH_SIZE},
   *     early stopping has no validation data, or the last batch of an epoch would have fewer
   *     rows than the network accepts (one row into batch normalisation in training mode, which
   *     PyTorch refuses too) and {@code dropLast} is off; all before the first step
   */
  public static FitResult fit(Trainer trainer, LossKind loss, double labelSmoothing,
      Dataset train, Dataset validation, FitOptions options, TrainingListener... listeners) {
    FitOptions o = options == null ? FitOptions.defaults() : options;
    checkFits(trainer, train, "train");
    if (validation != null) {
      checkFits(trainer, validation, "validation");
    }
    int batch = batchSize(trainer, o);
    int rest = train.size() % batch;
    if (!o.dropLast() && rest > 0 && rest < trainer.minimumRows()) {
      throw new IllegalArgumentException(dev.kiln.runtime.data.Batches.shortBatchMessage("train data " + train
          + " with batch size " + batch, rest, trainer.minimumRows()));
    }
    Batches batches = new Batches(train, batch, o.shuffle(), o.dropLast(), o.shuffleSeed(trainer));
    if (batches.batchCount() == 0) {
      throw new IllegalArgumentException("train data " + train + " has fewer rows than one batch"
          + " of " + batch + " and dropLast is set: no step to take");
    }
    Validation check = validation == null ? null
        : () -> evaluate(trainer, loss, labelSmoothing, validation);
    return loop(trainer, loss, BatchSource.of(batches), check, o, listeners);
  }

  /**
   * Trains on the batches of a DL4J / ND4J {@link DataSetIterator}, evaluating {@code
   * validation} after each epoch. The iterator's order is kept (the options' shuffle settings do
   * not apply); each of its batches is cut into chunks of at most the batch size. One extra pass
   * before training counts the steps, so the iterator must support {@code reset()}.
   *
   * @param validation evaluated after each epoch; may be null unless early stopping is set
   * @param options null for the defaults
   * @throws IllegalArgumentException as {@link #fit(Trainer, LossKind, double, Dataset, Dataset,
   *     FitOptions, TrainingListener...)}, or if an iterator cannot be reset or a batch has the
   *     wrong shape or a mask
   */
  public static FitResult fit(Trainer trainer, LossKind loss, double labelSmoothing,
      DataSetIterator train, DataSetIterator validation, FitOptions options,
      TrainingListener... listeners) {
    FitOptions o = options == null ? FitOptions.defaults() : options;
    int inputs = trainer.featureBuffer().size(1);
    int outputs = trainer.labelBuffer().size(1);
    BatchSource source = new IteratorSource(train, batchSize(trainer, o), o.dropLast(),
        trainer.minimumRows(), inputs, outputs, "train");
    Validation check = validation == null ? null
        : () -> evaluate(trainer, loss, labelSmoothing, validation);
    return loop(trainer, loss, source, check, o, listeners);
  }

  /** Evaluates the validation data once; a lambda over a dataset, an iterator or token windows. */
  interface Validation {
    Evaluation run();
  }

  private static FitResult loop(Trainer trainer, LossKind loss, BatchSource source,
      Validation validation,
      FitOptions o, TrainingListener[] given) {
    return loop(trainer, loss, source, validation, o, given, true);
  }

  /**
   * The epoch loop over any batch source.
   *
   * @param trainAccuracy whether to count the running training accuracy from the trainer's
   *     output buffer (one label row per sample; not for token models)
   */
  static FitResult loop(Trainer trainer, LossKind loss, BatchSource source,
      Validation validation,
      FitOptions o, TrainingListener[] given, boolean trainAccuracy) {
    TrainingListener[] listeners = given;
    if (o.logging() != null) {
      listeners = java.util.Arrays.copyOf(given, given.length + 1);
      listeners[given.length] = o.logging().copy();
    }
    EarlyStopping stopping = o.earlyStopping();
    if (stopping != null && validation == null) {
      throw new IllegalArgumentException("early stopping on " + stopping.monitor()
          + " needs validation data; pass a validation set to fit");
    }
    ParameterSnapshot best = stopping != null && stopping.restoreBestParameters()
        ? new ParameterSnapshot(trainer.parameters()) : null;
    int epochs = o.epochs(trainer);
    int steps = source.stepsPerEpoch();
    int k = trainer.accumulationSteps(); // batches per optimizer step
    trainer.planRun((long) steps * epochs / k, Math.max(1, steps / k));
    warnAboutPruning(trainer, (long) steps * epochs / k);
    Tensor outputs = trainAccuracy ? trainer.outputBuffer() : null;
    Tensor labels = trainer.labelBuffer();
    int classes = labels.size(1);
    List<EpochResult> results = new ArrayList<>();
    double bestValue = stopping == null ? Double.NaN : stopping.worst();
    int bestEpoch = 0;
    int wait = 0;
    boolean stopped = false;
    Checkpointing checkpoints = o.checkpointing();
    int firstEpoch = 1;
    Position resumeAt = null;
    if (checkpoints != null && checkpoints.resume()) {
      Optional<Path> latest = latest(checkpoints);
      if (latest.isPresent()) {
        restore(trainer, latest.get());
        TrainingState state = trainer.trainingState();
        resumeAt = new Position(extra(state, "fit.epoch", latest.get()),
            extra(state, "fit.epochStartState", latest.get()),
            extra(state, "fit.cursor", latest.get()));
        firstEpoch = (int) resumeAt.epoch();
        bestEpoch = (int) extra(state, "fit.bestEpoch", latest.get());
        wait = (int) extra(state, "fit.wait", latest.get());
        bestValue = Double.longBitsToDouble(extra(state, "fit.bestValue", latest.get()));
        LOG.info("resumed from {} at epoch {}, step {}", latest.get(), firstEpoch,
            trainer.iteration());
      }
    }
    for (int epoch = firstEpoch; epoch <= epochs && !stopped; epoch++) {
      for (TrainingListener listener : listeners) {
        listener.onEpochStart(trainer, epoch, epochs, steps);
      }
      if (resumeAt != null && epoch == firstEpoch) {
        source.resume(resumeAt.epochStartState(), (int) resumeAt.cursor());
      } else {
        source.startEpoch();
      }
      double lossSum = 0;
      long samples = 0;
      long correct = 0;
      long start = System.nanoTime();
      while (source.hasNext()) {
        int n = source.next(trainer.featureBuffer(), labels);
        long skippedBefore = trainer.skippedSteps();
        long iterationBefore = trainer.iteration();
        float stepLoss = trainer.stepBuffered(n);
        if (checkpoints != null && checkpoints.everySteps() > 0
            && trainer.iteration() != iterationBefore
            && trainer.iteration() % checkpoints.everySteps() == 0) {
          save(trainer, checkpoints, new Position(epoch, source.epochStartState(),
              source.cursor()), bestValue, bestEpoch, wait);
        }
        if (trainer.skippedSteps() != skippedBefore) { // non-finite gradients, SKIP_STEP policy
          for (TrainingListener listener : listeners) {
            listener.onSkippedStep(trainer, trainer.iteration(), epoch, trainer.skippedSteps());
          }
          continue;
        }
        lossSum += (double) stepLoss * n;
        samples += n;
        if (outputs != null) {
          for (int r = 0; r < n; r++) {
            if (loss.correct(outputs, labels, r, classes)) {
              correct++;
            }
          }
        }
        for (TrainingListener listener : listeners) {
          listener.onStep(trainer, trainer.iteration(), epoch, stepLoss);
        }
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      Evaluation eval = validation == null ? null : validation.run();
      trainer.endEpoch(epoch, eval == null ? Double.NaN : eval.loss());
      EpochResult result = new EpochResult(epoch, lossSum / Math.max(1, samples), eval, seconds,
          samples / seconds, trainer.learningRate(),
          outputs == null ? Double.NaN : (double) correct / Math.max(1, samples));
      results.add(result);
      for (TrainingListener listener : listeners) {
        listener.onEpochEnd(trainer, result);
      }
      if (stopping != null) {
        double value = stopping.value(eval);
        if (stopping.improves(value, bestValue)) {
          bestValue = value;
          bestEpoch = epoch;
          wait = 0;
          if (best != null) {
            best.capture();
          }
        } else if (++wait >= stopping.patience() && epoch < epochs) {
          stopped = true;
        }
      }
      if (checkpoints != null && checkpoints.atEpochEnd()) {
        save(trainer, checkpoints, new Position(epoch + 1, source.nextEpochState(), 0),
            bestValue, bestEpoch, wait);
      }
    }
    boolean restored = false;
    if (stopped) {
      LOG.debug("early stopping after epoch {}: {} did not improve on {} (epoch {}) for {}"
          + " epoch(s)", results.size(), stopping.monitor(),
          String.format(java.util.Locale.ROOT, "%.4f", bestValue), bestEpoch, stopping.patience());
      if (best != null) {
        best.restore();
        restored = true;
        LOG.debug("restored the parameters of epoch {}", bestEpoch);
      }
    }
    return new FitResult(results, bestEpoch, stopped, restored);
  }

  /**
   * Mean loss, accuracy and the per-class report of the trainer's network in eval mode, in chunks
   * of 1,000 samples.
   *
   * @throws IllegalArgumentException if the dataset does not fit the network or is empty
   */
  public static Evaluation evaluate(Trainer trainer, LossKind loss, double labelSmoothing,
      Dataset data) {
    checkFits(trainer, data, "evaluation");
    int features = data.featureCount();
    int classes = data.classCount();
    Evaluator evaluator = new Evaluator(trainer, loss, labelSmoothing, classes);
    FloatBuffer labels = FloatBuffer.wrap(data.labels());
    for (int start = 0; start < data.size(); start += Evaluator.CHUNK) {
      int n = Math.min(Evaluator.CHUNK, data.size() - start);
      float[] x = new float[n * features];
      System.arraycopy(data.features(), start * features, x, 0, x.length);
      evaluator.add(Nd4j.create(x, new long[] {n, features}, 'c'), labels, start * classes, n);
    }
    return evaluator.result();
  }

  /**
   * As {@link #evaluate(Trainer, LossKind, double, Dataset)} over every batch of a DL4J / ND4J
   * iterator, from its start (it is reset first where it supports that).
   *
   * @throws IllegalArgumentException if a batch has the wrong shape or the iterator is empty
   */
  public static Evaluation evaluate(Trainer trainer, LossKind loss, double labelSmoothing,
      DataSetIterator data) {
    int inputs = trainer.featureBuffer().size(1);
    int classes = trainer.labelBuffer().size(1);
    if (data.resetSupported()) {
      data.reset();
    }
    Evaluator evaluator = new Evaluator(trainer, loss, labelSmoothing, classes);
    while (data.hasNext()) {
      DataSet d = data.next();
      long n = d.getFeatures().size(0);
      if (d.getFeatures().length() != n * inputs || d.getLabels() == null
          || d.getLabels().length() != n * classes) {
        throw new IllegalArgumentException("evaluation iterator: expected features with " + inputs
            + " values and labels with " + classes + " per sample, got "
            + java.util.Arrays.toString(d.getFeatures().shape()) + " and "
            + (d.getLabels() == null ? "none" : java.util.Arrays.toString(d.getLabels().shape())));
      }
      INDArray x = d.getFeatures().reshape('c', n, inputs).castTo(
          org.nd4j.linalg.api.buffer.DataType.FLOAT).dup('c');
      INDArray y = d.getLabels().reshape('c', n, classes).castTo(
          org.nd4j.linalg.api.buffer.DataType.FLOAT).dup('c');
      FloatBuffer labels = Tensor.wrap(y).data();
      for (int start = 0; start < n; start += Evaluator.CHUNK) {
        int rows = (int) Math.min(Evaluator.CHUNK, n - start);
        INDArray chunk = rows == n ? x : x.get(
            org.nd4j.linalg.indexing.NDArrayIndex.interval(start, start + rows),
            org.nd4j.linalg.indexing.NDArrayIndex.all()).dup('c');
        evaluator.add(chunk, labels, start * classes, rows);
      }
    }
    return evaluator.result();
  }

  private static int batchSize(Trainer trainer, FitOptions o) {
    int batch = o.batchSize(trainer);
    if (batch > trainer.batchSize()) {
      throw new IllegalArgumentException("batch size " + batch + " exceeds the compiled"
          + " BATCH_SIZE " + trainer.batchSize() + "; raise batchSize in @TrainingConfig or use"
          + " a smaller batch");
    }
    if (batch < trainer.minimumRows()) {
      throw new IllegalArgumentException("batch size " + batch + " is below the "
          + trainer.minimumRows() + " rows this network takes per step");
    }
    return batch;
  }

  /**
   * Warns when a pruning schedule fixed in optimizer steps does not fit the planned run: it never
   * prunes beyond its initial sparsity, or never reaches its final sparsity.
   */
  static List<String> warnAboutPruning(Trainer trainer, long plannedSteps) {
    List<String> warnings = new ArrayList<>();
    java.util.Map<String, List<String>> layers = new java.util.LinkedHashMap<>();
    java.util.Map<String, dev.kiln.runtime.pruning.PruningSchedule> schedules =
        new java.util.LinkedHashMap<>();
    trainer.pruningSchedules().forEach((layer, s) -> {
      layers.computeIfAbsent(s.toString(), k -> new ArrayList<>()).add(layer);
      schedules.putIfAbsent(s.toString(), s);
    });
    schedules.forEach((key, s) -> {
      String layer = String.join(", ", layers.get(key));
      if (s.held(plannedSteps) <= s.initialSparsity() && s.finalSparsity() > s.initialSparsity()) {
        warnings.add(String.format(java.util.Locale.ROOT, "pruning of %s never starts in this"
            + " run: its schedule prunes from step %d to %d, but the run plans %d optimizer steps,"
            + " so the sparsity stays %.3f. Train longer (more epochs or data) or move the"
            + " schedule's beginStep and endStep into the run", layer, s.beginStep(), s.endStep(),
            plannedSteps, s.initialSparsity()));
      } else if (s.endStep() > plannedSteps) {
        warnings.add(String.format(java.util.Locale.ROOT, "pruning of %s ends at step %d, after"
            + " the %d steps this run plans: it stops at sparsity %.3f instead of %.3f", layer,
            s.endStep(), plannedSteps, s.held(plannedSteps), s.finalSparsity()));
      }
    });
    warnings.stream().distinct().forEach(LOG::warn);
    return warnings;
  }

  /** Where {@code fit} is: the epoch to run (from 1), its shuffle state, the cursor in it. */
  private record Position(long epoch, long epochStartState, long cursor) {}

  private static void save(Trainer trainer, Checkpointing checkpoints, Position at,
      double bestValue, int bestEpoch, int wait) {
    TrainingState state = trainer.trainingState();
    state.setExtra("fit.epoch", at.epoch());
    state.setExtra("fit.epochStartState", at.epochStartState());
    state.setExtra("fit.cursor", at.cursor());
    state.setExtra("fit.bestValue", Double.doubleToRawLongBits(bestValue));
    state.setExtra("fit.bestEpoch", bestEpoch);
    state.setExtra("fit.wait", wait);
    Path file = checkpoints.fileFor(trainer.iteration());
    try {
      trainer.save(file);
      checkpoints.prune();
    } catch (IOException e) {
      throw new UncheckedIOException("could not write checkpoint " + file + ": " + e.getMessage(),
          e);
    }
  }

  private static Optional<Path> latest(Checkpointing checkpoints) {
    try {
      return checkpoints.latest();
    } catch (IOException e) {
      throw new UncheckedIOException("could not list checkpoints in " + checkpoints.directory(),
          e);
    }
  }

  private static void restore(Trainer trainer, Path file) {
    try {
      trainer.restore(file);
    } catch (IOException e) {
      throw new UncheckedIOException("could not resume from " + file + ": " + e.getMessage(), e);
    }
  }

  private static long extra(TrainingState state, String name, Path file) {
    Long v = state.extra(name);
    if (v == null) {
      throw new IllegalStateException(file + " holds no fit position (" + name + "): it was"
          + " saved outside fit; restore it with trainer.restore and call fit without resume");
    }
    return v;
  }

  private static void checkFits(Trainer trainer, Dataset data, String what) {
    int inputs = trainer.featureBuffer().size(1);
    int outputs = trainer.labelBuffer().size(1);
    if (data.featureCount() != inputs || data.classCount() != outputs) {
      throw new IllegalArgumentException(what + " data has " + data.featureCount()
          + " features and " + data.classCount() + " label columns; the network expects "
          + inputs + " and " + outputs);
    }
    if (data.size() == 0) {
      throw new IllegalArgumentException(what + " data is empty");
    }
  }
}
