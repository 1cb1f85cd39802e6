package dev.kiln.processor;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.kiln.runtime.ops.LossKind;
import dev.kiln.runtime.optim.Optimizer;
import dev.kiln.runtime.train.Trainer;
import dev.kiln.runtime.train.Training;
import dev.kiln.runtime.train.TrainingListener;
import dev.kiln.runtime.data.Dataset;
import dev.kiln.runtime.schedule.ReduceOnPlateauSchedule;
import dev.kiln.runtime.schedule.Schedules;
import dev.kiln.runtime.testing.Golden;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The generated trainers' learning rates against {@code schedules.json}: for every entry, a
 * training configuration is written from the entry's own PyTorch class and arguments as Kiln
 * annotations, compiled with the processor, and the trainer's {@code learningRate()} before each
 * of the entry's steps must match {@code lr[t]} (rtol 1e-10, atol 1e-12); for OneCycle the
 * optimizer's momentum at each step must match {@code momentum[t]}. Then: {@code AUTO} lengths and
 * epoch units planned by {@code fit} on a small in-memory dataset, {@code ReduceOnPlateau} driven
 * by {@code endEpoch}, an unplanned {@code AUTO} trainer failing before any state changes, previews
 * that change nothing, and allocation-free steps with the wrapped and momentum-cycling schedules.
 */
class ScheduleTrajectoryTest {
  private static final String TORCH = "torch.optim.lr_scheduler.";
  private static final Map<String, JsonObject> ENTRIES = new LinkedHashMap<>();
  private static Compiled compiled;

  private static final String MODEL = """
      package sched;

      import dev.kiln.dsl.*;

      @Model(inputs = 2)
      public abstract class Tiny {
        @Dense(2) Layer out;
      }
      """;

  private static String config(String name, int batchSize, int epochs, String sgd,
      String annotations) {
    if (annotations.contains("@OneCycle")) {
      // OneCycle sets the rate: the optimizer's learningRate is left out (a warning otherwise)
      sgd = sgd.replaceFirst("learningRate = [^,)]*, ", "");
    }
    return String.format(Locale.ROOT, """
        package sched;

        import dev.kiln.dsl.*;

        @TrainingConfig(model = Tiny.class, loss = Loss.SOFTMAX_CROSS_ENTROPY, batchSize = %d,
            epochs = %d, seed = 3)
        %s
        %s
        public interface %s {}
        """, batchSize, epochs, sgd, annotations, name);
  }

  private static String sgd(JsonObject entry) {
    JsonObject opt = entry.getAsJsonObject("optimizer");
    assertThat(opt.get("class").getAsString()).isEqualTo("torch.optim.SGD");
    return "@Sgd(learningRate = " + opt.get("lr").getAsDouble() + ", momentum = "
        + opt.get("momentum").getAsDouble() + ")";
  }

