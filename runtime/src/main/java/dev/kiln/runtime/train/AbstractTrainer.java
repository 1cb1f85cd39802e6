package dev.kiln.runtime.train;

import dev.kiln.runtime.checkpoint.Fingerprint;
import dev.kiln.runtime.checkpoint.TrainingState;
import dev.kiln.runtime.ops.LossKind;
import dev.kiln.runtime.schedule.LearningRateSchedule;
import dev.kiln.runtime.schedule.Schedules;
import java.util.Arrays;
import java.util.Objects;

/**
 * What every generated trainer has in common, written once: the configuration's constants, the
 * step and gradient-norm counters, the training state (checkpoints), and the learning-rate
 * schedule's control (base rate, planned run, rebuilding on a new base, replanning, checkpoint
 * state). A generated trainer extends it and adds what is specific: its buffers, one forward and
 * one backward method per layer, the step in DESIGN.md's order, and {@link #newSchedule}, the
 * schedule's one expression. {@code fit} and {@code evaluate} come from {@link Trainer}.
 */
public abstract class AbstractTrainer implements Trainer {
  /**
   * The configuration a generated trainer hands to its base.
   *
   * @param batchSize the largest batch, at least 1
   * @param epochs epochs {@code fit} runs, at least 1
   * @param seed seed of shuffling and dropout
   * @param minimumRows the fewest rows a step accepts (2 with batch normalisation)
   * @param loss the loss the trainer minimises
   * @param labelSmoothing label smoothing of the softmax cross-entropy, in [0, 1)
   * @param baseLearningRate the base rate {@code lr0} the schedule scales (OneCycle: its peak)
   * @param plannedSchedule whether the schedule needs the run's length ({@link #planRun})
   * @param fingerprint what a checkpoint must match (see {@link TrainingState})
   */
  public record Config(int batchSize, int epochs, long seed, int minimumRows, LossKind loss,
      double labelSmoothing, double baseLearningRate, boolean plannedSchedule,
      Fingerprint fingerprint) {
    public Config {
      Objects.requireNonNull(loss, "loss");
      Objects.requireNonNull(fingerprint, "fingerprint");
    }
  }

  private final Config config;
  private double baseLearningRate;
  private long plannedSteps = -1;
  private int plannedStepsPerEpoch;
  private LearningRateSchedule schedule;
  /** What {@code save} writes and {@code restore} reads; the subclass registers its arrays. */
  protected final TrainingState trainingState;
  /** Optimizer steps taken so far; the step increments it. */
  protected long iteration;
  /** The pre-clip gradient norm of the last step; the step sets it. */
  protected double lastGradientNorm;

  /**
   * Builds the schedule through {@link #newSchedule}, which must therefore use only its arguments
   * and constants (generated ones do): it runs before the subclass's fields are set.
   */
  protected AbstractTrainer(Config config) {
    this.config = Objects.requireNonNull(config, "config");
    this.baseLearningRate = config.baseLearningRate();
    this.schedule = newSchedule(baseLearningRate, -1, 0);
    this.trainingState = new TrainingState(config.fingerprint());
  }

  /**
   * The schedule from {@code base} for a run of {@code totalSteps} steps, {@code stepsPerEpoch}
   * per epoch. Before a planned schedule's run is known {@code totalSteps} is negative: the
   * schedule is then {@code Schedules.unplanned()}. Schedules that do not need the run ignore both
   * counts. Must not read instance fields (see the constructor).
   */
  protected abstract LearningRateSchedule newSchedule(double base, long totalSteps,
      int stepsPerEpoch);

  @Override
  public final double learningRate() {
    return schedule.rate(iteration);
  }

  @Override
  public final LearningRateSchedule schedule() {
    return schedule;
  }

  @Override
  public final LearningRateSchedule scheduleFor(long totalSteps, int stepsPerEpoch) {
    Schedules.checkPlan(totalSteps, stepsPerEpoch);
    return newSchedule(baseLearningRate, totalSteps, stepsPerEpoch);
  }

