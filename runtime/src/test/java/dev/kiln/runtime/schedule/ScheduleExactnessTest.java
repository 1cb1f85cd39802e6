package dev.kiln.runtime.schedule;

import static com.google.common.truth.Truth.assertThat;

import dev.kiln.runtime.schedule.CosineDecaySchedule;
import dev.kiln.runtime.schedule.LearningRateSchedule;
import dev.kiln.runtime.testing.Golden;
import java.util.Locale;
import java.util.function.LongToDoubleFunction;
import org.junit.jupiter.api.Test;

/**
 * No drift: each schedule family over a million steps against its closed form written
 * independently here (in another arrangement of the arithmetic, with {@code StrictMath}, and with
 * every integer part—epoch index, cycle position, milestone count—found by a separate walk), at
 * the golden tolerance rtol 1e-10 / atol 1e-12. A schedule that accumulated its rate step by step
 * would gather one rounding per step; a closed form has the same error at step 10^6 as at step 1.
 * Evaluation is also checked to be pure: the same value in any order.
 */
class ScheduleExactnessTest {
  private static final int STEPS = 1_000_000;
  private static final double LR0 = 0.1;

  private static void assertClosedForm(String name, LearningRateSchedule schedule,
      LongToDoubleFunction expected) {
    double worst = 0;
    for (long t = 0; t < STEPS; t++) {
      double e = expected.applyAsDouble(t);
      double a = schedule.rate(t);
      double budget = Math.abs(a - e) / (Golden.ATOL_LR + Golden.RTOL_LR * Math.abs(e));
      if (!(budget <= 1)) {
        throw new AssertionError(String.format(Locale.ROOT, "%s: rate(%d) = %s, closed form %s",
            name, t, a, e));
      }
      worst = Math.max(worst, budget);
    }
    // Pure: reading again, backwards and at random steps, gives the same bits.
    for (long t = STEPS - 1; t >= STEPS - 1000; t--) {
      assertThat(schedule.rate(t)).isEqualTo(schedule.rate(t));
    }
    long t = 12345;
    double first = schedule.rate(t);
    schedule.rate(STEPS - 1);
    schedule.rate(0);
    assertThat(schedule.rate(t)).isEqualTo(first);
    System.out.printf(Locale.ROOT, "[exactness] %-28s 10^6 steps, max tolerance share %.2g%%%n",
        name, 100 * worst);
  }

  @Test
  void stepDecay() {
    long size = 7;
    double gamma = 0.999;
    assertClosedForm("StepDecay", new StepDecaySchedule(LR0, size, gamma),
        t -> LR0 * StrictMath.exp((t / size) * StrictMath.log(gamma)));
  }

  @Test
  void multiStepDecay() {
    long[] milestones = {10, 1000, 100_000, 999_999};
    double gamma = 0.3;
    assertClosedForm("MultiStepDecay", new MultiStepDecaySchedule(LR0, milestones, gamma), t -> {
      double rate = LR0;
      for (long m : milestones) {
        if (m <= t) {
          rate *= gamma;
        }
      }
      return rate;
    });
  }

  @Test
  void exponentialDecay() {
    double gamma = 0.99999;
    assertClosedForm("ExponentialDecay", new ExponentialDecaySchedule(LR0, gamma),
        t -> LR0 * StrictMath.exp(t * StrictMath.log(gamma)));
  }

  @Test
  void linearDecay() {
    long steps = 700_000;
    double s = 0.9;
    double e = 0.05;
    assertClosedForm("LinearDecay", new LinearDecaySchedule(LR0, s, e, steps), t -> {
      long m = Math.min(t, steps);
      return LR0 * (s * (steps - m) + e * m) / steps;
    });
  }

  @Test
  void polynomialDecay() {
    long steps = 700_000;
    double power = 2.5;
    assertClosedForm("PolynomialDecay", new PolynomialDecaySchedule(LR0, steps, power),
        t -> LR0 * StrictMath.pow((double) (steps - Math.min(t, steps)) / steps, power));
  }

