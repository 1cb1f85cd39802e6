package dev.kiln.runtime.schedule;

import dev.kiln.runtime.testing.GoldenCheck;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.kiln.runtime.schedule.CosineRestartsSchedule;
import dev.kiln.runtime.schedule.ExponentialDecaySchedule;
import dev.kiln.runtime.schedule.LinearDecaySchedule;
import dev.kiln.runtime.schedule.MultiStepDecaySchedule;
import dev.kiln.runtime.schedule.OneCycleSchedule;
import dev.kiln.runtime.schedule.PolynomialDecaySchedule;
import dev.kiln.runtime.schedule.Schedules;
import dev.kiln.runtime.schedule.StepDecaySchedule;
import dev.kiln.runtime.schedule.WarmupSchedule;
import dev.kiln.runtime.testing.Golden;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Every entry of {@code schedules.json} against the runtime schedule built from the entry's own
 * PyTorch class and constructor arguments (none hard-coded here): the rate at each of its steps
 * within the README's rtol 1e-10 / atol 1e-12, and for {@code OneCycleLR} the momentum too. An
 * entry whose class this test cannot map fails the test, so a new entry in the file is noticed.
 */
class ScheduleGoldenTest {
  private static final GoldenCheck GOLDEN = new GoldenCheck("schedules.json (all entries)");
  private static final String TORCH = "torch.optim.lr_scheduler.";

  @AfterAll
  static void summary() {
    System.out.println(GOLDEN.summary());
  }

  /**
   * The runtime schedule for a PyTorch scheduler class and its arguments, over base rate {@code
   * lr0}. Package-visible so that tests of wrappers can reuse it.
   */
  static LearningRateSchedule fromTorch(String className, JsonObject args, double lr0) {
    return switch (className.substring(TORCH.length())) {
      case "ConstantLR" -> new WarmupSchedule(lr0, args.get("total_iters").getAsLong(), 1,
          args.get("factor").getAsDouble(), true, LearningRateSchedule.constant(lr0));
      case "StepLR" -> new StepDecaySchedule(lr0, args.get("step_size").getAsLong(),
          args.get("gamma").getAsDouble());
      case "MultiStepLR" -> new MultiStepDecaySchedule(lr0,
          longs(args.getAsJsonArray("milestones")), args.get("gamma").getAsDouble());
      case "ExponentialLR" -> new ExponentialDecaySchedule(lr0, args.get("gamma").getAsDouble());
      case "LinearLR" -> new LinearDecaySchedule(lr0, args.get("start_factor").getAsDouble(),
          args.get("end_factor").getAsDouble(), args.get("total_iters").getAsLong());
      case "PolynomialLR" -> new PolynomialDecaySchedule(lr0, args.get("total_iters").getAsLong(),
          args.get("power").getAsDouble());
      case "CosineAnnealingLR" -> new CosineDecaySchedule(lr0, args.get("T_max").getAsLong(),
          args.get("eta_min").getAsDouble(), true);
      case "CosineAnnealingWarmRestarts" -> new CosineRestartsSchedule(lr0,
          args.get("T_0").getAsLong(), args.get("T_mult").getAsLong(),
          args.get("eta_min").getAsDouble());
      case "OneCycleLR" -> {
        assertThat(args.get("three_phase").getAsBoolean()).isFalse();
        String strategy = args.get("anneal_strategy").getAsString();
        yield new OneCycleSchedule(args.get("max_lr").getAsDouble(),
            args.get("total_steps").getAsLong(), args.get("pct_start").getAsDouble(),
            strategy.equals("cos") ? OneCycleSchedule.Annealing.COSINE
                : OneCycleSchedule.Annealing.LINEAR,
            args.get("div_factor").getAsDouble(), args.get("final_div_factor").getAsDouble(),
            args.get("cycle_momentum").getAsBoolean(), args.get("base_momentum").getAsDouble(),
            args.get("max_momentum").getAsDouble());
      }
      case "SequentialLR" -> sequential(args, lr0);
      default -> throw new AssertionError("no Kiln schedule mapped for " + className);
    };
  }

