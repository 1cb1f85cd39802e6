package dev.kiln.runtime.optim;

import dev.kiln.runtime.internal.StatisticsSnapshot;
import dev.kiln.runtime.tensor.SplitMix64;
import dev.kiln.runtime.tensor.Tensor;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.runtime.testing.Golden;
import java.lang.management.ManagementFactory;
import java.util.Locale;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;

/**
 * {@link GradientAccumulator} (the mean of {@code k} batch gradients lands in the gradient buffers
 * on every {@code k}-th batch), {@link StatisticsSnapshot} (restores bitwise), and that the
 * per-step runtime pieces of this area allocate nothing: the optimizers with decoupled decay,
 * clipping in every scope, L1, accumulation and the snapshot.
 */
class GradientAccumulationTest {
  private static ParameterSet set(Tensor a, Tensor b) {
    return ParameterSet.builder()
        .add("l.weight", "l", ParameterKind.WEIGHT, Tensor.zeros(a.array().shape()), a)
        .add("l.bias", "l", ParameterKind.BIAS, Tensor.zeros(b.array().shape()), b)
        .build();
  }

  @Test
  void everyKthBatchYieldsTheMean() {
    Tensor a = Tensor.zeros(2, 2);
    Tensor b = Tensor.zeros(1);
    GradientAccumulator acc = new GradientAccumulator(set(a, b), 3);
    float[][] batchesA = {{1, 2, 3, 4}, {-2, 0.5f, 6, 8}, {4, 1, 0, -3}};
    float[] batchesB = {7, -1, 0.25f};
    for (int round = 0; round < 2; round++) {
      for (int k = 0; k < 3; k++) {
        a.setFrom(batchesA[k]);
        b.set(0, batchesB[k]);
        boolean step = acc.add();
        assertThat(step).isEqualTo(k == 2);
        assertThat(acc.pending()).isEqualTo(k == 2 ? 0 : k + 1);
      }
      Golden.assertAllClose("mean weight gradient, round " + round, a.toFloatArray(),
          new double[] {1, 3.5 / 3, 3, 3}, 1e-6, 1e-7);
      Golden.assertAllClose("mean bias gradient", b.toFloatArray(), new double[] {6.25 / 3}, 1e-6,
          0);
    }
    assertThrows(IllegalArgumentException.class, () -> new GradientAccumulator(set(a, b), 0));
  }

  @Test
  void oneStepAccumulationLeavesGradientsAlone() {
    Tensor a = Tensor.zeros(3);
    a.setFrom(new float[] {1, -2, 3});
    GradientAccumulator acc = new GradientAccumulator(set(a, Tensor.zeros(1)), 1);
    assertThat(acc.add()).isTrue();
    assertThat(a.toFloatArray()).isEqualTo(new float[] {1, -2, 3});
  }

  /** Sums of k float32 maxima would overflow; scaled terms do not. */
  @Test
  void meanOfHugeFiniteGradientsStaysFinite() {
    Tensor a = Tensor.zeros(1);
    GradientAccumulator acc = new GradientAccumulator(set(a, Tensor.zeros(1)), 4);
    for (int k = 0; k < 4; k++) {
      a.set(0, Float.MAX_VALUE);
      acc.add();
    }
    assertThat(Float.isFinite(a.get(0))).isTrue();
    Golden.assertAllClose("mean", a.toFloatArray(), new double[] {Float.MAX_VALUE}, 1e-6, 0);
  }

  @Test
  void snapshotRestoresBitwise() {
    Tensor mean = Tensor.zeros(3);
    Tensor var = Tensor.zeros(3);
    mean.setFrom(new float[] {0.1f, -0f, Float.MIN_VALUE});
    var.setFrom(new float[] {1, 2, 3});
    StatisticsSnapshot snapshot = new StatisticsSnapshot(mean, var);
    snapshot.save();
    mean.fill(9);
    var.fill(Float.NaN);
    snapshot.restore();
    assertThat(mean.toFloatArray()).isEqualTo(new float[] {0.1f, -0f, Float.MIN_VALUE});
    assertThat(var.toFloatArray()).isEqualTo(new float[] {1, 2, 3});
  }

  private static Tensor random(SplitMix64 rng, long... shape) {
    Tensor t = Tensor.zeros(shape);
    for (int i = 0; i < t.length(); i++) {
      t.set(i, (float) (0.1 * rng.nextGaussian()));
    }
    return t;
  }

  @Test
  void perStepPiecesAllocateNothing() {
    SplitMix64 rng = new SplitMix64(5);
    Tensor w1 = random(rng, 256, 128);
    Tensor b1 = random(rng, 128);
    Tensor w2 = random(rng, 128, 10);
    Tensor[] grads = {random(rng, 256, 128), random(rng, 128), random(rng, 128, 10)};
    float[][] original = new float[3][];
    for (int i = 0; i < 3; i++) {
      original[i] = grads[i].toFloatArray();
    }
    ParameterSet set = ParameterSet.builder()
        .add("a.weight", "a", ParameterKind.WEIGHT, w1, grads[0])
        .add("a.bias", "a", ParameterKind.BIAS, b1, grads[1])
        .add("b.weight", "b", ParameterKind.WEIGHT, w2, grads[2]).build();
    double[] decay = {1e-2, 0, 1e-2};
    Optimizer[] optimizers = {new AdamOptimizer(set, 0.9, 0.999, 1e-8, true, decay),
        new RmsPropOptimizer(set, 0.99, 1e-8, 0.9, true, decay),
        new SgdOptimizer(set, 0.9, 0, true, decay)};
    GradientClipper[] clippers = {
        GradientClipper.byNorm(set, 0.5, 2, GradientClipper.Scope.GLOBAL),
        GradientClipper.byNorm(set, 0.5, Double.POSITIVE_INFINITY, GradientClipper.Scope.PER_LAYER),
        GradientClipper.byNorm(set, 0.5, 1, GradientClipper.Scope.PER_PARAMETER),
        GradientClipper.byValue(set, 0.01)};
    GradientAccumulator acc = new GradientAccumulator(set, 3);
    StatisticsSnapshot snapshot = new StatisticsSnapshot(b1, w2);
    Runnable step = () -> {
      for (int i = 0; i < 3; i++) {
        grads[i].data().put(0, original[i]);
      }
      snapshot.save();
      acc.add();
      for (GradientClipper c : clippers) {
        c.measureAndClip();
      }
      Regularization.addL1(w1, grads[0], grads[0].length(), 1e-4);
      for (Optimizer o : optimizers) {
        o.update(1e-3);
      }
      snapshot.restore();
    };
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    for (int i = 0; i < 200; i++) {
      step.run();
    }
    long nativeBefore = Pointer.totalBytes();
    long before = threads.getCurrentThreadAllocatedBytes();
    int calls = 1000;
    for (int i = 0; i < calls; i++) {
      step.run();
    }
    long allocated = threads.getCurrentThreadAllocatedBytes() - before;
    System.out.printf(Locale.ROOT, "[allocation] optimizers+clipping+accumulation: %.2f heap"
        + " bytes/step, native +%d%n", (double) allocated / calls,
        Pointer.totalBytes() - nativeBefore);
    assertWithMessage("heap bytes per step").that((double) allocated / calls).isAtMost(64.0);
    assertWithMessage("native growth").that(Pointer.totalBytes() - nativeBefore).isAtMost(0L);
    for (float v : w1.toFloatArray()) {
      assertThat(Float.isFinite(v)).isTrue();
    }
  }
}