  /** The Kiln annotations for a PyTorch scheduler class and its arguments. */
  private static String annotations(String className, JsonObject a) {
    return switch (className.substring(TORCH.length())) {
      case "ConstantLR" -> "@Warmup(steps = " + a.get("total_iters").getAsInt() + ", startFactor = "
          + a.get("factor").getAsDouble() + ", shape = WarmupShape.CONSTANT)";
      case "StepLR" -> "@StepDecay(stepSize = " + a.get("step_size").getAsInt() + ", gamma = "
          + a.get("gamma").getAsDouble() + ")";
      case "MultiStepLR" -> "@MultiStepDecay(milestones = "
          + a.getAsJsonArray("milestones").toString().replace('[', '{').replace(']', '}')
          + ", gamma = " + a.get("gamma").getAsDouble() + ")";
      case "ExponentialLR" -> "@ExponentialDecay(gamma = " + a.get("gamma").getAsDouble() + ")";
      case "LinearLR" -> "@LinearDecay(startFactor = " + a.get("start_factor").getAsDouble()
          + ", endFactor = " + a.get("end_factor").getAsDouble() + ", steps = "
          + a.get("total_iters").getAsInt() + ")";
      case "PolynomialLR" -> "@PolynomialDecay(steps = " + a.get("total_iters").getAsInt()
          + ", power = " + a.get("power").getAsDouble() + ")";
      case "CosineAnnealingLR" -> "@CosineDecay(steps = " + a.get("T_max").getAsInt()
          + ", minimum = " + a.get("eta_min").getAsDouble() + ", periodic = true)";
      case "CosineAnnealingWarmRestarts" -> "@CosineRestarts(firstCycle = "
          + a.get("T_0").getAsInt() + ", cycleMultiplier = " + a.get("T_mult").getAsInt()
          + ", minimum = " + a.get("eta_min").getAsDouble() + ")";
      case "OneCycleLR" -> oneCycle(a, "totalSteps = " + a.get("total_steps").getAsInt() + ", ");
      case "SequentialLR" -> {
        JsonArray s = a.getAsJsonArray("schedulers");
        JsonObject warm = s.get(0).getAsJsonObject().getAsJsonObject("args");
        assertThat(s.get(0).getAsJsonObject().get("class").getAsString())
            .isEqualTo(TORCH + "LinearLR");
        assertThat(warm.get("end_factor").getAsDouble()).isEqualTo(1.0);
        assertThat(warm.get("total_iters").getAsInt())
            .isEqualTo(a.getAsJsonArray("milestones").get(0).getAsInt());
        JsonObject after = s.get(1).getAsJsonObject();
        yield "@Warmup(steps = " + warm.get("total_iters").getAsInt() + ", startFactor = "
            + warm.get("start_factor").getAsDouble() + ")\n"
            + annotations(after.get("class").getAsString(), after.getAsJsonObject("args"));
      }
      default -> throw new AssertionError("no Kiln annotation for " + className);
    };
  }

  private static String oneCycle(JsonObject a, String totalSteps) {
    assertThat(a.get("three_phase").getAsBoolean()).isFalse();
    return "@OneCycle(maxLearningRate = " + a.get("max_lr").getAsDouble() + ", " + totalSteps
        + "pctStart = " + a.get("pct_start").getAsDouble() + ", annealing = Annealing."
        + (a.get("anneal_strategy").getAsString().equals("cos") ? "COSINE" : "LINEAR")
        + ", divFactor = " + a.get("div_factor").getAsDouble() + ", finalDivFactor = "
        + a.get("final_div_factor").getAsDouble() + ", cycleMomentum = "
        + a.get("cycle_momentum").getAsBoolean() + ", baseMomentum = "
        + a.get("base_momentum").getAsDouble() + ", maxMomentum = "
        + a.get("max_momentum").getAsDouble() + ")";
  }

  private static String configName(String entry) {
    return "Golden_" + entry;
  }

  @BeforeAll
  static void compileEveryEntry() {
    Map<String, String> sources = new LinkedHashMap<>();
    sources.put("sched.Tiny", MODEL);
    for (JsonElement e : Golden.load("schedules.json").getAsJsonArray("schedules")) {
      JsonObject s = e.getAsJsonObject();
      String name = s.get("name").getAsString();
      ENTRIES.put(name, s);
      String schedule = s.get("class").isJsonNull() ? ""
          : annotations(s.get("class").getAsString(), s.getAsJsonObject("args"));
      sources.put("sched." + configName(name), config(configName(name), 1, 1, sgd(s), schedule));
    }
    JsonObject cosine = ENTRIES.get("cosine_full");
    JsonObject sequential = ENTRIES.get("sequential_linear_cosine");
    JsonObject sequentialArgs = sequential.getAsJsonObject("args");
    JsonObject warm = sequentialArgs.getAsJsonArray("schedulers").get(0).getAsJsonObject()
        .getAsJsonObject("args");
    JsonObject after = sequentialArgs.getAsJsonArray("schedulers").get(1).getAsJsonObject()
        .getAsJsonObject("args");
    // The AUTO variants leave the length out; fit plans 4 epochs x 50 batches = 200 steps.
    sources.put("sched.AutoCosine", config("AutoCosine", 2, 4, sgd(cosine),
        "@CosineDecay(minimum = " + cosine.getAsJsonObject("args").get("eta_min").getAsDouble()
            + ", periodic = true)"));
    sources.put("sched.AutoWarmupCosine", config("AutoWarmupCosine", 2, 4, sgd(sequential),
        "@Warmup(steps = " + warm.get("total_iters").getAsInt() + ", startFactor = "
            + warm.get("start_factor").getAsDouble() + ")\n@CosineDecay(minimum = "
            + after.get("eta_min").getAsDouble() + ")"));
    JsonObject oneCycle = ENTRIES.get("onecycle_cos");
    sources.put("sched.AutoOneCycle", config("AutoOneCycle", 2, 4, sgd(oneCycle),
        oneCycle(oneCycle.getAsJsonObject("args"), "")));
    JsonObject step = ENTRIES.get("step");
    // Stepped per epoch: 100 epochs of 2 batches.
    sources.put("sched.EpochStep", config("EpochStep", 2, 100, sgd(step), "@StepDecay(stepSize = "
        + step.getAsJsonObject("args").get("step_size").getAsInt() + ", gamma = "
        + step.getAsJsonObject("args").get("gamma").getAsDouble()
        + ", unit = ScheduleUnit.EPOCH)"));
    sources.put("sched.Plateau", config("Plateau", 2, 3, "@Sgd(learningRate = 0.1)",
        "@ReduceOnPlateau(factor = 0.5, patience = 1, threshold = 0.01, cooldown = 1,"
            + " minimum = 0.02)"));
    compiled = Compiled.compile(sources);
  }

