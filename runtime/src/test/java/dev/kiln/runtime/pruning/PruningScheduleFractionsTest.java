package dev.kiln.runtime.pruning;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/**
 * Issue 18, item 13: a schedule in fractions of the run ({@link PruningSchedule#ofRun}) is
 * unplanned until {@link PruningSchedule#forRun} gives it the run's length, then equals the
 * schedule in steps {@code round(f·(T − 1))}.
 */
class PruningScheduleFractionsTest {
  @Test
  void fractionsBecomeStepsOfThePlannedRun() {
    PruningSchedule s = PruningSchedule.ofRun(0, 0.9, 0.1, 0.7, 100);
    assertThat(s.planned()).isFalse();
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> s.held(0));
    assertThat(e).hasMessageThat().contains("planRun");
    PruningSchedule full = s.forRun(4690);
    assertThat(full.beginStep()).isEqualTo(469);
    assertThat(full.endStep()).isEqualTo(3282);
    PruningSchedule subset = s.forRun(470);
    assertThat(subset.beginStep()).isEqualTo(47);
    assertThat(subset.endStep()).isEqualTo(328);
    PruningSchedule steps = new PruningSchedule(0, 0.9, 47, 328, 100);
    for (long t = 0; t < 470; t++) {
      assertThat(subset.held(t)).isEqualTo(steps.held(t));
      assertThat(subset.updatesAt(t)).isEqualTo(steps.updatesAt(t));
    }
    assertThat(subset.held(469)).isEqualTo(0.9); // reached within the run
    // the whole run: 0 is the first step, 1 the last
    PruningSchedule whole = PruningSchedule.ofRun(0, 0.5, 0, 1, 10).forRun(11);
    assertThat(whole.beginStep()).isEqualTo(0);
    assertThat(whole.endStep()).isEqualTo(10);
    // a layer's own target keeps the fractions
    assertThat(s.withFinalSparsity(0.5).forRun(470).endStep()).isEqualTo(328);
    assertThat(steps.forRun(10)).isSameInstanceAs(steps);
  }

  @Test
  void badFractionsAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> PruningSchedule.ofRun(0, 0.9, -0.1, 0.5, 1));
    assertThrows(IllegalArgumentException.class, () -> PruningSchedule.ofRun(0, 0.9, 0.6, 0.5, 1));
    assertThrows(IllegalArgumentException.class, () -> PruningSchedule.ofRun(0, 0.9, 0.1, 1.5, 1));
    assertThrows(IllegalArgumentException.class, () -> PruningSchedule.ofRun(0, 1.0, 0.1, 0.5, 1));
    assertThrows(IllegalArgumentException.class,
        () -> PruningSchedule.ofRun(0, 0.9, 0.1, 0.5, 1).forRun(0));
  }
}
