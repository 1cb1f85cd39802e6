package dev.kiln.runtime.schedule;

import dev.kiln.runtime.schedule.LearningRateSchedule;

/**
 * A schedule stepped once per epoch: {@code rate(t) = inner.rate(floor(t/stepsPerEpoch))}, what
 * PyTorch gives when {@code scheduler.step()} is called after each epoch rather than each batch.
 * Momentum, end of epoch and state go to the inner schedule (with the step count in epochs).
 */
public final class PerEpochSchedule implements LearningRateSchedule {
  private final LearningRateSchedule inner;
  private final long stepsPerEpoch;

  /**
   * @param stepsPerEpoch optimizer steps per epoch, at least 1
   * @throws IllegalArgumentException if {@code stepsPerEpoch < 1}
   */
  public PerEpochSchedule(LearningRateSchedule inner, long stepsPerEpoch) {
    if (inner == null) {
      throw new NullPointerException("inner");
    }
    this.inner = inner;
    this.stepsPerEpoch = Checks.atLeast(stepsPerEpoch, 1, "stepsPerEpoch");
  }

  @Override
  public double rate(long t) {
    return inner.rate(Checks.step(t) / stepsPerEpoch);
  }

  @Override
  public double momentum(long t) {
    return inner.momentum(Checks.step(t) / stepsPerEpoch);
  }

  @Override
  public void endEpoch(long step, double validationLoss) {
    inner.endEpoch(step / stepsPerEpoch, validationLoss);
  }

  @Override
  public double[] state() {
    return inner.state();
  }

  @Override
  public void restoreState(double[] state) {
    inner.restoreState(state);
  }
}
