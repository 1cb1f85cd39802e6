package dev.kiln.runtime.train;

import dev.kiln.runtime.data.Dataset;
import dev.kiln.runtime.ops.LossKind;
import dev.kiln.runtime.schedule.LearningRateSchedule;
import dev.kiln.runtime.tensor.Tensor;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

/**
 * What every generated trainer offers, so that runtime loops ({@link Training#fit}) and generic
 * code can drive any of them: {@code fit} and {@code evaluate} here use the trainer's own {@link
 * #loss()}. Generated trainers extend {@link AbstractTrainer} and add typed accessors for their
 * network.
 */
public interface Trainer {
  /** The loss the trainer minimises, from its training configuration. */
  LossKind loss();

  /** Label smoothing of the softmax cross-entropy, in [0, 1); 0 (none) by default. */
  default double labelSmoothing() {
    return 0;
  }

  /**
   * Trains for {@link #epochs()} epochs over shuffled mini-batches of {@code train} (seeded by
   * {@link #seed()}), evaluating on {@code validation} (may be null) after each epoch.
   *
   * @return one result per epoch
   * @throws IllegalArgumentException if the data does not fit the network, or the last batch
   *     would be too small for batch normalisation (use the {@code FitOptions} overload with
   *     {@code dropLast})
   */
  default List<EpochResult> fit(Dataset train, Dataset validation,
      TrainingListener... listeners) {
    return Training.fit(this, loss(), labelSmoothing(), train, validation, listeners);
  }

  /**
   * Trains as {@code options} say (epochs, batch size up to {@link #batchSize()}, shuffle seed,
   * {@code dropLast}, early stopping, checkpoints), evaluating on {@code validation} after each
   * epoch.
   *
   * @param options null for the configuration's settings
   * @return the epochs run and what early stopping did
   * @throws IllegalArgumentException as the other overload, or for options the network cannot
   *     take, before the first step
   */
  default FitResult fit(Dataset train, Dataset validation, FitOptions options,
      TrainingListener... listeners) {
    return Training.fit(this, loss(), labelSmoothing(), train, validation, options, listeners);
  }

  /**
   * Trains a token model on random windows of a corpus, estimating the validation loss after
   * each interval of {@code train.stepsPerEpoch()} batches: see {@link TokenTraining#fit}.
   *
   * @param validation may be null unless early stopping is set
   * @param options intervals ({@code epochs}), early stopping, checkpoints; null for the
   *     configuration's
   * @return the intervals run and what early stopping did
   * @throws IllegalArgumentException as {@link TokenTraining#fit}, before the first step
   */
  default FitResult fit(dev.kiln.runtime.data.TokenBatches train, TokenValidation validation,
      FitOptions options, TrainingListener... listeners) {
    return TokenTraining.fit(this, train, validation, options, listeners);
  }

  /**
   * Trains for {@link #epochs()} epochs on the batches of a DL4J / ND4J iterator, in its order
   * (batches larger than {@link #batchSize()} are cut), evaluating on {@code validation} (may be
   * null) after each epoch. The iterator must support {@code reset()}.
   *
   * @return one result per epoch
   */
  default List<EpochResult> fit(DataSetIterator train, DataSetIterator validation,
      TrainingListener... listeners) {
    return Training.fit(this, loss(), labelSmoothing(), train, validation, null, listeners)
        .epochs();
  }

  /**
   * Trains on the batches of a DL4J / ND4J iterator as {@code options} say (shuffling is the
   * iterator's own).
   *
   * @param options null for the configuration's settings
   * @return the epochs run and what early stopping did
   */
  default FitResult fit(DataSetIterator train, DataSetIterator validation, FitOptions options,
      TrainingListener... listeners) {
    return Training.fit(this, loss(), labelSmoothing(), train, validation, options, listeners);
  }

  /**
   * Loss, accuracy, per-class precision / recall / F1 and the confusion matrix of the network in
   * eval mode on {@code data}.
   */
  default Evaluation evaluate(Dataset data) {
    return Training.evaluate(this, loss(), labelSmoothing(), data);
  }

  /**
   * Loss, accuracy, per-class precision / recall / F1 and the confusion matrix of the network in
   * eval mode on the batches of {@code data}.
   */
  default Evaluation evaluate(DataSetIterator data) {
    return Training.evaluate(this, loss(), labelSmoothing(), data);
  }

