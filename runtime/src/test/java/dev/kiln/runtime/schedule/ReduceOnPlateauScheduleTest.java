package dev.kiln.runtime.schedule;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.runtime.schedule.LearningRateSchedule;
import org.junit.jupiter.api.Test;

/**
 * {@link ReduceOnPlateauSchedule} against PyTorch's {@code ReduceLROnPlateau.step} rules, traced by
 * hand over epoch sequences: relative threshold, patience, cooldown, the {@code min_lr} clamp and
 * the 1e-8 rule that skips a reduction too small to matter; NaN epochs ignored; state round trip.
 */
class ReduceOnPlateauScheduleTest {
  private static final double[] LOSSES = {1.0, 0.95, 0.85, 0.80, 0.80, 0.79, 0.9, 0.9, 0.9, 0.9,
      Double.NaN, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9};
  // Traced by hand (factor 0.5, patience 2, rel threshold 0.1, cooldown 1, min 0.02):
  // epoch 3 improves (0.85 < 0.9); epochs 4-6 are bad, the third exceeds patience: 0.1 -> 0.05;
  // epoch 7 is in cooldown (count held at 0); 8-10 bad: 0.025; 11 NaN: ignored; 12 cooldown;
  // 13-15 bad: max(0.0125, 0.02) = 0.02; 16 cooldown; 17-19 bad: max(0.01, 0.02) = 0.02 is no
  // reduction (0.02 - 0.02 <= 1e-8), so the rate stays.
  private static final double[] RATES = {0.1, 0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.05, 0.025,
      0.025, 0.025, 0.025, 0.025, 0.02, 0.02, 0.02, 0.02, 0.02};

  private static ReduceOnPlateauSchedule schedule() {
    return new ReduceOnPlateauSchedule(0.1, 0.5, 2, 0.1, true, 1, 0.02, false);
  }

  @Test
  void followsPyTorchRules() {
    ReduceOnPlateauSchedule s = schedule();
    for (int e = 0; e < LOSSES.length; e++) {
      s.endEpoch((e + 1) * 10L, LOSSES[e]);
      assertThat(s.rate(0)).isEqualTo(RATES[e]);
      assertThat(s.rate(1_000_000)).isEqualTo(RATES[e]);
    }
  }

  @Test
  void maxModeWithAbsoluteThreshold() {
    ReduceOnPlateauSchedule s = new ReduceOnPlateauSchedule(1.0, 0.1, 0, 0.05, false, 0, 0, true);
    s.endEpoch(1, 0.50); // best 0.5
    s.endEpoch(2, 0.54); // not above 0.55: bad 1 > patience 0: 1.0 -> 0.1
    assertThat(s.rate(0)).isWithin(1e-15).of(0.1);
    s.endEpoch(3, 0.56); // above 0.55: best
    assertThat(s.rate(0)).isWithin(1e-15).of(0.1);
    s.endEpoch(4, 0.60); // not above 0.61: reduced again
    assertThat(s.rate(0)).isWithin(1e-15).of(0.01);
  }

  @Test
  void stateRoundTripContinuesIdentically() {
    ReduceOnPlateauSchedule a = schedule();
    for (int e = 0; e < 8; e++) {
      a.endEpoch(e, LOSSES[e]);
    }
    double[] state = a.state();
    assertThat(state).hasLength(4);
    ReduceOnPlateauSchedule b = schedule();
    b.restoreState(state);
    state[0] = 99; // the export is a copy
    for (int e = 8; e < LOSSES.length; e++) {
      a.endEpoch(e, LOSSES[e]);
      b.endEpoch(e, LOSSES[e]);
      assertThat(b.rate(0)).isEqualTo(a.rate(0));
      assertThat(b.rate(0)).isEqualTo(RATES[e]);
    }
    assertThat(b.state()).isEqualTo(a.state());
    assertThrows(IllegalArgumentException.class, () -> b.restoreState(new double[3]));
    assertThrows(IllegalArgumentException.class,
        () -> b.restoreState(new double[] {0.1, 1, 0.5, 0}));
    assertThrows(IllegalArgumentException.class,
        () -> b.restoreState(new double[] {-1, 1, 0, 0}));
  }

  @Test
  void warmupHidesItsEpochsAndCarriesTheState() {
    ReduceOnPlateauSchedule plateau = new ReduceOnPlateauSchedule(0.1, 0.5, 0, 0, true, 0, 0,
        false);
    LearningRateSchedule s = new WarmupSchedule(0.1, 100, 1, 0, false, plateau);
    s.endEpoch(50, 1.0); // inside the warm-up: not counted
    s.endEpoch(100, 2.0); // ends exactly with the warm-up: not counted
    assertThat(plateau.state()[1]).isPositiveInfinity();
    s.endEpoch(150, 1.0);
    s.endEpoch(200, 1.0); // bad 1 > patience 0
    assertThat(s.rate(0)).isEqualTo(0.0);
    assertThat(s.rate(100)).isEqualTo(0.05);
    assertThat(s.state()).isEqualTo(plateau.state());
  }

  @Test
  void rejectsOutOfRange() {
    assertThrows(IllegalArgumentException.class,
        () -> new ReduceOnPlateauSchedule(0.1, 1.0, 1, 0, true, 0, 0, false));
    assertThrows(IllegalArgumentException.class,
        () -> new ReduceOnPlateauSchedule(0.1, 0.5, -1, 0, true, 0, 0, false));
    assertThrows(IllegalArgumentException.class,
        () -> new ReduceOnPlateauSchedule(0.1, 0.5, 1, -1, true, 0, 0, false));
  }
}
