package dev.kiln.processor;

import static com.google.common.truth.Truth.assertThat;

import dev.kiln.runtime.train.Trainer;
import dev.kiln.runtime.testing.Golden;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Generated trainers against a float64 re-implementation of one training step in DESIGN.md's
 * order, for a single dense layer with MSE loss (whose gradients are exact in closed form: {@code
 * dW = xᵀ·2(y - t)/(n·d)}, {@code db = Σ 2(y - t)/(n·d)}): clipping in each mode and scope, L1 and
 * L2 (weights only, or all), decoupled decay, and Adam with AMSGrad, AdamW, RMSprop (centered,
 * with momentum) and SGD with momentum, over five steps; plus {@code lastGradientNorm()}, the
 * pre-clip norm of the configured type. The formulas are PyTorch 1.13's, as in {@code
 * shared/golden/README.md}; the runtime's kernels are also checked against the golden file itself
 * (runtime {@code OptimizersTest}, {@code GradientClipperTest}).
 */
class OptimizationReferenceTest {
  private static final int IN = 3;
  private static final int OUT = 2;
  private static final int N = 4;
  private static final int STEPS = 5;
  private static Compiled compiled;

  private static final String HEADER = """
      package ref;

      import dev.kiln.dsl.*;

      @TrainingConfig(model = Lin.class, loss = Loss.MSE, batchSize = 4, epochs = 1)
      """;

  @BeforeAll
  static void compile() {
    compiled = Compiled.compile(Map.of(
        "ref.Lin", """
            package ref;
            import dev.kiln.dsl.*;
            @Model(inputs = 3)
            public abstract class Lin {
              @Dense(2) Layer out;
            }
            """,
        "ref.AdamAll", HEADER + """
            @Adam(learningRate = 0.05, beta1 = 0.8, beta2 = 0.9, epsilon = 1e-6, amsgrad = true)
            @ClipGradNorm(maxNorm = 0.5, normType = 1, scope = ClipScope.PER_PARAMETER)
            @L1(0.01)
            @L2(value = 0.02, applyTo = ApplyTo.ALL)
            @WeightDecay(0.1)
            public interface AdamAll {}
            """,
        "ref.RmsValue", HEADER + """
            @RmsProp(learningRate = 0.01, alpha = 0.9, momentum = 0.5, centered = true)
            @ClipGradValue(0.05)
            @WeightDecay(value = 0.05, applyTo = ApplyTo.ALL)
            public interface RmsValue {}
            """,
        "ref.AdamWDefault", HEADER + """
            @AdamW(learningRate = 0.01)
            @ClipGradNorm(maxNorm = 0.3, normType = Double.POSITIVE_INFINITY)
            public interface AdamWDefault {}
            """,
        "ref.SgdW", HEADER + """
            @Sgd(learningRate = 0.1, momentum = 0.9)
            @WeightDecay(0.2)
            @L2(0.05)
            @ClipGradNorm(maxNorm = 0.4, scope = ClipScope.PER_LAYER)
            public interface SgdW {}
            """));
  }

  /** What the float64 reference does; each array holds W (row-major [3, 2]) then b. */
  private record Config(String name, String optimizer, double lr, double[] hyper, String clip,
      double threshold, double normType, boolean perParameter, double l1, double l2,
      boolean l2All, double decay, boolean decayAll) {}

  private static final class Reference {
    final Config c;
    final double[][] p;
    final double[][] s1;
    final double[][] s2;
    final double[][] s3;
    int step;

    Reference(Config c, double[][] initial) {
      this.c = c;
      this.p = new double[][] {initial[0].clone(), initial[1].clone()};
      this.s1 = new double[][] {new double[IN * OUT], new double[OUT]};
      this.s2 = new double[][] {new double[IN * OUT], new double[OUT]};
      this.s3 = new double[][] {new double[IN * OUT], new double[OUT]};
    }

    /** One step; returns the pre-clip norm. */
    double step(double[] x, double[] t) {
      double[][] g = {new double[IN * OUT], new double[OUT]};
      for (int r = 0; r < N; r++) {
        for (int j = 0; j < OUT; j++) {
          double y = p[1][j];
          for (int i = 0; i < IN; i++) {
            y += x[r * IN + i] * p[0][i * OUT + j];
          }
          double dy = 2 * (y - t[r * OUT + j]) / (N * OUT);
          g[1][j] += dy;
          for (int i = 0; i < IN; i++) {
            g[0][i * OUT + j] += x[r * IN + i] * dy;
          }
        }
      }
      double[] norms = {norm(g[0]), norm(g[1])};
      double total = c.normType() == 2 ? Math.hypot(norms[0], norms[1])
          : c.normType() == 1 ? norms[0] + norms[1] : Math.max(norms[0], norms[1]);
      for (int k = 0; k < 2; k++) {
        if (c.clip().equals("value")) {
          for (int e = 0; e < g[k].length; e++) {
            g[k][e] = Math.max(-c.threshold(), Math.min(c.threshold(), g[k][e]));
          }
        } else if (c.clip().equals("norm")) {
          double n = c.perParameter() ? norms[k] : total;
          double coefficient = Math.min(1, c.threshold() / (n + 1e-6));
          for (int e = 0; e < g[k].length; e++) {
            g[k][e] *= coefficient;
          }
        }
      }
      for (int k = 0; k < 2; k++) {
        boolean weight = k == 0;
        for (int e = 0; e < g[k].length; e++) {
          if (weight) {
            g[k][e] += c.l1() * Math.signum(p[k][e]);
          }
          if (weight || c.l2All()) {
            g[k][e] += c.l2() * p[k][e];
          }
        }
      }
      step++;
      for (int k = 0; k < 2; k++) {
        double decay = k == 0 || c.decayAll() ? c.decay() : 0;
        for (int e = 0; e < g[k].length; e++) {
          p[k][e] *= 1 - c.lr() * decay;
          update(k, e, g[k][e]);
        }
      }
      return total;
    }

