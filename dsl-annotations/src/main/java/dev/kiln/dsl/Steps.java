package dev.kiln.dsl;

/**
 * The value of a schedule length left out: {@link #AUTO}. A schedule member such as {@link
 * CosineDecay#steps()} that defaults to {@code AUTO} takes the length of the run when {@code fit}
 * starts, so nobody computes "epochs × batches per epoch" (for example 10 × 469 = 4,690) by hand.
 */
public final class Steps {
  private Steps() {}

  /**
   * "The rest of the run": the run's total optimizer steps (epochs × batches per epoch, known when
   * {@code fit} starts), less a {@link Warmup}'s steps, counted in the schedule's {@link
   * ScheduleUnit} (for {@code EPOCH}: those steps divided by the batches per epoch, rounded up).
   * A trainer whose schedule has an {@code AUTO} length must be told the run's length by {@code
   * fit} (or by calling {@code planRun(totalSteps, stepsPerEpoch)} itself) before its first step.
   */
  public static final int AUTO = -1;
}