  /**
   * One optimizer step on a batch. Generated trainers read contiguous row-major features in place
   * during the step (no copy; the array is not changed) and copy other layouts and the labels
   * into {@link #featureBuffer()} and {@link #labelBuffer()}.
   *
   * @param features {@code [n, inputs]} float32, {@code 1 ≤ n ≤ batchSize}
   * @param labels {@code [n, outputs]} float32, one-hot or soft
   * @return the batch's mean data loss (no regularization term)
   * @throws IllegalArgumentException for a wrong shape or dtype, before any state changes
   */
  float step(INDArray features, INDArray labels);

  /**
   * One optimizer step on the first {@code n} rows already written into {@link #featureBuffer()}
   * and {@link #labelBuffer()}: the path {@code fit} uses, with no copy.
   */
  float stepBuffered(int n);

  /** The trainer's own input buffer {@code [batchSize, inputs]}. */
  Tensor featureBuffer();

  /** The trainer's own label buffer {@code [batchSize, outputs]}. */
  Tensor labelBuffer();

  /** The rate the next step will use. */
  double learningRate();

  /**
   * The trainer's live learning-rate schedule: {@code schedule().rate(iteration())} is {@link
   * #learningRate()}. Reading rates changes nothing; {@link LearningRateSchedule#state()} and
   * {@link LearningRateSchedule#restoreState} carry a stateful schedule ({@code ReduceOnPlateau})
   * through checkpoints. By default a constant schedule at the current rate.
   */
  default LearningRateSchedule schedule() {
    return LearningRateSchedule.constant(learningRate());
  }

  /**
   * The rate step {@code step} (from 0) will use as far as is known now, without changing any
   * state: {@code schedule().rate(step)}.
   *
   * @throws IllegalStateException if the schedule's length is {@code AUTO} or counted in epochs
   *     and the run has not been planned ({@link #planRun}, which {@code fit} calls)
   */
  default double learningRateAt(long step) {
    return schedule().rate(step);
  }

  /**
   * A new schedule as this trainer would build it for a run of {@code totalSteps} optimizer steps
   * with {@code stepsPerEpoch} per epoch, from its current base rate; the trainer is not changed.
   * For previews: see {@link #scheduleCurve(int, int)}.
   *
   * @throws IllegalArgumentException unless both counts are at least 1
   */
  default LearningRateSchedule scheduleFor(long totalSteps, int stepsPerEpoch) {
    return schedule();
  }

  /** Optimizer steps taken so far. */
  long iteration();

  /**
   * The norm of the last optimizer step's gradients before clipping, over every updated
   * parameter: of the clipping's {@code normType} with {@code @ClipGradNorm}, else L2 (with
   * accumulation, of the averaged gradients). NaN or infinite when the last batch was rejected for
   * non-finite gradients.
   */
  double lastGradientNorm();

  /**
   * Batches skipped so far because a gradient held NaN or an infinity ({@code onNonFinite =
   * SKIP_STEP}); 0 for other policies. {@code fit} tells its listeners of each ({@link
   * TrainingListener#onSkippedStep}).
   */
  default long skippedSteps() {
    return 0;
  }

  /**
   * Batches whose gradients are averaged into one optimizer step ({@code @TrainingConfig(
   * accumulationSteps)}); 1 by default. {@link #stepBuffered} then updates the parameters and
   * counts an iteration on every {@code accumulationSteps()}-th batch only.
   */
  default int accumulationSteps() {
    return 1;
  }

  /** The largest batch. */
  int batchSize();

  /** Epochs {@code fit} runs, from the training configuration. */
  int epochs();

  /**
   * The fewest rows a training step accepts: 2 for a network with batch normalisation (its
   * unbiased running variance needs two samples, as PyTorch), else 1.
   */
  default int minimumRows() {
    return 1;
  }

  /**
   * Told by {@code fit} before its first step how long the run is, so schedules whose length is
   * {@code AUTO} or counted in epochs can be built. Does nothing by default.
   *
   * @param totalSteps optimizer steps the whole run will take
   * @param stepsPerEpoch optimizer steps per epoch
   */
  default void planRun(long totalSteps, int stepsPerEpoch) {}

