package dev.kiln.processor;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;

import dev.kiln.runtime.ops.Erf;
import dev.kiln.runtime.train.Trainer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The generated exact-GELU backward, which takes Φ(x) = y/x from the forward output, gives the
 * true gradient where the GELU output is read by the next layer, is the input of a residual
 * block (the block start passes it on without a copy), is a block's last output before the sum,
 * is the input of an activation-only layer and is the network's logits: one SGD step (learning
 * rate 1, no momentum, so the update is minus the gradient) against central differences of the
 * same network computed in double here.
 */
class GeluGradientCheckTest {
  private static final String MODEL = """
      package gg;

      import static dev.kiln.dsl.ActivationFunction.*;

      import dev.kiln.dsl.*;

      @Block abstract class Pair {
        @Dense(16) @Activation(GELU) Layer up;
        @Dense(6) @Activation(GELU) Layer down;
      }

      @Model(inputs = 6)
      public abstract class GeluNet {
        @Dense(6) @Activation(GELU) Layer first;
        @Repeat(2) @Residual Pair pairs;
        @Activation(GELU) Layer act;
        @Dense(3) @Activation(GELU) Layer logits;
      }
      """;

  private static final String CONFIG = """
      package gg;

      import dev.kiln.dsl.*;

      @TrainingConfig(model = GeluNet.class, loss = Loss.SOFTMAX_CROSS_ENTROPY, batchSize = 5,
          epochs = 1, seed = 3)
      @Sgd(learningRate = 1.0)
      public interface GeluTraining {}
      """;

  private static final int ROWS = 5;

  @Test
  @SuppressWarnings("unchecked")
  void oneStepIsMinusTheFiniteDifferenceGradient() throws Exception {
    Compiled compiled = Compiled.compile(Map.of("gg.GeluNet", MODEL, "gg.GeluTraining", CONFIG));
    String trainer = compiled.source("gg.GeluTrainingTrainer");
    assertThat(trainer).contains("Gelu.backward(firstPre, firstOut,");
    assertThat(trainer).contains("Gelu.backward(logitsPre, logitsOut,");
    Object network = compiled.load("gg.GeluNetNetwork").getMethod("initialize", long.class)
        .invoke(null, 11L);
    Map<String, INDArray> p = (Map<String, INDArray>) network.getClass().getMethod("parameters")
        .invoke(network);
    Random random = new Random(4);
    for (INDArray a : p.values()) { // larger weights and biases: GELU's tails and its root
      for (long i = 0; i < a.length(); i++) {
        a.putScalar(i, random.nextGaussian() * 0.9);
      }
    }
    Map<String, double[]> before = new LinkedHashMap<>();
    p.forEach((k, v) -> before.put(k, v.castTo(DataType.DOUBLE).data().asDouble()));
    double[][] x = new double[ROWS][6];
    INDArray xs = Nd4j.zeros(DataType.FLOAT, ROWS, 6);
    for (int r = 0; r < ROWS; r++) {
      for (int j = 0; j < 6; j++) {
        x[r][j] = (float) (random.nextGaussian() * 2);
        xs.putScalar(r, j, x[r][j]);
      }
    }
    int[] labels = {0, 1, 2, 1, 0};
    INDArray ys = Nd4j.zeros(DataType.FLOAT, ROWS, 3);
    for (int r = 0; r < ROWS; r++) {
      ys.putScalar(r, labels[r], 1f);
    }
    Trainer t = (Trainer) compiled.load("gg.GeluTrainingTrainer")
        .getConstructor(network.getClass()).newInstance(network);
    float loss = t.step(xs, ys);
    assertWithMessage("loss").that((double) loss).isWithin(1e-5 * Math.max(1, loss))
        .of(loss(before, x, labels));
    double worst = 0;
    for (String key : before.keySet()) {
      double[] w = before.get(key);
      double[] after = p.get(key).castTo(DataType.DOUBLE).data().asDouble();
      for (int i = 0; i < w.length; i++) {
        double keep = w[i];
        double h = 1e-5;
        w[i] = keep + h;
        double up = loss(before, x, labels);
        w[i] = keep - h;
        double down = loss(before, x, labels);
        w[i] = keep;
        double numeric = (up - down) / (2 * h);
        double generated = keep - after[i];
        double error = Math.abs(generated - numeric);
        worst = Math.max(worst, error / (1e-4 + Math.abs(numeric)));
        assertWithMessage("%s[%s]: generated step %s, central difference %s", key, i, generated,
            numeric).that(error).isAtMost(2e-4 * Math.abs(numeric) + 2e-6);
      }
    }
    System.out.println("GeluGradientCheckTest: worst relative gradient error " + worst);
  }

  private static double gelu(double v) {
    return v * 0.5 * (1 + Erf.erf(v / Math.sqrt(2)));
  }

  /** [rows, out] = gelu(h·W + b). */
  private static double[][] dense(double[][] h, double[] w, double[] b, int out, boolean act) {
    int in = h[0].length;
    double[][] y = new double[h.length][out];
    for (int r = 0; r < h.length; r++) {
      for (int j = 0; j < out; j++) {
        double s = b[j];
        for (int k = 0; k < in; k++) {
          s += h[r][k] * w[k * out + j];
        }
        y[r][j] = act ? gelu(s) : s;
      }
    }
    return y;
  }

  private static double loss(Map<String, double[]> p, double[][] x, int[] labels) {
    double[][] h = dense(x, p.get("first.weight"), p.get("first.bias"), 6, true);
    for (int i = 0; i < 2; i++) {
      String k = "pairs." + i + ".";
      double[][] u = dense(h, p.get(k + "up.weight"), p.get(k + "up.bias"), 16, true);
      double[][] d = dense(u, p.get(k + "down.weight"), p.get(k + "down.bias"), 6, true);
      for (int r = 0; r < h.length; r++) {
        for (int j = 0; j < 6; j++) {
          d[r][j] += h[r][j];
        }
      }
      h = d;
    }
    for (double[] row : h) {
      for (int j = 0; j < row.length; j++) {
        row[j] = gelu(row[j]);
      }
    }
    double[][] z = dense(h, p.get("logits.weight"), p.get("logits.bias"), 3, true);
    double total = 0;
    for (int r = 0; r < z.length; r++) {
      double max = Math.max(z[r][0], Math.max(z[r][1], z[r][2]));
      double sum = 0;
      for (double v : z[r]) {
        sum += Math.exp(v - max);
      }
      total += Math.log(sum) + max - z[r][labels[r]];
    }
    return total / z.length;
  }
}
