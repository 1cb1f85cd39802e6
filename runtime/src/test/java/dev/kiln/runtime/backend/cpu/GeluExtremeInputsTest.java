package dev.kiln.runtime.backend.cpu;

import static com.google.common.truth.Truth.assertWithMessage;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.runtime.backend.Backends;
import dev.kiln.runtime.backend.Kernels;
import dev.kiln.runtime.backend.java.JavaKernels;
import dev.kiln.runtime.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The native GELU backward at huge finite inputs, where the Java loop (double) gives a finite
 * gradient (dy for x → +∞, 0 for x → -∞): the float kernel must not give NaN there. Exact form:
 * |x| >= 2^127 with the low 12 significand bits zero (fsquare's (upper + upper)·lower = ∞·0).
 * Tanh form: |x| >= 2^64 (x² = ∞ in float, times the zero 2·x·s·(1 - s)). Both were NaN at
 * first; the kernel now takes φ(x) = 0 from |x| = 13 on and the tanh slope as 1 or 0 from
 * |x| = 10 on.
 */
class GeluExtremeInputsTest {
  private static final Kernels JAVA = new JavaKernels();

  @Test
  void hugeFiniteInputsGiveTheJavaLoopsFiniteGradient() {
    assumeTrue(Backends.kernels() instanceof NativeKernels, "no native kernels in this JVM");
    float[] xs = {0x1p127f, -0x1p127f, 0x1.ffep127f, 3e38f, -3e38f, 0x1p64f, -0x1p64f, 1e20f,
        -1e20f, 1e30f, -1e30f, 1.5f};
    int count = xs.length;
    Tensor x = Tensor.alignedZeros(count);
    Tensor dy = Tensor.alignedZeros(count);
    for (int i = 0; i < count; i++) {
      x.set(i, xs[i]);
      dy.set(i, 2f);
    }
    for (boolean tanh : new boolean[] {false, true}) {
      for (boolean withY : new boolean[] {false, true}) {
        Tensor y = Tensor.alignedZeros(count);
        JAVA.gelu(x, y, count, tanh);
        Tensor expected = Tensor.alignedZeros(count);
        Tensor actual = Tensor.alignedZeros(count);
        JAVA.geluBackward(x, withY ? y : null, dy, expected, count, tanh);
        Backends.kernels().geluBackward(x, withY ? y : null, dy, actual, count, tanh);
        for (int i = 0; i < count; i++) {
          // SequenceKernelsTest's allowance (four float steps plus 5e-7); a NaN never passes
          float e = expected.get(i);
          assertWithMessage("gelu backward tanh=%s y=%s at x=%s: java %s", tanh, withY, xs[i], e)
              .that((double) actual.get(i)).isWithin(4.0 * Math.ulp(e) + 5e-7).of(e);
        }
      }
    }
  }
}
