package dev.kiln.runtime.schedule;

import dev.kiln.runtime.schedule.LearningRateSchedule;

/**
 * Cosine annealing with warm restarts (SGDR, Loshchilov and Hutter, 2017): cycle {@code k} lasts
 * {@code T_k = firstCycle·multiplier^k} steps, and within it {@code lr = minimum + (lr0 -
 * minimum)·(1 + cos(π·T_cur/T_k))/2} with {@code T_cur} the steps since the cycle began. PyTorch's
 * {@code CosineAnnealingWarmRestarts(T_0, T_mult, eta_min)}. {@code T_cur} and {@code T_k} are
 * found in exact integer arithmetic (a loop over the cycles, logarithmic in {@code t} for a
 * multiplier above 1; a remainder for 1), so they never drift.
 */
public final class CosineRestartsSchedule implements LearningRateSchedule {
  private final double base;
  private final long firstCycle;
  private final long multiplier;
  private final double minimum;

  /**
   * @param base {@code lr0}
   * @param firstCycle {@code T_0}, at least 1
   * @param multiplier {@code T_mult}, at least 1
   * @param minimum {@code eta_min}
   * @throws IllegalArgumentException for a value out of range
   */
  public CosineRestartsSchedule(double base, long firstCycle, long multiplier, double minimum) {
    this.base = base;
    this.firstCycle = Checks.atLeast(firstCycle, 1, "firstCycle");
    this.multiplier = Checks.atLeast(multiplier, 1, "cycleMultiplier");
    this.minimum = minimum;
  }

  @Override
  public double rate(long t) {
    long current = Checks.step(t);
    long length = firstCycle;
    if (multiplier == 1) {
      current %= length;
    } else {
      while (current >= length) {
        current -= length;
        if (length > Long.MAX_VALUE / multiplier) {
          length = Long.MAX_VALUE; // the next cycle outlasts any step count
        } else {
          length *= multiplier;
        }
      }
    }
    return minimum + (base - minimum) * (1 + Math.cos(Math.PI * current / length)) / 2;
  }
}