  /** {@code SequentialLR([LinearLR(s, 1.0, m), after], [m])}: a Kiln warm-up, then {@code after}. */
  private static LearningRateSchedule sequential(JsonObject args, double lr0) {
    JsonArray schedulers = args.getAsJsonArray("schedulers");
    JsonArray milestones = args.getAsJsonArray("milestones");
    assertThat(schedulers.size()).isEqualTo(2);
    assertThat(milestones.size()).isEqualTo(1);
    JsonObject warm = schedulers.get(0).getAsJsonObject();
    JsonObject warmArgs = warm.getAsJsonObject("args");
    assertThat(warm.get("class").getAsString()).isEqualTo(TORCH + "LinearLR");
    assertThat(warmArgs.get("end_factor").getAsDouble()).isEqualTo(1.0);
    long m = milestones.get(0).getAsLong();
    assertThat(warmArgs.get("total_iters").getAsLong()).isEqualTo(m);
    JsonObject after = schedulers.get(1).getAsJsonObject();
    return new WarmupSchedule(lr0, m, 1, warmArgs.get("start_factor").getAsDouble(), false,
        fromTorch(after.get("class").getAsString(), after.getAsJsonObject("args"), lr0));
  }

  private static long[] longs(JsonArray a) {
    long[] out = new long[a.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = a.get(i).getAsLong();
    }
    return out;
  }

  /** One entry: name, schedule, expected rates and (OneCycle) momenta. */
  record Entry(String name, LearningRateSchedule schedule, double[] lr, double[] momentum) {}

  static List<Entry> entries() {
    List<Entry> out = new ArrayList<>();
    for (JsonElement e : Golden.load("schedules.json").getAsJsonArray("schedules")) {
      JsonObject s = e.getAsJsonObject();
      double lr0 = s.getAsJsonObject("optimizer").get("lr").getAsDouble();
      LearningRateSchedule schedule = s.get("class").isJsonNull()
          ? LearningRateSchedule.constant(lr0)
          : fromTorch(s.get("class").getAsString(), s.getAsJsonObject("args"), lr0);
      double[] lr = Golden.doubles(s.getAsJsonArray("lr"));
      assertThat(lr.length).isEqualTo(s.get("steps").getAsInt());
      out.add(new Entry(s.get("name").getAsString(), schedule, lr,
          s.has("momentum") ? Golden.doubles(s.getAsJsonArray("momentum")) : null));
    }
    return out;
  }

  @Test
  void everyEntryMatchesPyTorch() {
    List<String> names = new ArrayList<>();
    int momenta = 0;
    for (Entry entry : entries()) {
      names.add(entry.name());
      double[] actual = Schedules.curve(entry.schedule(), entry.lr().length);
      GOLDEN.check(entry.name() + " lr", actual, entry.lr(), Golden.RTOL_LR, Golden.ATOL_LR);
      // Reading is pure: the same values again, in reverse order.
      for (int t = actual.length - 1; t >= 0; t--) {
        assertWithMessage("%s: rate(%s) read again", entry.name(), t)
            .that(entry.schedule().rate(t)).isEqualTo(actual[t]);
      }
      if (entry.momentum() != null) {
        momenta++;
        GOLDEN.check(entry.name() + " momentum",
            Schedules.momentumCurve(entry.schedule(), entry.momentum().length), entry.momentum(),
            Golden.RTOL_LR, Golden.ATOL_LR);
      } else {
        assertThat(entry.schedule().momentum(0)).isNaN();
      }
    }
    assertThat(names).containsAtLeast("constant", "constant_lr", "step", "multistep",
        "exponential", "linear_warmup", "linear_decay", "polynomial_0", "polynomial_1",
        "cosine_full", "cosine_periodic", "cosine_warm_restarts_0", "cosine_warm_restarts_1",
        "onecycle_cos", "onecycle_linear", "sequential_linear_cosine");
    assertThat(momenta).isEqualTo(2);
  }

  /** OneCycle holds its final rate (and the top momentum) after the cycle, where PyTorch raises. */
  @Test
  void oneCycleHoldsAfterTheCycle() {
    for (Entry entry : entries()) {
      if (entry.momentum() == null) {
        continue;
      }
      int last = entry.lr().length - 1;
      for (long t = last; t < last + 1000; t++) {
        assertThat(entry.schedule().rate(t)).isWithin(1e-15).of(entry.lr()[last]);
        assertThat(entry.schedule().momentum(t)).isWithin(1e-15).of(entry.momentum()[last]);
      }
    }
  }
}
