package dev.kiln.runtime.backend.cpu;

import static com.google.common.truth.Truth.assertWithMessage;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.runtime.backend.Backends;
import dev.kiln.runtime.backend.java.JavaKernels;
import dev.kiln.runtime.ops.Dense;
import dev.kiln.runtime.tensor.Tensor;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Dense.forward on the native kernels at degenerate and lopsided shapes (one row, one input, one
 * output, batches far above or below the outputs), with and without a bias: the bias copy and
 * product in one native dispatch (or the cut along the inputs) equal JavaKernels.denseForward on
 * these kernels bit for bit where not cut, stay within float rounding of a double reference, leave
 * the rows past n untouched, and overwrite a NaN-filled output where there is no bias.
 */
class DenseForwardEdgeShapesTest {
  private static final int[][] SHAPES = {{1, 1, 1}, {1, 1, 5000}, {1, 5000, 1}, {1, 100_000, 17},
      {1, 300_000, 3}, {3, 1, 400_000}, {400_000, 1, 3}, {100_000, 3, 4}, {5000, 4, 64},
      {2048, 2048, 1}, {17, 128, 1000}, {513, 128, 64}, {512, 128, 64}, {1, 4096, 256},
      {4096, 256, 1}, {2, 700, 1500}, {1500, 700, 2}, {33, 65, 17}};

  @Test
  void edgeShapesMatchTheJavaLoopAndAReference() {
    assumeTrue(Backends.kernels() instanceof NativeKernels, "no native kernels in this JVM");
    for (int[] s : SHAPES) {
      for (boolean withBias : new boolean[] {true, false}) {
        check(s[0], s[1], s[2], withBias);
      }
    }
  }

  private static void check(int n, int in, int out, boolean withBias) {
    String what = "dense " + n + "x" + in + "->" + out + (withBias ? " bias" : " no bias")
        + " threads=" + NativeLibrary.threads();
    Random random = new Random(n * 31L + in * 7L + out);
    int batch = n + 2;
    Tensor x = Tensor.zeros(batch, in);
    Tensor w = Tensor.zeros(in, out);
    Tensor b = Tensor.zeros(out);
    for (int i = 0; i < batch * in; i++) {
      x.set(i, (float) random.nextGaussian());
    }
    for (int i = 0; i < in * out; i++) {
      w.set(i, (float) random.nextGaussian());
    }
    for (int i = 0; i < out; i++) {
      b.set(i, (float) random.nextGaussian());
    }
    Tensor y = Tensor.zeros(batch, out);
    y.fill(withBias ? 7f : Float.NaN);
    Dense.forward(x, n, in, w, withBias ? b : null, out, y);
    Tensor java = Tensor.zeros(batch, out);
    java.fill(withBias ? 7f : Float.NaN);
    JavaKernels.denseForward(Backends.kernels(), x, n, in, w, withBias ? b : null, out, java);
    boolean cut = NativeLibrary.threads() > 1
        && NativeLibrary.denseForward(x.address(), n, in, w.address(), out, b.address(),
            Tensor.zeros(batch, out).address());
    float[] xs = x.toFloatArray();
    float[] ws = w.toFloatArray();
    for (int r = 0; r < n; r++) {
      for (int j = 0; j < out; j++) {
        double sum = withBias ? b.get(j) : 0;
        double abs = Math.abs(sum);
        for (int k = 0; k < in; k++) {
          double p = (double) xs[r * in + k] * ws[k * out + j];
          sum += p;
          abs += Math.abs(p);
        }
        float got = y.get(r * out + j);
        assertWithMessage("%s [%s,%s]", what, r, j).that((double) Math.abs(got - sum))
            .isAtMost(abs * 1e-6 + 1e-6);
        if (!cut) {
          assertWithMessage("%s [%s,%s] against the Java loop on these kernels", what, r, j)
              .that(Float.floatToIntBits(got))
              .isEqualTo(Float.floatToIntBits(java.get(r * out + j)));
        }
      }
    }
    for (int i = n * out; i < batch * out; i++) {
      assertWithMessage("%s: row past n, element %s", what, i)
          .that(Float.floatToIntBits(y.get(i)))
          .isEqualTo(Float.floatToIntBits(withBias ? 7f : Float.NaN));
    }
  }
}