  /**
   * Told by {@code fit} after each epoch, with the validation loss (NaN without validation data):
   * what {@code ReduceOnPlateau} reacts to. Does nothing by default.
   *
   * @param epoch the epoch just finished, from 1
   */
  default void endEpoch(int epoch, double validationLoss) {}

  /**
   * Replaces the configuration's base learning rate {@code lr0} (a command-line override); the
   * schedule then scales the new base.
   *
   * @throws IllegalArgumentException unless {@code learningRate} is positive and finite
   */
  void setBaseLearningRate(double learningRate);

  /**
   * The whole training state (parameters, batch-norm statistics, optimizer buffers, schedule,
   * counters, random-generator states) that {@link #save} and {@link #restore} use; {@code fit}
   * keeps its position in the epoch here too.
   */
  dev.kiln.runtime.checkpoint.TrainingState trainingState();

  /**
   * Writes the whole training state to {@code file} atomically (see {@code
   * dev.kiln.runtime.checkpoint.CheckpointFile}).
   *
   * @throws java.io.IOException if writing fails; a previous file is then intact
   */
  default void save(java.nio.file.Path file) throws java.io.IOException {
    trainingState().save(file);
  }

  /**
   * Restores the whole training state from {@code file}, all or nothing.
   *
   * @throws dev.kiln.runtime.checkpoint.CheckpointException if the file is truncated, corrupted,
   *     or written for another model or configuration; the trainer is then unchanged
   */
  default void restore(java.nio.file.Path file) throws java.io.IOException {
    trainingState().restore(file);
  }

  /** The configuration's seed. */
  long seed();

  /** Eval-mode forward pass of the trained network: {@code [n, inputs]} to {@code [n, outputs]}. */
  INDArray predict(INDArray features);

  /**
   * The network's parameters and batch-norm running statistics as live views, by name ({@code
   * <field>.weight}, {@code .bias}, {@code .gamma}, {@code .beta}, {@code .runningMean}, {@code
   * .runningVar}), in network order: what early stopping copies and restores. Generated trainers
   * return their network's {@code parameters()}.
   *
   * @throws UnsupportedOperationException by default, for trainers that do not expose them
   */
  default java.util.Map<String, INDArray> parameters() {
    throw new UnsupportedOperationException(getClass().getName()
        + " does not expose its network's parameters");
  }

  /**
   * The buffer holding the network's outputs {@code [batchSize, outputs]} (the logits, before the
   * loss) of the last training step, rows {@code 0..n-1}; read by {@code fit} for the running
   * training accuracy. Null by default: {@code fit} then reports no training accuracy.
   */
  default Tensor outputBuffer() {
    return null;
  }

  /**
   * With {@code @Prune}: the fraction of each pruned layer's dense weights that its mask prunes,
   * by layer name in network order (a new map, for reports: not for the training step). Empty by
   * default, for a trainer that does not prune.
   */
  default java.util.Map<String, Double> sparsity() {
    return java.util.Map.of();
  }

  /**
   * With {@code @Prune}: the fraction of pruned entries over all pruned weights together. NaN by
   * default, for a trainer that does not prune.
   */
  default double overallSparsity() {
    return Double.NaN;
  }

  /**
   * With {@code @Prune}: each pruned layer's schedule, by layer name; {@code fit} warns when a
   * schedule would not prune within the planned run. Empty by default.
   */
  default java.util.Map<String, dev.kiln.runtime.pruning.PruningSchedule> pruningSchedules() {
    return java.util.Map.of();
  }
  /**
   * The rate of each of the {@code totalSteps} steps of a run of the trainer's configuration with
   * {@code stepsPerEpoch} batches per epoch (for {@code fit}: {@code ceil(samples/batchSize)}, less
   * a last batch below the trainer's minimum rows), from a fresh schedule: the trainer is not
   * changed. What a command line plots before training. A {@code ReduceOnPlateau} schedule shows
   * its starting rate, since its reductions depend on the run.
   *
   * @throws IllegalArgumentException unless both counts are at least 1, or where the configuration
   *     cannot run that long (a warm-up longer than the run)
   */
  default double[] scheduleCurve(int totalSteps, int stepsPerEpoch) {
    dev.kiln.runtime.schedule.Schedules.checkPlan(totalSteps, stepsPerEpoch);
    return dev.kiln.runtime.schedule.Schedules.curve(scheduleFor(totalSteps, stepsPerEpoch),
        totalSteps);
  }
}
