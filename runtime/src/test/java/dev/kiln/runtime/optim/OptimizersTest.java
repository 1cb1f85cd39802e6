package dev.kiln.runtime.optim;

import dev.kiln.runtime.tensor.Tensor;
import dev.kiln.runtime.testing.GoldenCheck;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;
import static dev.kiln.runtime.testing.GoldenTensors.expected;
import static dev.kiln.runtime.testing.GoldenTensors.tensor;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.kiln.runtime.testing.Golden;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The optimizer classes ({@link SgdOptimizer}, {@link AdamOptimizer}, {@link RmsPropOptimizer})
 * over a {@link ParameterSet} against every run of {@code optimizers.json}: parameters after each
 * step, the state after the last step by PyTorch's names ({@code momentum_buffer}, {@code
 * exp_avg}, {@code exp_avg_sq}, {@code square_avg}) and the step count. PyTorch's coupled {@code
 * weight_decay} is the L2 folded into {@link SgdOptimizer}'s update for SGD, as generated
 * trainers use it, and {@link Regularization#addL2} before the update for Adam and RMSprop; AdamW's is
 * the decoupled decay of {@link AdamOptimizer} on every parameter, as PyTorch decays the whole
 * group. Variants the file lacks (AMSGrad, centered RMSprop, decoupled decay on SGD and RMSprop)
 * are checked against a float64 re-implementation of PyTorch's formulas in this test.
 */
class OptimizersTest {
  private static final GoldenCheck GOLDEN = new GoldenCheck("optimizers.json (all runs)");

  @AfterAll
  static void summary() {
    System.out.println(GOLDEN.summary());
  }

  /** A parameter set over fresh copies of the file's initial parameters, one layer each. */
  private static ParameterSet parameters(JsonArray initial, List<String> names, Tensor[] grads) {
    ParameterSet.Builder b = ParameterSet.builder();
    for (int i = 0; i < initial.size(); i++) {
      grads[i] = Tensor.zeros(Golden.shape(initial.get(i)));
      b.add(names.get(i), "layer" + i, ParameterKind.WEIGHT, tensor(initial.get(i)), grads[i]);
    }
    return b.build();
  }

  private static double number(JsonObject args, String name) {
    return args.has(name) && !args.get(name).isJsonNull() ? args.get(name).getAsDouble() : 0.0;
  }

  private static boolean flag(JsonObject args, String name) {
    return args.has(name) && !args.get(name).isJsonNull() && args.get(name).getAsBoolean();
  }

  private static Optimizer optimizer(String cls, JsonObject args, ParameterSet set) {
    double wd = number(args, "weight_decay");
    return switch (cls) {
      case "torch.optim.SGD" -> {
        // Coupled weight decay folded into the update, as the generated trainers do it.
        double[] l2 = new double[set.size()];
        java.util.Arrays.fill(l2, wd);
        yield new SgdOptimizer(set, number(args, "momentum"), number(args, "dampening"),
            flag(args, "nesterov"), null, l2);
      }
      case "torch.optim.Adam", "torch.optim.AdamW" -> {
        JsonArray betas = args.getAsJsonArray("betas");
        double[] decay = null;
        if (cls.endsWith("AdamW")) {
          decay = new double[set.size()];
          java.util.Arrays.fill(decay, wd);
        }
        yield new AdamOptimizer(set, betas.get(0).getAsDouble(), betas.get(1).getAsDouble(),
            number(args, "eps"), flag(args, "amsgrad"), decay);
      }
      case "torch.optim.RMSprop" -> new RmsPropOptimizer(set, number(args, "alpha"),
          number(args, "eps"), number(args, "momentum"), flag(args, "centered"), null);
      default -> throw new AssertionError("optimizer class without a Kiln optimizer: " + cls);
    };
  }

  @Test
  void everyRunMatchesPyTorch() {
    JsonObject file = Golden.load("optimizers.json");
    assertThat(file.get("dtype").getAsString()).isEqualTo("float32");
    List<String> names = new ArrayList<>();
    file.getAsJsonArray("param_names").forEach(e -> names.add(e.getAsString()));
    int runs = 0;
    for (JsonElement r : file.getAsJsonArray("runs")) {
      checkRun(file, r.getAsJsonObject(), names);
      runs++;
    }
    assertThat(runs).isAtLeast(1);
    System.out.println("[golden] optimizers.json: " + runs + " runs checked through the"
        + " Optimizer classes");
  }

  private static void checkRun(JsonObject file, JsonObject run, List<String> names) {
    String name = run.get("name").getAsString();
    String cls = run.get("class").getAsString();
    JsonObject args = run.getAsJsonObject("args");
    assertWithMessage("%s: maximize is not supported", name).that(flag(args, "maximize"))
        .isFalse();
    double lr = args.get("lr").getAsDouble();
    // SGD takes its L2 inside the update; Adam and RMSprop get it added to the gradient.
    double coupled = cls.endsWith("AdamW") || cls.endsWith("SGD") ? 0
        : number(args, "weight_decay");
    JsonArray initial = file.getAsJsonArray("initial_params");
    Tensor[] grads = new Tensor[initial.size()];
    ParameterSet set = parameters(initial, names, grads);
    Optimizer optimizer = optimizer(cls, args, set);
    JsonArray allGrads = file.getAsJsonArray("grads");
    JsonArray after = run.getAsJsonArray("params_after_step");
    for (int s = 0; s < allGrads.size(); s++) {
      for (int i = 0; i < set.size(); i++) {
        grads[i].setFrom(Golden.floats(allGrads.get(s).getAsJsonArray().get(i)));
        if (coupled != 0) {
          Regularization.addL2(set.value(i), grads[i], grads[i].length(), coupled);
        }
      }
      optimizer.update(lr);
      for (int i = 0; i < set.size(); i++) {
        GOLDEN.check(name + " step " + (s + 1) + " " + names.get(i),
            set.value(i).toFloatArray(), expected(after.get(s).getAsJsonArray().get(i)),
            Golden.RTOL_F32, Golden.ATOL_F32);
      }
    }
    assertThat(optimizer.steps()).isEqualTo(allGrads.size());
    JsonArray state = run.getAsJsonArray("state_after_last_step");
    Map<String, Tensor> buffers = optimizer.state();
    int expectedBuffers = 0;
    for (int i = 0; i < set.size(); i++) {
      JsonObject st = state.get(i).getAsJsonObject();
      for (Map.Entry<String, JsonElement> e : st.entrySet()) {
        if (e.getKey().equals("step")) {
          assertWithMessage("%s step", name).that(e.getValue().getAsDouble())
              .isEqualTo((double) optimizer.steps());
        } else if (e.getValue().isJsonNull()) {
          assertWithMessage("%s: %s absent", name, e.getKey())
              .that(buffers).doesNotContainKey(names.get(i) + "." + e.getKey());
        } else {
          Tensor buffer = buffers.get(names.get(i) + "." + e.getKey());
          assertWithMessage("%s: state %s.%s", name, names.get(i), e.getKey()).that(buffer)
              .isNotNull();
          GOLDEN.check(name + " state " + names.get(i) + "." + e.getKey(), buffer.toFloatArray(),
              expected(e.getValue()), Golden.RTOL_F32, Golden.ATOL_F32);
          expectedBuffers++;
        }
      }
    }
    assertWithMessage("%s: no buffers beyond PyTorch's state", name).that(buffers.size())
        .isEqualTo(expectedBuffers);
  }

  // ---- variants the golden file has no run for: float64 re-implementations of PyTorch 1.13 ----

  private record Case(JsonArray initial, JsonArray grads, List<String> names) {
    static Case load() {
      JsonObject file = Golden.load("optimizers.json");
      List<String> names = new ArrayList<>();
      file.getAsJsonArray("param_names").forEach(e -> names.add(e.getAsString()));
      return new Case(file.getAsJsonArray("initial_params"), file.getAsJsonArray("grads"), names);
    }

    double[] initialOf(int i) {
      return Golden.doubles(initial.get(i));
    }

    double[] gradOf(int step, int i) {
      return Golden.doubles(grads.get(step).getAsJsonArray().get(i));
    }
  }

  /** Runs {@code optimizer} over the file's gradients and compares with {@code reference}. */
  private static void compare(String what, Case c, java.util.function.Function<ParameterSet,
      Optimizer> factory, Reference reference, double lr) {
    Tensor[] grads = new Tensor[c.initial().size()];
    ParameterSet set = parameters(c.initial(), c.names(), grads);
    Optimizer optimizer = factory.apply(set);
    double[][] w = new double[set.size()][];
    for (int i = 0; i < set.size(); i++) {
      w[i] = c.initialOf(i);
    }
    for (int s = 0; s < c.grads().size(); s++) {
      for (int i = 0; i < set.size(); i++) {
        grads[i].setFrom(Golden.floats(c.grads().get(s).getAsJsonArray().get(i)));
        reference.step(i, w[i], c.gradOf(s, i), s + 1, lr);
      }
      optimizer.update(lr);
      for (int i = 0; i < set.size(); i++) {
        GOLDEN.check(what + " step " + (s + 1) + " " + c.names().get(i),
            set.value(i).toFloatArray(), w[i], Golden.RTOL_F32, Golden.ATOL_F32);
      }
    }
  }

  /** One float64 update of parameter {@code i} in place. */
  private interface Reference {
    void step(int i, double[] w, double[] g, int k, double lr);
  }

  @Test
  void amsgradWithDecoupledDecayMatchesTheFormula() {
    Case c = Case.load();
    double b1 = 0.8;
    double b2 = 0.9;
    double eps = 1e-3;
    double wd = 0.05;
    double[][] m = new double[3][];
    double[][] v = new double[3][];
    double[][] vMax = new double[3][];
    boolean[] maxMattered = new boolean[1];
    compare("amsgrad", c, set -> new AdamOptimizer(set, b1, b2, eps, true,
        new double[] {wd, wd, wd}), (i, w, g, k, lr) -> {
          if (m[i] == null) {
            m[i] = new double[w.length];
            v[i] = new double[w.length];
            vMax[i] = new double[w.length];
          }
          for (int j = 0; j < w.length; j++) {
            w[j] *= 1 - lr * wd;
            m[i][j] = b1 * m[i][j] + (1 - b1) * g[j];
            v[i][j] = b2 * v[i][j] + (1 - b2) * g[j] * g[j];
            maxMattered[0] |= vMax[i][j] > v[i][j];
            vMax[i][j] = Math.max(vMax[i][j], v[i][j]);
            double denom = Math.sqrt(vMax[i][j]) / Math.sqrt(1 - Math.pow(b2, k)) + eps;
            w[j] -= lr / (1 - Math.pow(b1, k)) * m[i][j] / denom;
          }
        }, 0.05);
    assertWithMessage("the AMSGrad maximum differed from v at some step").that(maxMattered[0])
        .isTrue();
  }

  @Test
  void centeredRmsPropWithMomentumAndDecayMatchesTheFormula() {
    Case c = Case.load();
    double alpha = 0.9;
    double eps = 1e-4;
    double mu = 0.5;
    double wd = 0.1;
    double[][] sq = new double[3][];
    double[][] avg = new double[3][];
    double[][] buf = new double[3][];
    compare("centered rmsprop", c, set -> new RmsPropOptimizer(set, alpha, eps, mu, true,
        new double[] {wd, 0, wd}), (i, w, g, k, lr) -> {
          if (sq[i] == null) {
            sq[i] = new double[w.length];
            avg[i] = new double[w.length];
            buf[i] = new double[w.length];
          }
          double decay = i == 1 ? 0 : wd;
          for (int j = 0; j < w.length; j++) {
            w[j] *= 1 - lr * decay;
            sq[i][j] = alpha * sq[i][j] + (1 - alpha) * g[j] * g[j];
            avg[i][j] = alpha * avg[i][j] + (1 - alpha) * g[j];
            double d = Math.sqrt(sq[i][j] - avg[i][j] * avg[i][j]) + eps;
            buf[i][j] = mu * buf[i][j] + g[j] / d;
            w[j] -= lr * buf[i][j];
          }
        }, 0.01);
  }

  @Test
  void sgdWithDecoupledDecayMatchesTheFormula() {
    Case c = Case.load();
    double mu = 0.9;
    double wd = 0.2;
    double[][] buf = new double[3][];
    compare("sgdw", c, set -> new SgdOptimizer(set, mu, 0, false, new double[] {wd, wd, 0}),
        (i, w, g, k, lr) -> {
          if (buf[i] == null) {
            buf[i] = g.clone();
          } else {
            for (int j = 0; j < w.length; j++) {
              buf[i][j] = mu * buf[i][j] + g[j];
            }
          }
          double decay = i == 2 ? 0 : wd;
          for (int j = 0; j < w.length; j++) {
            w[j] = w[j] * (1 - lr * decay) - lr * buf[i][j];
          }
        }, 0.1);
  }

  @Test
  void stateIsNamedAsPyTorchAndRegisteredOnce() {
    Tensor[] grads = new Tensor[2];
    ParameterSet set = ParameterSet.builder()
        .add("a.weight", "a", ParameterKind.WEIGHT, Tensor.zeros(2, 3), grads[0] = Tensor.zeros(2, 3))
        .add("a.bias", "a", ParameterKind.BIAS, Tensor.zeros(3), grads[1] = Tensor.zeros(3))
        .build();
    assertThat(new AdamOptimizer(set, 0.9, 0.999, 1e-8, true, null).state().keySet())
        .containsExactly("a.weight.exp_avg", "a.weight.exp_avg_sq", "a.weight.max_exp_avg_sq",
            "a.bias.exp_avg", "a.bias.exp_avg_sq", "a.bias.max_exp_avg_sq").inOrder();
    assertThat(new RmsPropOptimizer(set, 0.99, 1e-8, 0.9, true, null).state().keySet())
        .containsExactly("a.weight.square_avg", "a.weight.momentum_buffer", "a.weight.grad_avg",
            "a.bias.square_avg", "a.bias.momentum_buffer", "a.bias.grad_avg").inOrder();
    assertThat(new RmsPropOptimizer(set, 0.99, 1e-8, 0, false, null).state().keySet())
        .containsExactly("a.weight.square_avg", "a.bias.square_avg").inOrder();
    assertThat(new AdamOptimizer(set, 0.9, 0.999, 1e-8, false, null).state().get("a.bias.exp_avg")
        .array().shape()).isEqualTo(new long[] {3});
  }

  @Test
  void restoredStepCountDrivesBiasCorrection() {
    Tensor g = Tensor.zeros(1);
    Tensor w = Tensor.zeros(1);
    ParameterSet set = ParameterSet.builder().add("p", "l", ParameterKind.WEIGHT, w, g).build();
    AdamOptimizer adam = new AdamOptimizer(set, 0.9, 0.999, 1e-8, false, null);
    adam.restoreSteps(9); // the next update is step 10
    g.set(0, 1f);
    adam.update(0.1);
    double m = 0.1;
    double v = 0.001;
    double expected = -0.1 / (1 - Math.pow(0.9, 10)) * m
        / (Math.sqrt(v) / Math.sqrt(1 - Math.pow(0.999, 10)) + 1e-8);
    Golden.assertAllClose("w after step 10", w.toFloatArray(), new double[] {expected},
        Golden.RTOL_F32, Golden.ATOL_F32);
    assertThat(adam.steps()).isEqualTo(10);
    assertThrows(IllegalArgumentException.class, () -> adam.restoreSteps(-1));
  }

  @Test
  void rejectsOutOfRangeHyperparameters() {
    ParameterSet set = ParameterSet.builder()
        .add("p", "l", ParameterKind.WEIGHT, Tensor.zeros(2), Tensor.zeros(2)).build();
    assertThrows(IllegalArgumentException.class,
        () -> new AdamOptimizer(set, 1.0, 0.999, 1e-8, false, null));
    assertThrows(IllegalArgumentException.class,
        () -> new AdamOptimizer(set, 0.9, -0.1, 1e-8, false, null));
    assertThrows(IllegalArgumentException.class,
        () -> new AdamOptimizer(set, 0.9, 0.999, 0, false, null));
    assertThrows(IllegalArgumentException.class,
        () -> new AdamOptimizer(set, 0.9, 0.999, 1e-8, false, new double[] {0.1, 0.1}));
    assertThrows(IllegalArgumentException.class,
        () -> new RmsPropOptimizer(set, 0.99, 1e-8, 0, false, new double[] {-1}));
    assertThrows(IllegalArgumentException.class,
        () -> new RmsPropOptimizer(set, 1.0, 1e-8, 0, false, null));
    RmsPropOptimizer noMomentum = new RmsPropOptimizer(set, 0.99, 1e-8, 0, false, null);
    assertThrows(IllegalStateException.class, () -> noMomentum.setMomentum(0.9));
  }
}
