package dev.kiln.runtime.schedule;

import dev.kiln.runtime.schedule.LearningRateSchedule;

/**
 * Step decay, {@code lr(t) = lr0·gamma^floor(t/stepSize)}: PyTorch's {@code StepLR(step_size,
 * gamma)} (closed form of its recursion).
 */
public final class StepDecaySchedule implements LearningRateSchedule {
  private final double base;
  private final long stepSize;
  private final double gamma;

  /**
   * @param base {@code lr0}
   * @param stepSize steps between decays, at least 1
   * @param gamma factor per decay, in (0, 1]
   * @throws IllegalArgumentException for a value out of range
   */
  public StepDecaySchedule(double base, long stepSize, double gamma) {
    this.base = base;
    this.stepSize = Checks.atLeast(stepSize, 1, "stepSize");
    this.gamma = Checks.inRange(gamma, 0, true, 1, false, "gamma");
  }

  @Override
  public double rate(long t) {
    return base * Math.pow(gamma, Checks.step(t) / stepSize);
  }
}
