package dev.kiln.runtime.ops;

import dev.kiln.runtime.tensor.SplitMix64;
import dev.kiln.runtime.tensor.Tensor;
import dev.kiln.runtime.testing.GoldenCheck;

import static com.google.common.truth.Truth.assertThat;
import static dev.kiln.runtime.testing.GoldenTensors.classIndices;
import static dev.kiln.runtime.testing.GoldenTensors.expected;
import static dev.kiln.runtime.testing.GoldenTensors.head;
import static dev.kiln.runtime.testing.GoldenTensors.oneHot;
import static dev.kiln.runtime.testing.GoldenTensors.padded;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.kiln.runtime.testing.Golden;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * {@link DistillationLoss} against the {@code knowledge_distillation} entry of {@code
 * losses.json} (value, both terms and the gradient with respect to the student logits), against
 * {@link Losses#softmaxCrossEntropy} at {@code α = 0}, and against central finite differences.
 * Tensors carry two extra rows of NaN: the kernel must read only the first {@code n}.
 */
class DistillationLossTest {
  private static final GoldenCheck GOLDEN = new GoldenCheck("losses.json knowledge_distillation");
  private static final int EXTRA_ROWS = 2;

  @AfterAll
  static void summary() {
    System.out.println(GOLDEN.summary());
  }

  private static JsonObject entry() {
    for (JsonElement e : Golden.load("losses.json").getAsJsonArray("losses")) {
      if (e.getAsJsonObject().get("name").getAsString().equals("knowledge_distillation")) {
        return e.getAsJsonObject();
      }
    }
    throw new AssertionError("losses.json has no knowledge_distillation entry");
  }

  @Test
  void matchesPyTorch() {
    JsonObject e = entry();
    assertThat(e.get("grad_wrt").getAsString()).isEqualTo("student");
    JsonObject inputs = e.getAsJsonObject("inputs");
    long[] shape = Golden.shape(inputs.get("student"));
    int n = (int) shape[0];
    int classes = (int) shape[1];
    Tensor student = padded(inputs.get("student"), EXTRA_ROWS, Float.NaN);
    Tensor teacher = padded(inputs.get("teacher"), EXTRA_ROWS, Float.NaN);
    Tensor labels = oneHot(classIndices(inputs.get("target")), classes, EXTRA_ROWS, Float.NaN);
    Tensor grad = Tensor.zeros(n + EXTRA_ROWS, classes);
    double[] terms = new double[2];
    double value = DistillationLoss.loss(student, teacher, labels, n, classes,
        e.get("T").getAsDouble(), e.get("alpha").getAsDouble(), 0.0, grad, terms);
    double rtol = Golden.RTOL_F32;
    double atol = Golden.ATOL_F32;
    GOLDEN.check("kd value", value, e.get("value").getAsDouble(), rtol, atol);
    GOLDEN.check("kd kl_term", terms[0], e.get("kl_term").getAsDouble(), rtol, atol);
    GOLDEN.check("kd ce_term", terms[1], e.get("ce_term").getAsDouble(), rtol, atol);
    GOLDEN.check("kd grad", head(grad, n * classes), expected(e.get("grad")), rtol, atol);
  }

  @Test
  void alphaZeroIsCrossEntropy() {
    SplitMix64 rng = new SplitMix64(11);
    int n = 5;
    int c = 7;
    Tensor s = random(rng, n, c, 3);
    Tensor t = random(rng, n, c, 3);
    Tensor y = Tensor.zeros(n, c);
    for (int r = 0; r < n; r++) {
      y.set(r * c + (r * 3) % c, 1f);
    }
    Tensor g1 = Tensor.zeros(n, c);
    Tensor g2 = Tensor.zeros(n, c);
    double kd = DistillationLoss.loss(s, t, y, n, c, 2.0, 0.0, 0.1, g1);
    double ce = Losses.softmaxCrossEntropy(s, y, n, c, 0.1, g2);
    assertThat(kd).isWithin(1e-12).of(ce);
    float[] a = g1.toFloatArray();
    float[] b = g2.toFloatArray();
    for (int i = 0; i < a.length; i++) {
      assertThat((double) a[i]).isWithin(1e-7).of(b[i]);
    }
  }

  @Test
  void gradientMatchesFiniteDifferences() {
    SplitMix64 rng = new SplitMix64(3);
    int n = 4;
    int c = 6;
    Tensor s = random(rng, n, c, 4);
    Tensor t = random(rng, n, c, 4);
    Tensor y = Tensor.zeros(n, c);
    for (int r = 0; r < n; r++) {
      y.set(r * c + r % c, 1f);
    }
    double temperature = 3.0;
    double alpha = 0.6;
    double smoothing = 0.05;
    Tensor grad = Tensor.zeros(n, c);
    DistillationLoss.loss(s, t, y, n, c, temperature, alpha, smoothing, grad);
    Tensor scratch = Tensor.zeros(n, c);
    float h = 1f / 256;
    for (int i = 0; i < n * c; i++) {
      float v = s.get(i);
      s.set(i, v + h);
      double up = DistillationLoss.loss(s, t, y, n, c, temperature, alpha, smoothing, scratch);
      s.set(i, v - h);
      double down = DistillationLoss.loss(s, t, y, n, c, temperature, alpha, smoothing, scratch);
      s.set(i, v);
      double numeric = (up - down) / (2 * h);
      assertThat((double) grad.get(i)).isWithin(1e-5 + 1e-3 * Math.abs(numeric)).of(numeric);
    }
  }

  @Test
  void identicalLogitsAtTemperatureOneLeaveOnlyTheHardTerm() {
    SplitMix64 rng = new SplitMix64(8);
    int n = 3;
    int c = 4;
    Tensor s = random(rng, n, c, 2);
    Tensor y = Tensor.zeros(n, c);
    for (int r = 0; r < n; r++) {
      y.set(r * c + r, 1f);
    }
    double[] terms = new double[2];
    double value = DistillationLoss.loss(s, s, y, n, c, 1.0, 0.5, 0.0, Tensor.zeros(n, c), terms);
    assertThat(terms[0]).isWithin(1e-12).of(0.0);
    assertThat(value).isWithin(1e-12).of(0.5 * terms[1]);
  }

  private static Tensor random(SplitMix64 rng, int n, int c, double scale) {
    Tensor x = Tensor.zeros(n, c);
    for (int i = 0; i < x.length(); i++) {
      x.set(i, (float) (scale * rng.nextGaussian()));
    }
    return x;
  }
}