    private double norm(double[] g) {
      double acc = 0;
      for (double v : g) {
        acc = c.normType() == 2 ? acc + v * v : c.normType() == 1 ? acc + Math.abs(v)
            : Math.max(acc, Math.abs(v));
      }
      return c.normType() == 2 ? Math.sqrt(acc) : acc;
    }

    private void update(int k, int e, double g) {
      double[] h = c.hyper();
      switch (c.optimizer()) {
        case "adam" -> { // beta1, beta2, eps, amsgrad
          s1[k][e] = h[0] * s1[k][e] + (1 - h[0]) * g;
          s2[k][e] = h[1] * s2[k][e] + (1 - h[1]) * g * g;
          double v = s2[k][e];
          if (h[3] != 0) {
            s3[k][e] = Math.max(s3[k][e], v);
            v = s3[k][e];
          }
          double denom = Math.sqrt(v) / Math.sqrt(1 - Math.pow(h[1], step)) + h[2];
          p[k][e] -= c.lr() / (1 - Math.pow(h[0], step)) * s1[k][e] / denom;
        }
        case "rmsprop" -> { // alpha, eps, momentum (centered)
          s1[k][e] = h[0] * s1[k][e] + (1 - h[0]) * g * g;
          s2[k][e] = h[0] * s2[k][e] + (1 - h[0]) * g;
          double d = Math.sqrt(s1[k][e] - s2[k][e] * s2[k][e]) + h[1];
          s3[k][e] = h[2] * s3[k][e] + g / d;
          p[k][e] -= c.lr() * s3[k][e];
        }
        default -> { // sgd: momentum
          s1[k][e] = step == 1 ? g : h[0] * s1[k][e] + g;
          p[k][e] -= c.lr() * s1[k][e];
        }
      }
    }
  }

  private static void run(String config, Config c) throws Exception {
    Object network = compiled.load("ref.LinNetwork").getMethod("initialize", long.class)
        .invoke(null, 11L);
    @SuppressWarnings("unchecked")
    Map<String, INDArray> params = (Map<String, INDArray>) network.getClass()
        .getMethod("parameters").invoke(network);
    Trainer trainer = (Trainer) compiled.load("ref." + config + "Trainer")
        .getConstructor(network.getClass()).newInstance(network);
    INDArray w = params.get("out.weight");
    INDArray b = params.get("out.bias");
    b.assign(Nd4j.create(new float[] {0.05f, -0.1f}, new long[] {OUT}, 'c')); // nonzero bias
    Reference ref = new Reference(c, new double[][] {w.data().asDouble(), b.data().asDouble()});
    Random random = new Random(3);
    for (int s = 0; s < STEPS; s++) {
      float[] x = new float[N * IN];
      float[] t = new float[N * OUT];
      for (int i = 0; i < x.length; i++) {
        x[i] = (float) (2 * random.nextDouble() - 1);
      }
      for (int i = 0; i < t.length; i++) {
        t[i] = (float) (3 * random.nextDouble() - 1.5);
      }
      trainer.step(Nd4j.create(x, new long[] {N, IN}, 'c'),
          Nd4j.create(t, new long[] {N, OUT}, 'c'));
      double norm = ref.step(widen(x), widen(t));
      String at = c.name() + " step " + (s + 1);
      Golden.assertAllClose(at + " lastGradientNorm", new double[] {trainer.lastGradientNorm()},
          new double[] {norm}, 1e-5, 1e-7);
      Golden.assertAllClose(at + " weight", w.data().asFloat(), ref.p[0], 2e-5, 1e-6);
      Golden.assertAllClose(at + " bias", b.data().asFloat(), ref.p[1], 2e-5, 1e-6);
    }
    assertThat(trainer.iteration()).isEqualTo(STEPS);
  }

  private static double[] widen(float[] a) {
    double[] out = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = a[i];
    }
    return out;
  }

  @Test
  void adamAmsgradPerParameterL1ClippingL1L2AllAndDecay() throws Exception {
    run("AdamAll", new Config("AdamAll", "adam", 0.05, new double[] {0.8, 0.9, 1e-6, 1}, "norm",
        0.5, 1, true, 0.01, 0.02, true, 0.1, false));
  }

  @Test
  void centeredRmsPropWithMomentumValueClippingAndDecayOnAll() throws Exception {
    run("RmsValue", new Config("RmsValue", "rmsprop", 0.01, new double[] {0.9, 1e-8, 0.5},
        "value", 0.05, 2, false, 0, 0, false, 0.05, true));
  }

  @Test
  void adamWDefaultDecaysWeightsOnlyWithMaxNormClipping() throws Exception {
    run("AdamWDefault", new Config("AdamWDefault", "adam", 0.01,
        new double[] {0.9, 0.999, 1e-8, 0}, "norm", 0.3, Double.POSITIVE_INFINITY, false, 0, 0,
        false, 0.01, false));
  }

  @Test
  void sgdWithDecoupledDecayL2AndPerLayerClipping() throws Exception {
    run("SgdW", new Config("SgdW", "sgd", 0.1, new double[] {0.9}, "norm", 0.4, 2, false, 0,
        0.05, false, 0.2, false));
  }
}
