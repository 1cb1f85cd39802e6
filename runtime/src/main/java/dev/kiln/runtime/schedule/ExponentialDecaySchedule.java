package dev.kiln.runtime.schedule;

import dev.kiln.runtime.schedule.LearningRateSchedule;

/**
 * Exponential decay, {@code lr(t) = lr0·gamma^t}: PyTorch's {@code ExponentialLR(gamma)}, whose
 * recursion {@code lr ← lr·gamma} this evaluates in closed form ({@code Math.pow}, within an ulp
 * or two at any {@code t}, where the product would gather one rounding per step).
 */
public final class ExponentialDecaySchedule implements LearningRateSchedule {
  private final double base;
  private final double gamma;

  /**
   * @param base {@code lr0}
   * @param gamma factor per step, in (0, 1]
   * @throws IllegalArgumentException for a value out of range
   */
  public ExponentialDecaySchedule(double base, double gamma) {
    this.base = base;
    this.gamma = Checks.inRange(gamma, 0, true, 1, false, "gamma");
  }

  @Override
  public double rate(long t) {
    return base * Math.pow(gamma, Checks.step(t));
  }
}
