package dev.kiln.runtime.schedule;

import dev.kiln.runtime.schedule.LearningRateSchedule;

/**
 * Lowers the rate when a monitored value (the validation loss) stops improving: PyTorch's {@code
 * ReduceLROnPlateau(mode, factor, patience, threshold, threshold_mode, cooldown, min_lr, eps=1e-8)}
 * stepped once per epoch, rule for rule.
 *
 * <p>At each {@link #endEpoch}: a value better than the best so far (relative: {@code v <
 * best·(1 - threshold)} for {@code MIN}, {@code v > best·(1 + threshold)} for {@code MAX};
 * absolute: {@code v < best - threshold}, {@code v > best + threshold}) becomes the best and
 * resets the bad-epoch count; otherwise the count grows. During a cooldown the count is held at 0.
 * When it exceeds {@code patience}, the rate becomes {@code max(rate·factor, minimum)} if that
 * lowers it by more than 1e-8, a cooldown of {@code cooldown} epochs begins and the count resets. A
 * NaN value (no validation data) changes nothing, as Keras skips a missing metric.
 *
 * <p>{@link #rate(long)} is the current rate whatever {@code t}. The state, for checkpoints, is
 * {@code [rate, best, badEpochs, cooldownLeft]}.
 */
public final class ReduceOnPlateauSchedule implements LearningRateSchedule {
  private static final double EPS = 1e-8;

  private final double factor;
  private final long patience;
  private final double threshold;
  private final boolean relative;
  private final long cooldown;
  private final double minimum;
  private final boolean maximize;
  private double rate;
  private double best;
  private long badEpochs;
  private long cooldownLeft;

  /**
   * @param base the starting rate {@code lr0}
   * @param factor in (0, 1)
   * @param patience bad epochs tolerated, at least 0
   * @param threshold least improvement, finite, at least 0
   * @param relative whether {@code threshold} is relative ({@code 'rel'}) or absolute
   * @param cooldown epochs after a reduction that are not counted, at least 0
   * @param minimum the lowest rate ({@code min_lr}), finite, at least 0
   * @param maximize whether higher values are better ({@code mode='max'})
   * @throws IllegalArgumentException for a value out of range
   */
  public ReduceOnPlateauSchedule(double base, double factor, long patience, double threshold,
      boolean relative, long cooldown, double minimum, boolean maximize) {
    this.factor = Checks.inRange(factor, 0, true, 1, true, "factor");
    this.patience = Checks.atLeast(patience, 0, "patience");
    this.threshold = Checks.finiteAtLeast(threshold, 0, "threshold");
    this.relative = relative;
    this.cooldown = Checks.atLeast(cooldown, 0, "cooldown");
    this.minimum = Checks.finiteAtLeast(minimum, 0, "minimum");
    this.maximize = maximize;
    this.rate = base;
    this.best = maximize ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
  }

  /** The current rate, for every {@code t}. */
  @Override
  public double rate(long t) {
    Checks.step(t);
    return rate;
  }

  @Override
  public void endEpoch(long step, double value) {
    if (Double.isNaN(value)) {
      return;
    }
    if (isBetter(value)) {
      best = value;
      badEpochs = 0;
    } else {
      badEpochs++;
    }
    if (cooldownLeft > 0) {
      cooldownLeft--;
      badEpochs = 0;
    }
    if (badEpochs > patience) {
      double reduced = Math.max(rate * factor, minimum);
      if (rate - reduced > EPS) {
        rate = reduced;
      }
      cooldownLeft = cooldown;
      badEpochs = 0;
    }
  }

  private boolean isBetter(double value) {
    if (maximize) {
      return relative ? value > best * (threshold + 1) : value > best + threshold;
    }
    return relative ? value < best * (1 - threshold) : value < best - threshold;
  }

  /** {@code [rate, best, badEpochs, cooldownLeft]}. */
  @Override
  public double[] state() {
    return new double[] {rate, best, badEpochs, cooldownLeft};
  }

  @Override
  public void restoreState(double[] state) {
    if (state.length != 4) {
      throw new IllegalArgumentException("ReduceOnPlateauSchedule state has 4 numbers [rate, best,"
          + " badEpochs, cooldownLeft], got " + state.length);
    }
    if (!(state[0] >= 0 && Double.isFinite(state[0])) || Double.isNaN(state[1])
        || !(state[2] >= 0) || !(state[3] >= 0) || state[2] != Math.rint(state[2])
        || state[3] != Math.rint(state[3])) {
      throw new IllegalArgumentException("not a ReduceOnPlateauSchedule state: "
          + java.util.Arrays.toString(state));
    }
    rate = state[0];
    best = state[1];
    badEpochs = (long) state[2];
    cooldownLeft = (long) state[3];
  }
}
