package dev.kiln.runtime.schedule;

import dev.kiln.runtime.schedule.LearningRateSchedule;

/**
 * Polynomial decay to 0, {@code lr(t) = lr0·(1 - min(t, steps)/steps)^power}: PyTorch's {@code
 * PolynomialLR(total_iters=steps, power)}, evaluated as its closed form; 0 from {@code steps} on.
 */
public final class PolynomialDecaySchedule implements LearningRateSchedule {
  private final double base;
  private final long steps;
  private final double power;

  /**
   * @param base {@code lr0}
   * @param steps length of the decay, at least 1
   * @param power exponent, finite and positive
   * @throws IllegalArgumentException for a value out of range
   */
  public PolynomialDecaySchedule(double base, long steps, double power) {
    this.base = base;
    this.steps = Checks.atLeast(steps, 1, "steps");
    if (!(power > 0 && Double.isFinite(power))) {
      throw new IllegalArgumentException("power must be finite and positive, got " + power);
    }
    this.power = power;
  }

  @Override
  public double rate(long t) {
    return base * Math.pow(1.0 - (double) Math.min(Checks.step(t), steps) / steps, power);
  }
}
