package dev.kiln.runtime.schedule;

import dev.kiln.runtime.schedule.LearningRateSchedule;

/**
 * A warm-up, then another schedule counted from the warm-up's end: PyTorch's {@code
 * SequentialLR([warm-up, after], milestones=[w])} with {@code w = length·stepsPerUnit} steps. For
 * {@code t < w}, with {@code u = floor(t/stepsPerUnit)} and {@code s = startFactor}: linear {@code
 * lr0·(s + (1 - s)·u/length)} ({@code LinearLR(s, 1.0, length)}) or constant {@code lr0·s} ({@code
 * ConstantLR(s, length)}); from {@code t = w} on, {@code after.rate(t - w)}.
 *
 * <p>Momentum, state and restore go to {@code after}. Its {@link #endEpoch} is forwarded with the
 * steps counted from the end of the warm-up, and only for epochs that end after it: a plateau
 * schedule does not count epochs of rising rates.
 */
public final class WarmupSchedule implements LearningRateSchedule {
  private final double base;
  private final long length;
  private final long stepsPerUnit;
  private final long warmupSteps;
  private final double startFactor;
  private final boolean constant;
  private final LearningRateSchedule after;

  /**
   * @param base {@code lr0}
   * @param length length of the warm-up in units, at least 1
   * @param stepsPerUnit steps per unit: 1 for steps, the batches per epoch for epochs
   * @param startFactor factor of {@code lr0} at step 0, in [0, 1]
   * @param constant whether the factor stays at {@code startFactor} ({@code ConstantLR}) instead
   *     of rising linearly
   * @param after the schedule after the warm-up, counted from its end
   * @throws IllegalArgumentException for a value out of range
   */
  public WarmupSchedule(double base, long length, long stepsPerUnit, double startFactor,
      boolean constant, LearningRateSchedule after) {
    this.base = base;
    this.length = Checks.atLeast(length, 1, "warm-up length");
    this.stepsPerUnit = Checks.atLeast(stepsPerUnit, 1, "stepsPerUnit");
    this.warmupSteps = Math.multiplyExact(length, stepsPerUnit);
    this.startFactor = Checks.inRange(startFactor, 0, false, 1, false, "startFactor");
    this.constant = constant;
    if (after == null) {
      throw new NullPointerException("after");
    }
    this.after = after;
  }

  /** Steps the warm-up lasts. */
  public long warmupSteps() {
    return warmupSteps;
  }

  @Override
  public double rate(long t) {
    if (Checks.step(t) >= warmupSteps) {
      return after.rate(t - warmupSteps);
    }
    if (constant) {
      return base * startFactor;
    }
    long u = t / stepsPerUnit;
    return base * (startFactor + (1.0 - startFactor) * u / length);
  }

  @Override
  public double momentum(long t) {
    return Checks.step(t) >= warmupSteps ? after.momentum(t - warmupSteps) : Double.NaN;
  }

  @Override
  public void endEpoch(long step, double validationLoss) {
    if (step > warmupSteps) {
      after.endEpoch(step - warmupSteps, validationLoss);
    }
  }

  @Override
  public double[] state() {
    return after.state();
  }

  @Override
  public void restoreState(double[] state) {
    after.restoreState(state);
  }
}
