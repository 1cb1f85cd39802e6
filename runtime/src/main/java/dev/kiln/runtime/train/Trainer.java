package dev.kiln.runtime.train;

import dev.kiln.runtime.optim.Optimizer;
import dev.kiln.runtime.schedule.LearningRateSchedule;
import dev.kiln.runtime.tensor.Tensor;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What every generated trainer offers, so that runtime loops ({@link Training#fit}) can drive any
 * of them. Generated trainers add typed accessors for their network.
 */
public interface Trainer {
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
   * For previews: see {@code dev.kiln.runtime.schedule.Schedules.curve(Trainer, int, int)}.
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
}