  /**
   * Replaces the base learning rate (for OneCycle, the cycle's peak); the schedule is rebuilt on
   * the new base (a plateau schedule starts over).
   *
   * @throws IllegalArgumentException unless positive and finite, before anything changes
   */
  @Override
  public final void setBaseLearningRate(double learningRate) {
    if (!(learningRate > 0 && Double.isFinite(learningRate))) {
      throw new IllegalArgumentException("learning rate must be positive and finite, got "
          + learningRate);
    }
    baseLearningRate = learningRate;
    schedule = newSchedule(baseLearningRate, plannedSteps, plannedStepsPerEpoch);
  }

  /**
   * For a schedule that needs the run's length: builds it for {@code totalSteps} optimizer steps,
   * {@code stepsPerEpoch} per epoch ({@code fit} calls this before its first step); then gives the
   * run's length to {@link #planParts} (a pruning schedule in fractions of the run). Otherwise
   * nothing.
   *
   * @throws IllegalArgumentException unless both counts are at least 1, or if the run is too short
   *     for the schedule
   */
  @Override
  public final void planRun(long totalSteps, int stepsPerEpoch) {
    if (!config.plannedSchedule() && !plansParts()) {
      return;
    }
    Schedules.checkPlan(totalSteps, stepsPerEpoch);
    if (config.plannedSchedule()) {
      LearningRateSchedule next = newSchedule(baseLearningRate, totalSteps, stepsPerEpoch);
      schedule = Schedules.replan(schedule, next);
    }
    plannedSteps = totalSteps;
    plannedStepsPerEpoch = stepsPerEpoch;
    planParts(totalSteps, stepsPerEpoch);
  }

  /**
   * Whether parts other than the learning-rate schedule need the run's length ({@link
   * #planParts}); false unless a generated trainer overrides it.
   */
  protected boolean plansParts() {
    return false;
  }

  /**
   * Gives the run's length to the parts that need it besides the learning-rate schedule (a
   * pruning schedule in fractions of the run); called by {@link #planRun} and again when a
   * checkpoint restores a planned run. Nothing unless a generated trainer overrides it.
   */
  protected void planParts(long totalSteps, int stepsPerEpoch) {}

  /** Lets a plateau schedule see the epoch's validation loss (others ignore it). */
  @Override
  public final void endEpoch(int epoch, double validationLoss) {
    schedule.endEpoch(iteration, validationLoss);
  }

  /** Base rate, planned run and the schedule's own state, for checkpoints. */
  protected final double[] scheduleState() {
    double[] own = schedule.state();
    double[] all = new double[3 + own.length];
    all[0] = baseLearningRate;
    all[1] = plannedSteps;
    all[2] = plannedStepsPerEpoch;
    System.arraycopy(own, 0, all, 3, own.length);
    return all;
  }

  /** Inverse of {@link #scheduleState}. */
  protected final void restoreScheduleState(double[] all) {
    setBaseLearningRate(all[0]);
    if (all[1] >= 0) {
      planRun((long) all[1], (int) all[2]);
    }
    schedule.restoreState(Arrays.copyOfRange(all, 3, all.length));
  }

  @Override
  public final TrainingState trainingState() {
    return trainingState;
  }

  @Override
  public final long iteration() {
    return iteration;
  }

  @Override
  public final double lastGradientNorm() {
    return lastGradientNorm;
  }

  @Override
  public final int batchSize() {
    return config.batchSize();
  }

  @Override
  public final int epochs() {
    return config.epochs();
  }

  @Override
  public final long seed() {
    return config.seed();
  }

  @Override
  public final int minimumRows() {
    return config.minimumRows();
  }

  @Override
  public final LossKind loss() {
    return config.loss();
  }

  @Override
  public final double labelSmoothing() {
    return config.labelSmoothing();
  }
}
