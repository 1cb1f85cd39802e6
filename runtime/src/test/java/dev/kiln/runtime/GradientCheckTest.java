package dev.kiln.runtime;

import dev.kiln.runtime.ops.Activations;
import dev.kiln.runtime.ops.Gelu;
import dev.kiln.runtime.ops.BatchNormKernel;
import dev.kiln.runtime.ops.Dense;
import dev.kiln.runtime.ops.DropoutKernel;
import dev.kiln.runtime.ops.Losses;
import dev.kiln.runtime.tensor.SplitMix64;
import dev.kiln.runtime.tensor.Tensor;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;

import java.util.Locale;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Finite-difference checks of every backward kernel against its float32 forward kernel.
 *
 * <p>For a forward {@code y = f(x)} and a fixed random upstream gradient {@code u}, the scalar
 * objective {@code L = Σ u·y} is evaluated in double from the float32 outputs, and its central
 * difference {@code (L(x+h) - L(x-h))/((x+h) - (x-h))} (the denominator taken from the perturbed
 * float32 values actually stored) is compared with the backward kernel's result for {@code dy = u}.
 * For the losses the objective is the returned mean loss itself. Steps are relatively large ({@code
 * h = 1e-2·max(|x|, 1)}, {@code 1e-3} for the losses whose values are computed in double) so that
 * float32 rounding of the outputs stays far below the differences, and inputs stay away from the
 * ReLU kinks.
 *
 * <p>Acceptance, per gradient: every element within {@code TOLERANCE·(|numeric| + 0.1·max|numeric|)}
 * and the whole vector within {@code TOLERANCE·‖numeric‖} (2-norm). A wrong sign, a missing factor
 * (such as {@code 1/n}) or a dropped term of the BatchNorm gradient errs by tens of percent or
 * more; the observed errors of the correct kernels are printed and are about 1e-4 at most.
 */
class GradientCheckTest {
  private static final double TOLERANCE = 1e-2;
  private static final double STEP = 1e-2;
  private static double worstSeen;
  private static String worstWhere = "-";

  @AfterAll
  static void summary() {
    System.out.printf(Locale.ROOT,
        "[gradient check] worst relative error %.3g (at %s), tolerance %.0e%n", worstSeen,
        worstWhere, TOLERANCE);
  }

  // ---------------------------------------------------------------- helpers

  private static Tensor random(SplitMix64 rng, double lo, double hi, long... shape) {
    Tensor t = Tensor.zeros(shape);
    for (int i = 0; i < t.length(); i++) {
      t.set(i, (float) (lo + (hi - lo) * rng.nextDouble()));
    }
    return t;
  }

  private static Tensor gaussian(SplitMix64 rng, double std, long... shape) {
    Tensor t = Tensor.zeros(shape);
    for (int i = 0; i < t.length(); i++) {
      t.set(i, (float) (std * rng.nextGaussian()));
    }
    return t;
  }

  /** Values of magnitude in [lo, hi] with random signs: away from 0, the kink of the ReLUs. */
  private static Tensor awayFromZero(SplitMix64 rng, double lo, double hi, long... shape) {
    Tensor t = random(rng, lo, hi, shape);
    for (int i = 0; i < t.length(); i++) {
      if (rng.nextDouble() < 0.5) {
        t.set(i, -t.get(i));
      }
    }
    return t;
  }

  /** {@code Σ u·y} over the first {@code count} elements, in double. */
  private static double dot(Tensor u, Tensor y, int count) {
    double s = 0;
    for (int i = 0; i < count; i++) {
      s += (double) u.get(i) * y.get(i);
    }
    return s;
  }

  /** The central difference of {@code objective} in each of the first {@code count} entries. */
  private static double[] numeric(Tensor input, int count, double step, DoubleSupplier objective) {
    double[] g = new double[count];
    for (int k = 0; k < count; k++) {
      float x0 = input.get(k);
      float h = (float) (step * Math.max(Math.abs(x0), 1.0));
      float plus = x0 + h;
      float minus = x0 - h;
      input.set(k, plus);
      double fPlus = objective.getAsDouble();
      input.set(k, minus);
      double fMinus = objective.getAsDouble();
      input.set(k, x0);
      g[k] = (fPlus - fMinus) / ((double) plus - (double) minus);
    }
    return g;
  }

  private static double[] numeric(Tensor input, DoubleSupplier objective) {
    return numeric(input, input.length(), STEP, objective);
  }

