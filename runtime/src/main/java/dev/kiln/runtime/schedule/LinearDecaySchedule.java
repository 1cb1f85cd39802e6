package dev.kiln.runtime.schedule;

import dev.kiln.runtime.schedule.LearningRateSchedule;

/**
 * Linear interpolation of a factor, {@code lr(t) = lr0·(s + (e - s)·min(t, steps)/steps)}:
 * PyTorch's {@code LinearLR(start_factor=s, end_factor=e, total_iters=steps)}, evaluated as its
 * closed form ({@code _get_closed_form_lr}).
 */
public final class LinearDecaySchedule implements LearningRateSchedule {
  private final double base;
  private final double startFactor;
  private final double endFactor;
  private final long steps;

  /**
   * @param base {@code lr0}
   * @param startFactor factor at step 0, finite, at least 0
   * @param endFactor factor from {@code steps} on, finite, at least 0
   * @param steps length of the interpolation, at least 1
   * @throws IllegalArgumentException for a value out of range
   */
  public LinearDecaySchedule(double base, double startFactor, double endFactor, long steps) {
    this.base = base;
    this.startFactor = Checks.finiteAtLeast(startFactor, 0, "startFactor");
    this.endFactor = Checks.finiteAtLeast(endFactor, 0, "endFactor");
    this.steps = Checks.atLeast(steps, 1, "steps");
  }

  @Override
  public double rate(long t) {
    return base * (startFactor + (endFactor - startFactor) * Math.min(Checks.step(t), steps)
        / steps);
  }
}