  private static Trainer trainer(String config) throws Exception {
    Object network = compiled.load("sched.TinyNetwork").getMethod("initialize", long.class)
        .invoke(null, 1L);
    Trainer trainer = (Trainer) compiled.load("sched." + config + "Trainer")
        .getConstructor(network.getClass()).newInstance(network);
    // One-hot labels for the direct stepBuffered calls (features stay 0).
    for (int r = 0; r < trainer.batchSize(); r++) {
      trainer.labelBuffer().set(2 * r + r % 2, 1f);
    }
    return trainer;
  }

  private static Optimizer optimizer(Trainer trainer) throws Exception {
    Field field = trainer.getClass().getDeclaredField("optimizer");
    field.setAccessible(true);
    return (Optimizer) field.get(trainer);
  }

  /** A dataset of {@code n} rows of 2 features, 2 classes. */
  private static Dataset data(int n) {
    float[] x = new float[2 * n];
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      x[2 * i] = (float) Math.sin(i);
      x[2 * i + 1] = (float) Math.cos(3 * i);
      y[i] = i % 2;
    }
    return Dataset.ofClassIndices(x, 2, y, 2, "tiny");
  }

  @Test
  void everyEntryMatchesPyTorchThroughTheGeneratedTrainer() throws Exception {
    double worst = 0;
    for (Map.Entry<String, JsonObject> e : ENTRIES.entrySet()) {
      Trainer trainer = trainer(configName(e.getKey()));
      double[] lr = Golden.doubles(e.getValue().getAsJsonArray("lr"));
      double[] momentum = e.getValue().has("momentum")
          ? Golden.doubles(e.getValue().getAsJsonArray("momentum")) : null;
      // A preview first: it must match and change nothing.
      double[] preview = trainer.scheduleCurve(lr.length, lr.length);
      Golden.assertAllClose(e.getKey() + " preview", preview, lr, Golden.RTOL_LR,
          Golden.ATOL_LR);
      assertThat(trainer.iteration()).isEqualTo(0);
      Optimizer optimizer = optimizer(trainer);
      for (int t = 0; t < lr.length; t++) {
        double rate = trainer.learningRate();
        assertThat(trainer.learningRate()).isEqualTo(rate); // reading changes nothing
        assertThat(trainer.learningRateAt(t)).isEqualTo(rate);
        Golden.assertAllClose(e.getKey() + " lr[" + t + "]", new double[] {rate},
            new double[] {lr[t]}, Golden.RTOL_LR, Golden.ATOL_LR);
        if (lr[t] * Golden.RTOL_LR >= Golden.ATOL_LR) { // where the relative part governs
          worst = Math.max(worst, Math.abs(rate - lr[t]) / lr[t]);
        }
        trainer.stepBuffered(1);
        if (momentum != null) {
          Golden.assertAllClose(e.getKey() + " momentum[" + t + "]",
              new double[] {optimizer.momentum()}, new double[] {momentum[t]}, Golden.RTOL_LR,
              Golden.ATOL_LR);
        }
      }
      assertThat(trainer.iteration()).isEqualTo(lr.length);
      if (momentum == null) {
        assertThat(optimizer.momentum()).isEqualTo(0.9); // left alone
      }
    }
    System.out.printf(Locale.ROOT, "[golden] generated trainers, %d schedules.json entries:"
        + " max relative lr error %.3g (where rtol governs)%n", ENTRIES.size(), worst);
  }

  /** Runs fit and returns the rate of each step taken, read through the trainer. */
  private static double[] fitAndRecord(Trainer trainer, Dataset train, Dataset validation) {
    List<Double> rates = new ArrayList<>();
    TrainingListener listener = new TrainingListener() {
      @Override
      public void onStep(Trainer t, long iteration, int epoch, float loss) {
        rates.add(t.learningRateAt(iteration - 1));
        assertThat(t.learningRate()).isEqualTo(t.learningRateAt(iteration));
      }
    };
    Training.fit(trainer, LossKind.SOFTMAX_CROSS_ENTROPY, 0, train, validation, listener);
    return rates.stream().mapToDouble(Double::doubleValue).toArray();
  }

  @Test
  void autoLengthsArePlannedByFit() throws Exception {
    Map<String, String> cases = Map.of("AutoCosine", "cosine_full", "AutoWarmupCosine",
        "sequential_linear_cosine", "AutoOneCycle", "onecycle_cos");
    for (Map.Entry<String, String> c : cases.entrySet()) {
      double[] expected = Golden.doubles(ENTRIES.get(c.getValue()).getAsJsonArray("lr"));
      Trainer trainer = trainer(c.getKey());
      IllegalStateException unplanned = assertThrows(IllegalStateException.class,
          trainer::learningRate);
      assertThat(unplanned).hasMessageThat().contains("planRun");
      // A preview of the planned run, before fit.
      Golden.assertAllClose(c.getKey() + " preview", trainer.scheduleCurve(200, 50), expected,
          Golden.RTOL_LR, Golden.ATOL_LR);
      double[] rates = fitAndRecord(trainer, data(100), null);
      assertThat(rates).hasLength(expected.length);
      Golden.assertAllClose(c.getKey() + " via fit", rates, expected, Golden.RTOL_LR,
          Golden.ATOL_LR);
    }
  }

  @Test
  void warmupLongerThanTheRunNamesTheAnnotationAndTheRunsSteps() throws Exception {
    // Issue 19, item 9: 4 epochs of 1 batch, less than the warm-up before an AUTO cosine.
    int warmup = ENTRIES.get("sequential_linear_cosine").getAsJsonObject("args")
        .getAsJsonArray("schedulers").get(0).getAsJsonObject().getAsJsonObject("args")
        .get("total_iters").getAsInt();
    assertThat(warmup).isGreaterThan(4);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> fitAndRecord(trainer("AutoWarmupCosine"), data(2), null));
    assertThat(e).hasMessageThat().contains("@Warmup lasts " + warmup + " steps");
    assertThat(e).hasMessageThat().contains("the whole run has 4 steps");
  }

  @Test
  void epochUnitsStepOncePerEpoch() throws Exception {
    double[] perEpoch = Golden.doubles(ENTRIES.get("step").getAsJsonArray("lr"));
    double[] rates = fitAndRecord(trainer("EpochStep"), data(4), null);
    assertThat(rates).hasLength(200);
    for (int t = 0; t < rates.length; t++) {
      Golden.assertAllClose("EpochStep lr[" + t + "]", new double[] {rates[t]},
          new double[] {perEpoch[t / 2]}, Golden.RTOL_LR, Golden.ATOL_LR);
    }
  }

  @Test
  void unplannedAutoScheduleFailsBeforeAnyStateChanges() throws Exception {
    Trainer trainer = trainer("AutoCosine");
    Map<String, INDArray> before = new LinkedHashMap<>();
    Object network = trainer.getClass().getMethod("network").invoke(trainer);
    @SuppressWarnings("unchecked")
    Map<String, INDArray> params = (Map<String, INDArray>) network.getClass()
        .getMethod("parameters").invoke(network);
    params.forEach((k, v) -> before.put(k, v.dup()));
    INDArray x = Nd4j.create(new float[] {1, 2, 3, 4}, new long[] {2, 2}, 'c');
    INDArray y = Nd4j.create(new float[] {1, 0, 0, 1}, new long[] {2, 2}, 'c');
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> trainer.step(x, y));
    assertThat(e).hasMessageThat().contains("fit");
    assertThat(trainer.iteration()).isEqualTo(0);
    params.forEach((k, v) -> assertWithMessage(k).that(v).isEqualTo(before.get(k)));
    trainer.planRun(10, 5);
    trainer.step(x, y);
    assertThat(trainer.iteration()).isEqualTo(1);
    assertThrows(IllegalArgumentException.class, () -> trainer.planRun(0, 5));
  }

  @Test
  void reduceOnPlateauIsDrivenByEndEpoch() throws Exception {
    Trainer trainer = trainer("Plateau");
    ReduceOnPlateauSchedule reference = new ReduceOnPlateauSchedule(0.1, 0.5, 1, 0.01, true, 1,
        0.02, false);
    double[] losses = {1.0, 0.99, 0.995, 0.98, 0.97, 0.5, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6};
    List<Double> rates = new ArrayList<>();
    for (int e = 0; e < losses.length; e++) {
      trainer.stepBuffered(1);
      trainer.endEpoch(e + 1, losses[e]);
      reference.endEpoch(e + 1, losses[e]);
      assertThat(trainer.learningRate()).isEqualTo(reference.rate(0));
      rates.add(trainer.learningRate());
    }
    assertThat(rates).contains(0.05);
    assertThat(rates.get(rates.size() - 1)).isEqualTo(0.02);
    // The state travels as a few numbers into a fresh trainer.
    double[] state = trainer.schedule().state();
    Trainer copy = trainer("Plateau");
    copy.schedule().restoreState(state);
    assertThat(copy.learningRate()).isEqualTo(trainer.learningRate());
    // Without validation data (NaN) nothing changes.
    Trainer fresh = trainer("Plateau");
    fitAndRecord(fresh, data(6), null);
    assertThat(fresh.learningRate()).isEqualTo(0.1);
  }

  @Test
  void baseRateOverrideRescalesTheSchedule() throws Exception {
    Trainer trainer = trainer(configName("step"));
    double[] lr = Golden.doubles(ENTRIES.get("step").getAsJsonArray("lr"));
    double lr0 = ENTRIES.get("step").getAsJsonObject("optimizer").get("lr").getAsDouble();
    trainer.setBaseLearningRate(2 * lr0);
    for (int t = 0; t < lr.length; t += 7) {
      assertThat(trainer.learningRateAt(t)).isWithin(1e-15).of(2 * lr[t]);
    }
    assertThrows(IllegalArgumentException.class, () -> trainer.setBaseLearningRate(0));
  }

  @Test
  void stepsWithScheduleWrappersAndMomentumCyclingAllocateNothing() throws Exception {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    Map<String, Double> perStep = new LinkedHashMap<>();
    for (String config : List.of(configName("constant"), configName("onecycle_cos"),
        configName("sequential_linear_cosine"), configName("multistep"),
        configName("cosine_warm_restarts_0"))) {
      Trainer trainer = trainer(config);
      for (int i = 0; i < 500; i++) {
        trainer.stepBuffered(1);
      }
      long nativeBefore = Pointer.totalBytes();
      long before = threads.getCurrentThreadAllocatedBytes();
      for (int i = 0; i < 2000; i++) {
        trainer.stepBuffered(1);
      }
      perStep.put(config, (threads.getCurrentThreadAllocatedBytes() - before) / 2000.0);
      assertWithMessage("%s: growth of Pointer.totalBytes()", config)
          .that(Pointer.totalBytes() - nativeBefore).isAtMost(0L);
    }
    System.out.printf(Locale.ROOT, "[allocation] heap bytes per step by schedule: %s%n", perStep);
    double constant = perStep.get(configName("constant"));
    for (Map.Entry<String, Double> e : perStep.entrySet()) {
      assertWithMessage("%s heap bytes per step (constant schedule: %s)", e.getKey(), constant)
          .that(e.getValue()).isAtMost(Math.max(64, constant + 1));
    }
  }
}