  /** Asserts the analytic gradient (first {@code numeric.length} entries) matches. */
  private static void assertGradient(String what, Tensor analytic, double[] numeric) {
    double maxAbs = 0;
    double norm = 0;
    double errNorm = 0;
    for (int i = 0; i < numeric.length; i++) {
      maxAbs = Math.max(maxAbs, Math.abs(numeric[i]));
      norm += numeric[i] * numeric[i];
    }
    assertWithMessage("%s: degenerate check, the numeric gradient is zero", what)
        .that(maxAbs).isGreaterThan(0.0);
    double worst = 0;
    for (int i = 0; i < numeric.length; i++) {
      double a = analytic.get(i);
      double err = Math.abs(a - numeric[i]);
      errNorm += err * err;
      double rel = err / (Math.abs(numeric[i]) + 0.1 * maxAbs);
      if (!(rel <= TOLERANCE)) {
        throw new AssertionError(String.format(Locale.ROOT,
            "%s[%d]: analytic %s, numeric %s (relative error %.3g > %.0e)", what, i, a, numeric[i],
            rel, TOLERANCE));
      }
      worst = Math.max(worst, rel);
    }
    double vectorRel = Math.sqrt(errNorm / norm);
    assertWithMessage("%s: ‖analytic - numeric‖/‖numeric‖", what).that(vectorRel)
        .isAtMost(TOLERANCE);
    worst = Math.max(worst, vectorRel);
    if (worst > worstSeen) {
      worstSeen = worst;
      worstWhere = what;
    }
  }

  // ---------------------------------------------------------------- dense

  @Test
  void denseBackward() {
    SplitMix64 rng = new SplitMix64(11);
    int batch = 7;
    int n = 5; // only the first n rows take part; the others hold junk
    int in = 4;
    int out = 3;
    Tensor x = gaussian(rng, 1, batch, in);
    Tensor w = gaussian(rng, 0.7, in, out);
    Tensor b = gaussian(rng, 0.5, out);
    Tensor y = Tensor.zeros(batch, out);
    Tensor u = random(rng, -1, 1, batch, out);
    for (int i = n * in; i < x.length(); i++) {
      x.set(i, 1e3f);
    }
    for (int i = n * out; i < u.length(); i++) {
      u.set(i, 1e3f);
    }
    DoubleSupplier objective = () -> {
      Dense.forward(x, n, in, w, b, out, y);
      return dot(u, y, n * out);
    };
    Tensor dw = Tensor.zeros(in, out);
    Tensor db = Tensor.zeros(out);
    Tensor dx = Tensor.zeros(batch, in);
    Dense.backward(x, u, n, in, w, out, dw, db, dx);
    assertGradient("Dense dW", dw, numeric(w, objective));
    assertGradient("Dense db", db, numeric(b, objective));
    assertGradient("Dense dx", dx, numeric(x, n * in, STEP, objective));
    // without bias
    DoubleSupplier noBias = () -> {
      Dense.forward(x, n, in, w, null, out, y);
      return dot(u, y, n * out);
    };
    Dense.backward(x, u, n, in, w, out, dw, null, null);
    assertGradient("Dense dW (no bias)", dw, numeric(w, noBias));
  }

  // ---------------------------------------------------------------- batch norm

  @Test
  void batchNormBackward() {
    SplitMix64 rng = new SplitMix64(12);
    int batch = 8;
    int n = 6;
    int c = 4;
    BatchNormKernel kernel = new BatchNormKernel(c, 0.1, 1e-5);
    Tensor x = gaussian(rng, 1.5, batch, c);
    for (int i = 0; i < x.length(); i++) { // a per-channel offset, so the mean matters
      x.set(i, x.get(i) + (i % c) - 1.5f);
    }
    Tensor gamma = random(rng, 0.5, 1.5, c);
    Tensor beta = gaussian(rng, 0.5, c);
    Tensor runningMean = Tensor.zeros(c);
    Tensor runningVar = Tensor.zeros(c);
    Tensor xhat = Tensor.zeros(batch, c);
    Tensor y = Tensor.zeros(batch, c);
    Tensor u = random(rng, -1, 1, batch, c);
    DoubleSupplier objective = () -> {
      kernel.forwardTrain(x, n, gamma, beta, runningMean, runningVar, xhat, y);
      return dot(u, y, n * c);
    };
    objective.getAsDouble(); // the backward pass uses the statistics of the last forward pass
    Tensor dGamma = Tensor.zeros(c);
    Tensor dBeta = Tensor.zeros(c);
    Tensor dx = Tensor.zeros(batch, c);
    kernel.backward(u, xhat, n, gamma, dGamma, dBeta, dx);
    assertGradient("BatchNorm dx", dx, numeric(x, n * c, STEP, objective));
    assertGradient("BatchNorm dgamma", dGamma, numeric(gamma, objective));
    assertGradient("BatchNorm dbeta", dBeta, numeric(beta, objective));
  }

