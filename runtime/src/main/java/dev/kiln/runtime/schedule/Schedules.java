package dev.kiln.runtime.schedule;

import dev.kiln.runtime.schedule.LearningRateSchedule;

/**
 * Run-length planning for schedules whose length is {@code AUTO} or counted in epochs, as
 * generated trainers use it in {@code planRun}, and curves for showing a schedule before training.
 */
public final class Schedules {
  private Schedules() {}

  /**
   * {@link #unplanned(String)} with the message generated trainers use: the schedule needs the
   * run's length, so call {@code fit}, or {@code planRun(totalSteps, stepsPerEpoch)}, first.
   */
  public static LearningRateSchedule unplanned() {
    return unplanned("the schedule's length is AUTO or counted in epochs, so it needs the run's"
        + " length: call fit, or planRun(totalSteps, stepsPerEpoch), before step or learningRate");
  }

  /**
   * A stand-in for a schedule that cannot be built before the run's length is known: every rate
   * throws {@link IllegalStateException} with {@code message}. It keeps a state given to {@link
   * LearningRateSchedule#restoreState} (a checkpoint restored before {@code fit}) so that {@link
   * #replan} hands it to the real schedule.
   */
  public static LearningRateSchedule unplanned(String message) {
    return new Unplanned(message);
  }

  /**
   * Checks a plan as {@code fit} gives it to {@code planRun}.
   *
   * @throws IllegalArgumentException unless {@code totalSteps ≥ 1} and {@code stepsPerEpoch ≥ 1}
   */
  public static void checkPlan(long totalSteps, long stepsPerEpoch) {
    Checks.atLeast(totalSteps, 1, "totalSteps");
    Checks.atLeast(stepsPerEpoch, 1, "stepsPerEpoch");
  }

  /**
   * The length of an {@code AUTO} schedule: the run's steps after a warm-up of {@code
   * warmupSteps}, in steps, or with {@code perEpoch} in epochs rounded up ({@code ceil(steps /
   * stepsPerEpoch)}).
   *
   * @throws IllegalArgumentException if the warm-up leaves no step of the run
   */
  public static long autoLength(long totalSteps, long stepsPerEpoch, long warmupSteps,
      boolean perEpoch) {
    checkPlan(totalSteps, stepsPerEpoch);
    long rest = totalSteps - warmupSteps;
    if (rest < 1) {
      throw new IllegalArgumentException("@Warmup lasts " + warmupSteps + " steps, but the whole"
          + " run has " + totalSteps + " steps (" + stepsPerEpoch + " per epoch), so the schedule"
          + " after it, whose length is AUTO (the rest of the run), has none: shorten @Warmup or"
          + " train for more than " + warmupSteps + " steps");
    }
    return perEpoch ? (rest + stepsPerEpoch - 1) / stepsPerEpoch : rest;
  }

  /**
   * {@code next}, carrying over the state of {@code previous} (a plateau's reductions, or a state
   * restored before the plan) when it has one.
   */
  public static LearningRateSchedule replan(LearningRateSchedule previous,
      LearningRateSchedule next) {
    double[] state = previous.state();
    if (state.length > 0) {
      next.restoreState(state);
    }
    return next;
  }

  /** {@code schedule.rate(t)} for {@code t = 0 .. steps-1}; changes nothing. */
  public static double[] curve(LearningRateSchedule schedule, int steps) {
    double[] out = new double[Math.toIntExact(Checks.atLeast(steps, 0, "steps"))];
    for (int t = 0; t < out.length; t++) {
      out[t] = schedule.rate(t);
    }
    return out;
  }

  /** {@code schedule.momentum(t)} for {@code t = 0 .. steps-1} (NaN where not cycled). */
  public static double[] momentumCurve(LearningRateSchedule schedule, int steps) {
    double[] out = new double[Math.toIntExact(Checks.atLeast(steps, 0, "steps"))];
    for (int t = 0; t < out.length; t++) {
      out[t] = schedule.momentum(t);
    }
    return out;
  }


  private static final class Unplanned implements LearningRateSchedule {
    private final String message;
    private double[] pending = new double[0];

    Unplanned(String message) {
      this.message = message;
    }

    @Override
    public double rate(long t) {
      throw new IllegalStateException(message);
    }

    @Override
    public double momentum(long t) {
      throw new IllegalStateException(message);
    }

    @Override
    public double[] state() {
      return pending.clone();
    }

    @Override
    public void restoreState(double[] state) {
      pending = state.clone();
    }
  }
}
