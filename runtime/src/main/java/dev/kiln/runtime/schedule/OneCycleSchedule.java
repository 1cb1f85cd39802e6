package dev.kiln.runtime.schedule;

import dev.kiln.runtime.schedule.LearningRateSchedule;

/**
 * The 1cycle policy (Smith and Topin, 2018), PyTorch's {@code OneCycleLR(max_lr, total_steps,
 * pct_start, anneal_strategy, div_factor, final_div_factor, cycle_momentum, base_momentum,
 * max_momentum, three_phase=False)}, with its arithmetic in the same order.
 *
 * <p>With {@code init = maxRate/divFactor}, {@code min = init/finalDivFactor} and {@code e1 =
 * pctStart·totalSteps - 1}: phase 1 ({@code t ≤ e1}) anneals the rate from {@code init} to {@code
 * maxRate} with {@code pct = t/e1}; phase 2 from {@code maxRate} to {@code min} with {@code pct =
 * (t - e1)/(totalSteps - 1 - e1)}. Cosine annealing is {@code end + (start - end)/2·(1 +
 * cos(π·pct))}, linear {@code start + (end - start)·pct}. The momentum anneals with the same {@code
 * pct} from {@code maxMomentum} to {@code baseMomentum} and back. From {@code t = totalSteps - 1}
 * on, the rate holds at {@code min} and the momentum at {@code maxMomentum} (PyTorch raises after
 * {@code total_steps}).
 */
public final class OneCycleSchedule implements LearningRateSchedule {
  /** How the rate and momentum move between two values. */
  public enum Annealing {
    /** PyTorch's {@code 'cos'}. */
    COSINE,
    /** PyTorch's {@code 'linear'}. */
    LINEAR
  }

  private final double initialRate;
  private final double maxRate;
  private final double minRate;
  private final long totalSteps;
  private final double phaseEnd;
  private final boolean cosine;
  private final boolean cycleMomentum;
  private final double baseMomentum;
  private final double maxMomentum;

  /**
   * @param maxRate the peak rate, positive and finite
   * @param totalSteps length of the cycle in steps; {@code pctStart·totalSteps} must exceed 1, so
   *     that phase 1 has a positive length
   * @param pctStart fraction of the cycle in phase 1, in (0, 1)
   * @param divFactor {@code init = maxRate/divFactor}, at least 1
   * @param finalDivFactor {@code min = init/finalDivFactor}, at least 1
   * @param cycleMomentum whether {@link #momentum(long)} cycles (else it is NaN: left alone)
   * @param baseMomentum momentum at the peak rate, in [0, maxMomentum]
   * @param maxMomentum momentum at the ends, below 1
   * @throws IllegalArgumentException for a value out of range
   */
  public OneCycleSchedule(double maxRate, long totalSteps, double pctStart, Annealing annealing,
      double divFactor, double finalDivFactor, boolean cycleMomentum, double baseMomentum,
      double maxMomentum) {
    if (!(maxRate > 0 && Double.isFinite(maxRate))) {
      throw new IllegalArgumentException("maxRate must be positive and finite, got " + maxRate);
    }
    Checks.inRange(pctStart, 0, true, 1, true, "pctStart");
    Checks.finiteAtLeast(divFactor, 1, "divFactor");
    Checks.finiteAtLeast(finalDivFactor, 1, "finalDivFactor");
    Checks.inRange(maxMomentum, 0, false, 1, true, "maxMomentum");
    Checks.inRange(baseMomentum, 0, false, maxMomentum, false, "baseMomentum");
    this.phaseEnd = pctStart * totalSteps - 1;
    if (!(phaseEnd > 0)) {
      throw new IllegalArgumentException("pctStart·totalSteps must exceed 1 (phase 1 needs at least"
          + " 2 steps), got " + pctStart + "·" + totalSteps);
    }
    this.maxRate = maxRate;
    this.initialRate = maxRate / divFactor;
    this.minRate = initialRate / finalDivFactor;
    this.totalSteps = totalSteps;
    this.cosine = annealing == Annealing.COSINE;
    this.cycleMomentum = cycleMomentum;
    this.baseMomentum = baseMomentum;
    this.maxMomentum = maxMomentum;
  }

  @Override
  public double rate(long t) {
    Checks.step(t);
    if (t <= phaseEnd) {
      return anneal(initialRate, maxRate, t / phaseEnd);
    }
    return t >= totalSteps - 1 ? minRate : anneal(maxRate, minRate, secondPct(t));
  }

  /** The momentum for step {@code t}; NaN when the momentum is not cycled. */
  @Override
  public double momentum(long t) {
    Checks.step(t);
    if (!cycleMomentum) {
      return Double.NaN;
    }
    if (t <= phaseEnd) {
      return anneal(maxMomentum, baseMomentum, t / phaseEnd);
    }
    return t >= totalSteps - 1 ? maxMomentum : anneal(baseMomentum, maxMomentum, secondPct(t));
  }

  private double secondPct(long t) {
    return (t - phaseEnd) / (totalSteps - 1 - phaseEnd);
  }

  private double anneal(double start, double end, double pct) {
    if (cosine) {
      double cosOut = Math.cos(Math.PI * pct) + 1;
      return end + (start - end) / 2.0 * cosOut;
    }
    return (end - start) * pct + start;
  }
}
