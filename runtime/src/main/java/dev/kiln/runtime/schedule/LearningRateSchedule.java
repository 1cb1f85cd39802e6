package dev.kiln.runtime.schedule;

/**
 * A learning rate per optimizer step, as a closed form in double: {@code rate(t)} is the rate
 * step {@code t} (counted from 0) uses, the value PyTorch's scheduler gives when {@code
 * scheduler.step()} is called once after each {@code optimizer.step()}. Evaluating it changes
 * nothing and allocates nothing, whatever {@code t} and in whatever order: there is no state that
 * accumulates step by step, so there is no drift after millions of steps.
 *
 * <p>The implementations are in {@link dev.kiln.runtime.schedule} (and {@link
 * CosineDecaySchedule}); {@code docs/schedules.md} gives every formula with its PyTorch, Keras and
 * Optax names. Only a schedule driven by what training observes ({@link
 * dev.kiln.runtime.schedule.ReduceOnPlateauSchedule}) has state; it changes only in {@link
 * #endEpoch}, and {@link #state()} / {@link #restoreState} export it for checkpoints. The position
 * of every other schedule is the trainer's iteration.
 */
public interface LearningRateSchedule {
  /** The rate for step {@code t ≥ 0}. */
  double rate(long t);

  /**
   * The optimizer momentum step {@code t} uses, for schedules that cycle it ({@link
   * dev.kiln.runtime.schedule.OneCycleSchedule}); NaN (the default) where the schedule leaves the
   * momentum alone. Changes nothing, allocates nothing.
   */
  default double momentum(long t) {
    return Double.NaN;
  }

  /**
   * Told at the end of each epoch: {@code step} optimizer steps have been taken, and the
   * validation loss is {@code validationLoss} (NaN without validation data). Only stateful
   * schedules react; the default does nothing.
   */
  default void endEpoch(long step, double validationLoss) {}

  /**
   * The schedule's mutable state as a few numbers, for checkpoints; empty (the default) for a
   * closed-form schedule, whose position is the trainer's iteration. The array is a copy.
   */
  default double[] state() {
    return new double[0];
  }

  /**
   * Restores what {@link #state()} returned.
   *
   * @throws IllegalArgumentException if {@code state} does not have the length {@link #state()}
   *     has, or holds values the schedule cannot have
   */
  default void restoreState(double[] state) {
    if (state.length != 0) {
      throw new IllegalArgumentException(getClass().getSimpleName() + " has no state, got "
          + state.length + " numbers");
    }
  }

  /** A constant rate. */
  static LearningRateSchedule constant(double learningRate) {
    return t -> learningRate;
  }
}
