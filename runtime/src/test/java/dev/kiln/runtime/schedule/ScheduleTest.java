package dev.kiln.runtime.schedule;

import dev.kiln.runtime.testing.GoldenCheck;

import static com.google.common.truth.Truth.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.kiln.runtime.testing.Golden;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * {@link CosineDecaySchedule} against the {@code CosineAnnealingLR} schedules of {@code
 * schedules.json} ({@code cosine_full}, {@code cosine_periodic}), plus the non-periodic variant and
 * a long run against an independently computed closed form.
 */
class ScheduleTest {
  private static final GoldenCheck GOLDEN = new GoldenCheck("schedules.json cosine");
  private static final String COSINE = "torch.optim.lr_scheduler.CosineAnnealingLR";

  @AfterAll
  static void summary() {
    System.out.println(GOLDEN.summary());
  }

  /** One CosineAnnealingLR entry of the file. */
  private record Cosine(String name, double lr0, long tMax, double etaMin, double[] lr) {}

  private static List<Cosine> cosines() {
    List<Cosine> out = new ArrayList<>();
    for (JsonElement e : Golden.load("schedules.json").getAsJsonArray("schedules")) {
      JsonObject s = e.getAsJsonObject();
      if (s.get("class").isJsonNull() || !s.get("class").getAsString().equals(COSINE)) {
        continue;
      }
      JsonObject args = s.getAsJsonObject("args");
      JsonArray lr = s.getAsJsonArray("lr");
      assertThat(lr.size()).isEqualTo(s.get("steps").getAsInt());
      out.add(new Cosine(s.get("name").getAsString(),
          s.getAsJsonObject("optimizer").get("lr").getAsDouble(), args.get("T_max").getAsLong(),
          args.has("eta_min") ? args.get("eta_min").getAsDouble() : 0.0, Golden.doubles(lr)));
    }
    return out;
  }

  @Test
  void periodicCosineMatchesPyTorch() {
    List<Cosine> cosines = cosines();
    List<String> names = new ArrayList<>();
    for (Cosine c : cosines) {
      names.add(c.name());
      CosineDecaySchedule schedule = new CosineDecaySchedule(c.lr0(), c.tMax(), c.etaMin(), true);
      double[] actual = new double[c.lr().length];
      for (int t = 0; t < actual.length; t++) {
        actual[t] = schedule.rate(t);
      }
      GOLDEN.check(c.name() + " lr", actual, c.lr(), Golden.RTOL_LR, Golden.ATOL_LR);
    }
    assertThat(names).containsAtLeast("cosine_full", "cosine_periodic");
  }

  /**
   * Non-periodic: the PyTorch values up to {@code T_max}, then exactly the minimum for ever (the
   * periodic form would climb back towards {@code lr0}).
   */
  @Test
  void nonPeriodicCosineHoldsAtTheMinimumAfterSteps() {
    for (Cosine c : cosines()) {
      CosineDecaySchedule schedule = new CosineDecaySchedule(c.lr0(), c.tMax(), c.etaMin(), false);
      CosineDecaySchedule periodic = new CosineDecaySchedule(c.lr0(), c.tMax(), c.etaMin(), true);
      int upTo = (int) Math.min(c.tMax(), c.lr().length);
      double[] actual = new double[upTo];
      double[] expected = new double[upTo];
      for (int t = 0; t < upTo; t++) {
        actual[t] = schedule.rate(t);
        expected[t] = c.lr()[t];
        assertThat(actual[t]).isEqualTo(periodic.rate(t));
      }
      GOLDEN.check(c.name() + " non-periodic lr before T_max", actual, expected, Golden.RTOL_LR,
          Golden.ATOL_LR);
      for (long t = c.tMax(); t < 3 * c.tMax() + 5; t++) {
        assertThat(schedule.rate(t)).isEqualTo(c.etaMin());
      }
      assertThat(schedule.rate(Long.MAX_VALUE / 2)).isEqualTo(c.etaMin());
      if (c.lr().length > c.tMax() + 1) { // the periodic PyTorch schedule climbs back up
        assertThat(c.lr()[(int) c.tMax() + 1]).isGreaterThan(c.etaMin());
      }
    }
  }

  /**
   * A million steps against the closed form evaluated independently: the phase reduced to one
   * period {@code [0, 2·T_max)} in exact integer arithmetic first, so the reference has no error
   * that grows with {@code t}. A schedule that accumulated its rate step by step would drift.
   */
  @Test
  void millionStepsMatchTheClosedFormWithoutDrift() {
    long steps = 1_000_000;
    double worst = 0;
    for (Cosine c : cosines()) {
      for (boolean periodic : new boolean[] {true, false}) {
        CosineDecaySchedule schedule =
            new CosineDecaySchedule(c.lr0(), c.tMax(), c.etaMin(), periodic);
        for (long t = 0; t < steps; t++) {
          double expected;
          if (!periodic && t >= c.tMax()) {
            expected = c.etaMin();
          } else {
            long phase = t % (2 * c.tMax());
            expected = c.etaMin()
                + (c.lr0() - c.etaMin()) * 0.5 * (1 + StrictMath.cos(StrictMath.PI * phase / c.tMax()));
          }
          double actual = schedule.rate(t);
          double diff = Math.abs(actual - expected);
          if (!(diff <= Golden.ATOL_LR + Golden.RTOL_LR * Math.abs(expected))) {
            throw new AssertionError(String.format(Locale.ROOT,
                "%s periodic=%s: rate(%d) = %s, closed form %s", c.name(), periodic, t, actual,
                expected));
          }
          worst = Math.max(worst, diff / (Golden.ATOL_LR + Golden.RTOL_LR * Math.abs(expected)));
        }
      }
    }
    System.out.printf(Locale.ROOT,
        "[golden] cosine 10^6-step closed-form check: max tolerance share %.1f%%%n", 100 * worst);
  }

  @Test
  void rejectsNonPositiveSteps() {
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> new CosineDecaySchedule(0.1, 0, 0, true));
  }
}
