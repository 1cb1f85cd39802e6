package dev.kiln.runtime.schedule;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.runtime.schedule.CosineDecaySchedule;
import dev.kiln.runtime.schedule.LearningRateSchedule;
import org.junit.jupiter.api.Test;

/** Planning helpers, curves, and the argument checks of the schedule constructors. */
class SchedulesTest {
  @Test
  void autoLengthIsTheRunAfterTheWarmupInTheUnit() {
    assertThat(Schedules.autoLength(4690, 469, 0, false)).isEqualTo(4690);
    assertThat(Schedules.autoLength(4690, 469, 0, true)).isEqualTo(10);
    assertThat(Schedules.autoLength(200, 50, 10, false)).isEqualTo(190);
    assertThat(Schedules.autoLength(200, 50, 10, true)).isEqualTo(4); // 190 steps: 3.8 epochs
    assertThat(Schedules.autoLength(200, 50, 50, true)).isEqualTo(3);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Schedules.autoLength(100, 10, 100, false));
    assertThat(e).hasMessageThat().contains("@Warmup lasts 100 steps");
    assertThat(e).hasMessageThat().contains("the whole run has 100 steps");
    assertThrows(IllegalArgumentException.class, () -> Schedules.checkPlan(0, 1));
    assertThrows(IllegalArgumentException.class, () -> Schedules.checkPlan(1, 0));
  }

  @Test
  void unplannedThrowsWithTheMessageAndKeepsARestoredState() {
    LearningRateSchedule s = Schedules.unplanned("call fit first");
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> s.rate(0));
    assertThat(e).hasMessageThat().isEqualTo("call fit first");
    assertThrows(IllegalStateException.class, () -> s.momentum(0));
    IllegalStateException standard = assertThrows(IllegalStateException.class,
        () -> Schedules.unplanned().rate(3));
    assertThat(standard).hasMessageThat().contains("call fit, or planRun(totalSteps,");
    assertThat(s.state()).isEmpty();
    s.restoreState(new double[] {0.01, 0.5, 1, 0});
    ReduceOnPlateauSchedule plateau = new ReduceOnPlateauSchedule(0.1, 0.1, 1, 0, true, 0, 0,
        false);
    assertThat(Schedules.replan(s, plateau)).isSameInstanceAs(plateau);
    assertThat(plateau.rate(0)).isEqualTo(0.01);
    // A closed-form schedule has no state to carry.
    CosineDecaySchedule cosine = new CosineDecaySchedule(0.1, 10, 0, false);
    assertThat(Schedules.replan(cosine, new StepDecaySchedule(0.1, 1, 0.5)).rate(1))
        .isEqualTo(0.05);
    assertThrows(IllegalArgumentException.class, () -> cosine.restoreState(new double[1]));
  }

  @Test
  void curvesReadWithoutChangingAnything() {
    LearningRateSchedule s = new ExponentialDecaySchedule(1.0, 0.5);
    assertThat(Schedules.curve(s, 4)).isEqualTo(new double[] {1, 0.5, 0.25, 0.125});
    assertThat(Schedules.curve(s, 0)).isEmpty();
    double[] momenta = Schedules.momentumCurve(s, 2);
    assertThat(momenta[0]).isNaN();
  }

  @Test
  void constructorsRejectOutOfRangeValues() {
    assertThrows(IllegalArgumentException.class, () -> new StepDecaySchedule(0.1, 0, 0.5));
    assertThrows(IllegalArgumentException.class, () -> new StepDecaySchedule(0.1, 1, 1.5));
    assertThrows(IllegalArgumentException.class, () -> new ExponentialDecaySchedule(0.1, 0));
    assertThrows(IllegalArgumentException.class,
        () -> new MultiStepDecaySchedule(0.1, new long[] {5, 5}, 0.5));
    assertThrows(IllegalArgumentException.class,
        () -> new MultiStepDecaySchedule(0.1, new long[0], 0.5));
    assertThrows(IllegalArgumentException.class,
        () -> new LinearDecaySchedule(0.1, -1, 0, 10));
    assertThrows(IllegalArgumentException.class, () -> new PolynomialDecaySchedule(0.1, 10, 0));
    assertThrows(IllegalArgumentException.class, () -> new CosineRestartsSchedule(0.1, 10, 0, 0));
    assertThrows(IllegalArgumentException.class, () -> new OneCycleSchedule(0.1, 3, 0.3,
        OneCycleSchedule.Annealing.COSINE, 25, 1e4, true, 0.85, 0.95)); // 0.3·3 - 1 < 0
    assertThrows(IllegalArgumentException.class, () -> new OneCycleSchedule(0.1, 100, 0.3,
        OneCycleSchedule.Annealing.COSINE, 25, 1e4, true, 0.96, 0.95));
    assertThrows(IllegalArgumentException.class,
        () -> new WarmupSchedule(0.1, 10, 1, 1.5, false, LearningRateSchedule.constant(0.1)));
    assertThrows(IllegalArgumentException.class,
        () -> new PerEpochSchedule(LearningRateSchedule.constant(0.1), 0));
    assertThrows(IllegalArgumentException.class,
        () -> new StepDecaySchedule(0.1, 3, 0.5).rate(-1));
  }

  @Test
  void multiStepCountsMilestonesReached() {
    MultiStepDecaySchedule s = new MultiStepDecaySchedule(1.0, new long[] {2, 5}, 0.5);
    assertThat(Schedules.curve(s, 7)).isEqualTo(new double[] {1, 1, 0.5, 0.5, 0.5, 0.25, 0.25});
  }
}