  @Test
  void cosineDecayHeldAndPeriodic() {
    long steps = 123_457;
    double min = 1e-4;
    LongToDoubleFunction periodic = t -> {
      long phase = t % (2 * steps); // cos(π·t/T) has period 2T: reduce exactly first
      return min + (LR0 - min) * 0.5 * (1 + StrictMath.cos(StrictMath.PI * phase / steps));
    };
    assertClosedForm("CosineDecay periodic", new CosineDecaySchedule(LR0, steps, min, true),
        periodic);
    assertClosedForm("CosineDecay held", new CosineDecaySchedule(LR0, steps, min, false),
        t -> t >= steps ? min : periodic.applyAsDouble(t));
  }

  @Test
  void cosineRestarts() {
    for (long multiplier : new long[] {1, 2, 3}) {
      long first = multiplier == 1 ? 777 : 10;
      double min = 1e-5;
      // Cycle starts found by summing the lengths: start_k = first·(m^k - 1)/(m - 1).
      long[] starts = new long[64];
      long[] lengths = new long[64];
      int cycles = 0;
      for (long start = 0, length = first; start < STEPS; start += length, length *= multiplier) {
        starts[cycles] = start;
        lengths[cycles++] = length;
        if (multiplier == 1 && cycles == 1) {
          break;
        }
      }
      int n = cycles;
      assertClosedForm("CosineRestarts mult " + multiplier,
          new CosineRestartsSchedule(LR0, first, multiplier, min), t -> {
            long cur;
            long len;
            if (multiplier == 1) {
              cur = t - (t / first) * first;
              len = first;
            } else {
              int k = n - 1;
              while (starts[k] > t) {
                k--;
              }
              cur = t - starts[k];
              len = lengths[k];
            }
            return min + (LR0 - min) * 0.5 * (1 + StrictMath.cos(StrictMath.PI * cur / len));
          });
    }
  }

  @Test
  void oneCycle() {
    double max = 0.5;
    double pct = 0.25;
    OneCycleSchedule schedule = new OneCycleSchedule(max, STEPS, pct,
        OneCycleSchedule.Annealing.COSINE, 25, 1e4, true, 0.85, 0.95);
    double init = max / 25;
    double low = init / 1e4;
    double e1 = pct * STEPS - 1;
    assertClosedForm("OneCycle", schedule, t -> {
      boolean rising = t <= e1;
      double p = rising ? t / e1 : (t - e1) / (STEPS - 1 - e1);
      double from = rising ? init : max;
      double to = rising ? max : low;
      return from * 0.5 * (1 + StrictMath.cos(StrictMath.PI * p))
          + to * 0.5 * (1 - StrictMath.cos(StrictMath.PI * p));
    });
    double worst = 0;
    for (long t = 0; t < STEPS; t += 7) {
      boolean rising = t <= e1;
      double p = rising ? t / e1 : (t - e1) / (STEPS - 1 - e1);
      double from = rising ? 0.95 : 0.85;
      double to = rising ? 0.85 : 0.95;
      double e = from * 0.5 * (1 + StrictMath.cos(StrictMath.PI * p))
          + to * 0.5 * (1 - StrictMath.cos(StrictMath.PI * p));
      worst = Math.max(worst, Math.abs(schedule.momentum(t) - e) / e);
    }
    assertThat(worst).isLessThan(Golden.RTOL_LR);
  }

  @Test
  void warmupThenCosine() {
    long warmup = 1000;
    double s = 0.01;
    long rest = STEPS - warmup;
    assertClosedForm("Warmup + CosineDecay", new WarmupSchedule(LR0, warmup, 1, s, false,
        new CosineDecaySchedule(LR0, rest, 0, false)), t -> t < warmup
            ? LR0 * (s * (warmup - t) + t) / warmup
            : LR0 * 0.5 * (1 + StrictMath.cos(StrictMath.PI * (t - warmup) / rest)));
  }

  @Test
  void perEpochStepDecayAfterEpochWarmup() {
    long perEpoch = 469;
    assertClosedForm("Warmup + StepDecay, epochs", new WarmupSchedule(LR0, 2, perEpoch, 0.5, true,
        new PerEpochSchedule(new StepDecaySchedule(LR0, 30, 0.5), perEpoch)), t -> {
          if (t < 2 * perEpoch) {
            return LR0 * 0.5;
          }
          long epoch = (t - 2 * perEpoch) / perEpoch;
          return LR0 * StrictMath.pow(0.5, epoch / 30);
        });
  }
}
