package dev.kiln.runtime.pruning;

/**
 * The gradual pruning schedule of Zhu and Gupta (2017), "To prune, or not to prune: exploring the
 * efficacy of pruning for model compression" (arXiv:1710.01878), eq. 1:
 *
 * <pre>
 *   s_t = s_f + (s_i − s_f)·(1 − (t − t0)/(n·Δt))³
 * </pre>
 *
 * <p>with {@code t0 = beginStep}, {@code Δt = frequency} and {@code n·Δt = endStep − beginStep}.
 * Steps are optimizer steps counted from 0, as {@code iteration()}. Masks are updated at the
 * <em>pruning steps</em> {@code beginStep + k·frequency} up to {@code endStep}, and at {@code
 * endStep} itself; between them the sparsity is held ({@link #held}). With {@code endStep ==
 * beginStep} the schedule is one-shot pruning to {@code s_f} at that step. Sparsities are in
 * double, evaluated exactly as the formula is written (the reference values of {@code
 * pruning.json} match to 1e-12 relative).
 */
public final class PruningSchedule {
  private final double initialSparsity;
  private final double finalSparsity;
  private final long beginStep;
  private final long endStep;
  private final long frequency;

  /**
   * @param initialSparsity {@code s_i}, in [0, 1)
   * @param finalSparsity {@code s_f}, in [{@code s_i}, 1)
   * @param beginStep {@code t0}, the first pruning step, at least 0
   * @param endStep the last pruning step, at least {@code beginStep}; {@code s_f} from here on
   * @param frequency {@code Δt}, optimizer steps between mask updates, at least 1
   * @throws IllegalArgumentException for values outside these ranges
   */
  public PruningSchedule(double initialSparsity, double finalSparsity, long beginStep,
      long endStep, long frequency) {
    if (!(initialSparsity >= 0 && initialSparsity < 1)) {
      throw new IllegalArgumentException("initialSparsity must be in [0, 1), got "
          + initialSparsity);
    }
    if (!(finalSparsity >= initialSparsity && finalSparsity < 1)) {
      throw new IllegalArgumentException("finalSparsity must be in [initialSparsity, 1) = ["
          + initialSparsity + ", 1), got " + finalSparsity);
    }
    if (beginStep < 0 || endStep < beginStep) {
      throw new IllegalArgumentException("expected 0 <= beginStep <= endStep, got beginStep "
          + beginStep + ", endStep " + endStep);
    }
    if (frequency < 1) {
      throw new IllegalArgumentException("frequency must be at least 1, got " + frequency);
    }
    this.initialSparsity = initialSparsity;
    this.finalSparsity = finalSparsity;
    this.beginStep = beginStep;
    this.endStep = endStep;
    this.frequency = frequency;
  }

  /** The same schedule with another final sparsity (a layer's own target). */
  public PruningSchedule withFinalSparsity(double finalSparsity) {
    return new PruningSchedule(initialSparsity, finalSparsity, beginStep, endStep, frequency);
  }

  /**
   * The formula at step {@code t} itself: {@code s_i} before {@code beginStep}, {@code s_f} from
   * {@code endStep} on (the reference's {@code per_step_continuous}).
   */
  public double continuous(long t) {
    if (t < beginStep) {
      return initialSparsity;
    }
    if (t >= endStep) {
      return finalSparsity;
    }
    return formula(t);
  }

  /**
   * The sparsity in effect at step {@code t} when masks change only at pruning steps: the formula
   * at the last pruning step {@code beginStep + ⌊(t − beginStep)/frequency⌋·frequency ≤ t};
   * {@code s_i} before {@code beginStep}, {@code s_f} from {@code endStep} on (the reference's
   * {@code per_step_held}).
   */
  public double held(long t) {
    if (t < beginStep) {
      return initialSparsity;
    }
    if (t >= endStep) {
      return finalSparsity;
    }
    return formula(beginStep + (t - beginStep) / frequency * frequency);
  }

  /** Whether masks are recomputed at step {@code t}: a pruning step in [beginStep, endStep]. */
  public boolean updatesAt(long t) {
    return t >= beginStep && t <= endStep
        && ((t - beginStep) % frequency == 0 || t == endStep);
  }

  private double formula(long t) {
    double progress = (double) (t - beginStep) / (double) (endStep - beginStep);
    double remaining = 1 - progress;
    return finalSparsity + (initialSparsity - finalSparsity) * (remaining * remaining * remaining);
  }

  /** {@code s_i}. */
  public double initialSparsity() {
    return initialSparsity;
  }

  /** {@code s_f}. */
  public double finalSparsity() {
    return finalSparsity;
  }

  /** The first pruning step {@code t0}. */
  public long beginStep() {
    return beginStep;
  }

  /** The step from which the sparsity is {@code s_f}. */
  public long endStep() {
    return endStep;
  }

  /** Steps between mask updates {@code Δt}. */
  public long frequency() {
    return frequency;
  }

  @Override
  public String toString() {
    return "Zhu-Gupta sparsity " + initialSparsity + " -> " + finalSparsity + " over steps "
        + beginStep + ".." + endStep + ", masks updated every " + frequency + " steps";
  }
}