  // ---------------------------------------------------------------- activations

  private interface Forward {
    void apply(Tensor x, Tensor y, int count);
  }

  private interface Backward {
    void apply(Tensor x, Tensor dy, Tensor dx, int count);
  }

  private static void checkActivation(String name, Forward f, Backward b, Tensor x) {
    int count = x.length() - 3; // the last elements are outside count and must be left alone
    SplitMix64 rng = new SplitMix64(name.hashCode());
    Tensor u = random(rng, -1, 1, x.length());
    Tensor y = Tensor.zeros(x.length());
    DoubleSupplier objective = () -> {
      f.apply(x, y, count);
      return dot(u, y, count);
    };
    Tensor dx = Tensor.zeros(x.length());
    for (int i = count; i < dx.length(); i++) {
      dx.set(i, 42f);
    }
    b.apply(x, u, dx, count);
    assertGradient(name, dx, numeric(x, count, STEP, objective));
    for (int i = count; i < dx.length(); i++) {
      assertThat(dx.get(i)).isEqualTo(42f);
    }
    // in place: dx written over dy
    Tensor inPlace = Tensor.zeros(x.length());
    inPlace.setFrom(u.toFloatArray());
    b.apply(x, inPlace, inPlace, count);
    for (int i = 0; i < count; i++) {
      assertThat(inPlace.get(i)).isEqualTo(dx.get(i));
    }
  }

  @Test
  void reluBackward() {
    Tensor x = awayFromZero(new SplitMix64(1), 0.2, 3, 40);
    checkActivation("reluBackward", Activations::relu, Activations::reluBackward, x);
    // PyTorch's derivative at exactly 0 is 0
    Tensor zero = Tensor.zeros(1);
    Tensor one = Tensor.zeros(1);
    one.set(0, 1f);
    Tensor dx = Tensor.zeros(1);
    dx.set(0, 5f);
    Activations.reluBackward(zero, one, dx, 1);
    assertThat(dx.get(0)).isEqualTo(0f);
  }

  @Test
  void leakyReluBackward() {
    float slope = 0.1f;
    Tensor x = awayFromZero(new SplitMix64(2), 0.2, 3, 40);
    checkActivation("leakyReluBackward", (a, y, n) -> Activations.leakyRelu(a, y, n, slope),
        (a, dy, dx, n) -> Activations.leakyReluBackward(a, dy, dx, n, slope), x);
  }

  @Test
  void tanhBackward() {
    Tensor x = random(new SplitMix64(3), -3, 3, 40);
    checkActivation("tanhBackward", Activations::tanh, Activations::tanhBackward, x);
  }

  @Test
  void sigmoidBackward() {
    Tensor x = random(new SplitMix64(4), -6, 6, 40);
    checkActivation("sigmoidBackward", Activations::sigmoid, Activations::sigmoidBackward, x);
  }

  @Test
  void geluBackward() {
    Tensor x = random(new SplitMix64(5), -4, 4, 40);
    checkActivation("geluBackward",
        (in, out, n) -> Gelu.forward(in, out, n, Gelu.Approximation.NONE),
        (in, dy, dx, n) -> Gelu.backward(in, dy, dx, n, Gelu.Approximation.NONE), x);
  }

  @Test
  void geluTanhBackward() {
    Tensor x = random(new SplitMix64(6), -4, 4, 40);
    checkActivation("geluTanhBackward",
        (in, out, n) -> Gelu.forward(in, out, n, Gelu.Approximation.TANH),
        (in, dy, dx, n) -> Gelu.backward(in, dy, dx, n, Gelu.Approximation.TANH), x);
  }

  // ---------------------------------------------------------------- dropout

