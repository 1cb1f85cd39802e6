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
 *
 * <p>A schedule may also be given in fractions of the run ({@link #ofRun}): {@code beginStep} and
 * {@code endStep} are then fixed by {@link #forRun} once the run's length is known ({@code fit}
 * plans it), so the same configuration prunes a short run and a long one alike. Until then such a
 * schedule is <em>unplanned</em> and its step methods throw {@link IllegalStateException}.
 */
public final class PruningSchedule {
  private final double initialSparsity;
  private final double finalSparsity;
  private final long beginStep;
  private final long endStep;
  private final long frequency;
  /** The fractions of the run, or NaN for a schedule given in steps. */
  private final double beginFraction;
  private final double endFraction;
  /** False for a schedule in fractions before {@link #forRun}. */
  private final boolean planned;

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
    this.beginFraction = Double.NaN;
    this.endFraction = Double.NaN;
    this.planned = true;
  }

  private PruningSchedule(double initialSparsity, double finalSparsity, double beginFraction,
      double endFraction, long frequency, long beginStep, long endStep, boolean planned) {
    this.initialSparsity = initialSparsity;
    this.finalSparsity = finalSparsity;
    this.beginFraction = beginFraction;
    this.endFraction = endFraction;
    this.frequency = frequency;
    this.beginStep = beginStep;
    this.endStep = endStep;
    this.planned = planned;
  }

  /**
   * A schedule in fractions of the run: pruning begins at {@code beginFraction} of the planned
   * optimizer steps and reaches {@code finalSparsity} at {@code endFraction}. Unplanned until
   * {@link #forRun} gives it the run's length.
   *
   * @param beginFraction in [0, 1]
   * @param endFraction in [{@code beginFraction}, 1]
   * @throws IllegalArgumentException for a value outside these ranges or the sparsities' and
   *     frequency's ranges of the constructor
   */
  public static PruningSchedule ofRun(double initialSparsity, double finalSparsity,
      double beginFraction, double endFraction, long frequency) {
    new PruningSchedule(initialSparsity, finalSparsity, 0, 0, frequency); // checks the rest
    if (!(beginFraction >= 0 && beginFraction <= endFraction && endFraction <= 1)) {
      throw new IllegalArgumentException("expected 0 <= beginFraction <= endFraction <= 1, got"
          + " beginFraction " + beginFraction + ", endFraction " + endFraction);
    }
    return new PruningSchedule(initialSparsity, finalSparsity, beginFraction, endFraction,
        frequency, -1, -1, false);
  }

  /**
   * The step of fraction {@code f} of a run of {@code totalSteps} optimizer steps: {@code
   * round(f·(totalSteps − 1))}, so 0 is the first step (0) and 1 the last ({@code totalSteps −
   * 1}), where the final sparsity is then reached.
   */
  public static long stepOf(double fraction, long totalSteps) {
    return Math.round(fraction * (totalSteps - 1));
  }

  /**
   * For a schedule in fractions: the schedule in steps for a run of {@code totalSteps} optimizer
   * steps ({@link #stepOf}); a schedule in steps is returned as it is.
   *
   * @throws IllegalArgumentException unless {@code totalSteps} is at least 1
   */
  public PruningSchedule forRun(long totalSteps) {
    if (totalSteps < 1) {
      throw new IllegalArgumentException("a run has at least 1 step, got " + totalSteps);
    }
    if (!inFractions()) {
      return this;
    }
    return new PruningSchedule(initialSparsity, finalSparsity, beginFraction, endFraction,
        frequency, stepOf(beginFraction, totalSteps), stepOf(endFraction, totalSteps), true);
  }

  /** Whether the schedule is given in fractions of the run ({@link #ofRun}). */
  public boolean inFractions() {
    return !Double.isNaN(beginFraction);
  }

  /** Whether the steps are known: always for a schedule in steps, after {@link #forRun} else. */
  public boolean planned() {
    return planned;
  }

  /** The same schedule with another final sparsity (a layer's own target). */
  public PruningSchedule withFinalSparsity(double finalSparsity) {
    if (inFractions()) {
      ofRun(initialSparsity, finalSparsity, beginFraction, endFraction, frequency); // checks
      return new PruningSchedule(initialSparsity, finalSparsity, beginFraction, endFraction,
          frequency, beginStep, endStep, planned);
    }
    return new PruningSchedule(initialSparsity, finalSparsity, beginStep, endStep, frequency);
  }

  private void checkPlanned() {
    if (!planned) {
      throw new IllegalStateException("the pruning schedule runs from " + beginFraction + " to "
          + endFraction + " of the run and needs the run's length: call fit, or"
          + " planRun(totalSteps, stepsPerEpoch), before stepping");
    }
  }

  /**
   * The formula at step {@code t} itself: {@code s_i} before {@code beginStep}, {@code s_f} from
   * {@code endStep} on (the reference's {@code per_step_continuous}).
   */
  public double continuous(long t) {
    checkPlanned();
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
    checkPlanned();
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
    checkPlanned();
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

  /** The first pruning step {@code t0}; -1 while unplanned. */
  public long beginStep() {
    return beginStep;
  }

  /** The step from which the sparsity is {@code s_f}; -1 while unplanned. */
  public long endStep() {
    return endStep;
  }

  /** The fraction of the run where pruning begins; NaN for a schedule in steps. */
  public double beginFraction() {
    return beginFraction;
  }

  /** The fraction of the run where {@code s_f} is reached; NaN for a schedule in steps. */
  public double endFraction() {
    return endFraction;
  }

  /** Steps between mask updates {@code Δt}. */
  public long frequency() {
    return frequency;
  }

  @Override
  public String toString() {
    String fractions = inFractions()
        ? " (" + beginFraction + ".." + endFraction + " of the run)" : "";
    String steps = planned ? " over steps " + beginStep + ".." + endStep : " over";
    return "Zhu-Gupta sparsity " + initialSparsity + " -> " + finalSparsity + steps + fractions
        + ", masks updated every " + frequency + " steps";
  }
}