  @Test
  void dropoutBackward() {
    double rate = 0.3;
    long seed = 99;
    SplitMix64 rng = new SplitMix64(seed);
    int length = 64;
    int count = 60;
    Tensor x = gaussian(new SplitMix64(6), 1, length);
    Tensor mask = Tensor.zeros(length);
    Tensor y = Tensor.zeros(length);
    Tensor u = random(new SplitMix64(7), -1, 1, length);
    DoubleSupplier objective = () -> {
      rng.setState(seed); // the same mask on every evaluation
      DropoutKernel.forward(x, mask, y, count, rate, rng);
      return dot(u, y, count);
    };
    objective.getAsDouble();
    int dropped = 0;
    float scale = (float) (1 / (1 - rate));
    for (int i = 0; i < count; i++) {
      float m = mask.get(i);
      assertThat(m == 0f || m == scale).isTrue();
      dropped += m == 0f ? 1 : 0;
    }
    assertThat(dropped).isGreaterThan(0);
    assertThat(dropped).isLessThan(count);
    Tensor dx = Tensor.zeros(length);
    DropoutKernel.backward(u, mask, dx, count);
    assertGradient("DropoutKernel.backward", dx, numeric(x, count, STEP, objective));
  }

  // ---------------------------------------------------------------- losses

  /** Objectives computed in double from float inputs: a smaller step keeps truncation tiny. */
  private static final double LOSS_STEP = 1e-3;

  private static void checkCrossEntropy(String what, Tensor labels, double smoothing) {
    int n = 5;
    int classes = labels.size(1);
    Tensor logits = gaussian(new SplitMix64(8), 2, labels.size(0), classes);
    Tensor grad = Tensor.zeros(labels.size(0), classes);
    Tensor scratch = Tensor.zeros(labels.size(0), classes);
    Losses.softmaxCrossEntropy(logits, labels, n, classes, smoothing, grad);
    assertGradient(what, grad, numeric(logits, n * classes, LOSS_STEP,
        () -> Losses.softmaxCrossEntropy(logits, labels, n, classes, smoothing, scratch)));
  }

  private static Tensor oneHot(int rows, int classes, SplitMix64 rng) {
    Tensor t = Tensor.zeros(rows, classes);
    for (int r = 0; r < rows; r++) {
      t.set(r * classes + rng.nextInt(classes), 1f);
    }
    return t;
  }

  @Test
  void softmaxCrossEntropyGradient() {
    checkCrossEntropy("softmaxCrossEntropy", oneHot(7, 4, new SplitMix64(9)), 0);
  }

  @Test
  void softmaxCrossEntropyWithLabelSmoothingGradient() {
    checkCrossEntropy("softmaxCrossEntropy smoothing 0.1", oneHot(7, 4, new SplitMix64(10)), 0.1);
  }

  @Test
  void softmaxCrossEntropyWithSoftLabelsGradient() {
    Tensor labels = random(new SplitMix64(13), 0.05, 1, 7, 4);
    for (int r = 0; r < 7; r++) { // each row a distribution
      double s = 0;
      for (int j = 0; j < 4; j++) {
        s += labels.get(r * 4 + j);
      }
      for (int j = 0; j < 4; j++) {
        labels.set(r * 4 + j, (float) (labels.get(r * 4 + j) / s));
      }
    }
    checkCrossEntropy("softmaxCrossEntropy soft labels", labels, 0.05);
  }

  @Test
  void meanSquaredErrorGradient() {
    SplitMix64 rng = new SplitMix64(14);
    int n = 5;
    int width = 3;
    Tensor pred = gaussian(rng, 1, 7, width);
    Tensor target = gaussian(rng, 1, 7, width);
    Tensor grad = Tensor.zeros(7, width);
    Tensor scratch = Tensor.zeros(7, width);
    Losses.meanSquaredError(pred, target, n, width, grad);
    assertGradient("meanSquaredError", grad, numeric(pred, n * width, LOSS_STEP,
        () -> Losses.meanSquaredError(pred, target, n, width, scratch)));
  }

  @Test
  void sigmoidBinaryCrossEntropyGradient() {
    SplitMix64 rng = new SplitMix64(15);
    int n = 5;
    int width = 3;
    Tensor logits = gaussian(rng, 3, 7, width);
    Tensor target = random(rng, 0, 1, 7, width);
    for (int i = 0; i < target.length(); i += 2) { // hard 0/1 labels and soft ones
      target.set(i, target.get(i) < 0.5f ? 0f : 1f);
    }
    Tensor grad = Tensor.zeros(7, width);
    Tensor scratch = Tensor.zeros(7, width);
    Losses.sigmoidBinaryCrossEntropy(logits, target, n, width, grad);
    assertGradient("sigmoidBinaryCrossEntropy", grad, numeric(logits, n * width, LOSS_STEP,
        () -> Losses.sigmoidBinaryCrossEntropy(logits, target, n, width, scratch)));
  }
}
