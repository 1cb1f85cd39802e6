package dev.kiln.runtime.backend.cpu;

import dev.kiln.runtime.backend.Backends;
import dev.kiln.runtime.backend.BatchNormScratch;
import dev.kiln.runtime.backend.ConvShape;
import dev.kiln.runtime.backend.Kernels;
import dev.kiln.runtime.backend.java.JavaKernels;
import dev.kiln.runtime.tensor.Tensor;

import static com.google.common.truth.Truth.assertWithMessage;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The convolution kernels of {@link NativeKernels} (kiln_conv.c) against {@link JavaKernels}, on
 * the threads this JVM was given (the build runs it on one and on two): batch norm 2d and 2×2 max
 * pooling bitwise (cut by channels and planes, so on any number of threads), on planes that are
 * not multiples of the eight lanes, with ties of both zeros and NaN; the convolution bitwise on
 * one thread (the same products in the same order) and, cut by samples on two, within float
 * rounding of the Java loops (the weight gradient's per-thread sums are added in another order),
 * its bias gradient and output bitwise where the products are the same.
 */
class ConvKernelsTest {
  private static final JavaKernels JAVA = new JavaKernels();

  @BeforeAll
  static void nativeKernels() {
    assumeTrue(Backends.kernels() instanceof NativeKernels, "no native kernels in this JVM");
  }

  private static Kernels kernels() {
    return Backends.kernels();
  }

  @Test
  void batchNorm2dEqualsTheJavaLoopsBitwise() {
    int[][] shapes = {{2, 3, 7, 7}, {5, 4, 14, 14}, {16, 32, 28, 28}, {3, 2, 1, 5}, {4, 64, 7, 7}};
    for (int[] s : shapes) {
      for (boolean relu : new boolean[] {false, true}) {
        int n = s[0];
        int c = s[1];
        int plane = s[2] * s[3];
        int count = n * c * plane;
        Tensor x = random(count, 1, 3f);
        Tensor gamma = random(c, 2, 1f);
        Tensor beta = random(c, 3, 1f);
        Tensor dy = random(count, 4, 1f);
        Tensor[] rm = {random(c, 5, 1f), random(c, 5, 1f)};
        Tensor[] rv = {Tensor.zeros(c), Tensor.zeros(c)};
        rv[0].fill(1f);
        rv[1].fill(1f);
        Tensor[] xhat = {Tensor.zeros(count), Tensor.zeros(count)};
        Tensor[] y = {Tensor.zeros(count), Tensor.zeros(count)};
        Tensor[] dx = {Tensor.zeros(count), Tensor.zeros(count)};
        Tensor[] gg = {Tensor.zeros(c), Tensor.zeros(c)};
        Tensor[] bg = {Tensor.zeros(c), Tensor.zeros(c)};
        Kernels[] backends = {kernels(), JAVA};
        for (int b = 0; b < 2; b++) {
          BatchNormScratch scratch = backends[b].batchNormScratch(c, 0.1, 1e-5);
          backends[b].batchNorm2dForwardTrain(scratch, x, n, plane, gamma, beta, rm[b], rv[b],
              xhat[b], y[b], relu);
          backends[b].batchNorm2dBackward(scratch, dy, relu ? y[b] : null, xhat[b], n, plane,
              gamma, gg[b], bg[b], dx[b]);
        }
        String what = "batch norm 2d " + Arrays.toString(s) + (relu ? " relu " : " ");
        assertSameBits(what + "xhat", xhat[0], xhat[1]);
        assertSameBits(what + "y", y[0], y[1]);
        assertSameBits(what + "running mean", rm[0], rm[1]);
        assertSameBits(what + "running var", rv[0], rv[1]);
        assertSameBits(what + "dx", dx[0], dx[1]);
        assertSameBits(what + "gamma grad", gg[0], gg[1]);
        assertSameBits(what + "beta grad", bg[0], bg[1]);
      }
    }
  }

  @Test
  void maxPool2x2EqualsTheJavaLoopsBitwise() {
    int[][] shapes = {{2, 3, 4, 4}, {4, 32, 28, 28}, {3, 5, 7, 7}, {2, 2, 5, 8}, {1, 1, 2, 3}};
    for (int[] s : shapes) {
      int planes = s[0] * s[1];
      int h = s[2];
      int w = s[3];
      int in = planes * h * w;
      int out = planes * (h / 2) * (w / 2);
      Tensor x = special(in, 7);
      Tensor dy = random(out, 8, 1f);
      for (boolean relu : new boolean[] {false, true}) {
        Tensor[] y = {Tensor.zeros(out), Tensor.zeros(out)};
        Tensor[] dx = {Tensor.zeros(in), Tensor.zeros(in)};
        dx[0].fill(5f); // every element must be written
        dx[1].fill(5f);
        int[][] argmax = {new int[out], new int[out]};
        Kernels[] backends = {kernels(), JAVA};
        for (int b = 0; b < 2; b++) {
          backends[b].maxPool2x2Forward(x, planes, h, w, y[b], argmax[b], relu);
          backends[b].maxPool2x2Backward(dy, relu ? y[b] : null, planes, h, w, argmax[b], dx[b]);
        }
        String what = "max pool " + Arrays.toString(s) + (relu ? " relu " : " ");
        assertSameBits(what + "y", y[0], y[1]);
        assertWithMessage(what + "argmax").that(argmax[0]).isEqualTo(argmax[1]);
        assertSameBits(what + "dx", dx[0], dx[1]);
      }
    }
  }

  @Test
  void convolutionMatchesTheJavaLoops() {
    // {n, C, H, W, out, kernel, stride, padding, forward group, backward group}
    int[][] layers = {{128, 1, 28, 28, 32, 3, 1, 1, 1, 16}, {128, 32, 14, 14, 64, 3, 1, 1, 1, 7},
        {5, 3, 9, 7, 4, 3, 2, 1, 2, 3}, {3, 2, 6, 6, 5, 2, 1, 0, 4, 4}, {1, 4, 5, 5, 3, 3, 1, 2, 1, 1}};
    boolean oneThread = kernels().threads() == 1;
    for (int[] l : layers) {
      int n = l[0];
      int k = l[5];
      int outH = (l[2] + 2 * l[7] - k) / l[6] + 1;
      int outW = (l[3] + 2 * l[7] - k) / l[6] + 1;
      ConvShape shape = new ConvShape(l[1], l[2], l[3], l[4], k, k, l[6], l[6], l[7], l[7], outH,
          outW, l[8], l[9]);
      int in = n * l[1] * l[2] * l[3];
      int out = n * l[4] * outH * outW;
      int weights = l[4] * shape.patch();
      Tensor x = random(in, 11, 1f);
      Tensor weight = random(weights, 12, 0.3f);
      Tensor bias = random(l[4], 13, 1f);
      Tensor dy = random(out, 14, 1f);
      Tensor[] y = {Tensor.zeros(out), Tensor.zeros(out)};
      Tensor[] wg = {Tensor.zeros(weights), Tensor.zeros(weights)};
      Tensor[] bg = {Tensor.zeros(l[4]), Tensor.zeros(l[4])};
      Tensor[] dx = {Tensor.zeros(in), Tensor.zeros(in)};
      dx[0].fill(5f);
      dx[1].fill(5f);
      Kernels[] backends = {kernels(), JAVA};
      for (int b = 0; b < 2; b++) {
        Tensor work = Tensor.alignedZeros(backends[b].conv2dWorkspaceElements(shape, n));
        work.fill(Float.NaN); // scratch: nothing may be read before it is written
        backends[b].conv2dForward(shape, x, n, weight, bias, y[b], work);
        backends[b].conv2dBackward(shape, x, dy, n, weight, wg[b], bg[b], dx[b], work);
      }
      String what = "conv " + Arrays.toString(l) + " ";
      assertSameBits(what + "bias grad", bg[0], bg[1]);
      if (oneThread) {
        assertSameBits(what + "y", y[0], y[1]);
        assertSameBits(what + "weight grad", wg[0], wg[1]);
        assertSameBits(what + "dx", dx[0], dx[1]);
      } else {
        assertClose(what + "y", y[0], y[1]);
        assertClose(what + "weight grad", wg[0], wg[1]);
        assertClose(what + "dx", dx[0], dx[1]);
      }
    }
  }

  /** Gaussian values times {@code scale}. */
  private static Tensor random(int count, long seed, float scale) {
    Random random = new Random(seed * 7919 + count);
    float[] values = new float[count];
    for (int i = 0; i < count; i++) {
      values[i] = (float) random.nextGaussian() * scale;
    }
    Tensor t = Tensor.zeros(count);
    t.setFrom(values);
    return t;
  }

  /** Small integers (many ties), zeros of both signs, some NaN and infinities. */
  private static Tensor special(int count, long seed) {
    Random random = new Random(seed);
    float[] specials = {0f, -0f, Float.NaN, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY};
    float[] values = new float[count];
    for (int i = 0; i < count; i++) {
      values[i] = random.nextInt(10) == 0 ? specials[random.nextInt(specials.length)]
          : random.nextInt(5) - 2;
    }
    Tensor t = Tensor.zeros(count);
    t.setFrom(values);
    return t;
  }

  private static void assertSameBits(String what, Tensor actual, Tensor expected) {
    FloatBuffer a = actual.data();
    FloatBuffer e = expected.data();
    for (int i = 0; i < expected.length(); i++) {
      if (Float.floatToIntBits(a.get(i)) != Float.floatToIntBits(e.get(i))) {
        throw new AssertionError(what + ": element " + i + " is " + a.get(i) + " natively and "
            + e.get(i) + " in the Java loop");
      }
    }
  }

  /** Within 1e-5 of the largest magnitude (float rounding of sums of up to 10^5 products). */
  private static void assertClose(String what, Tensor actual, Tensor expected) {
    FloatBuffer a = actual.data();
    FloatBuffer e = expected.data();
    double scale = 0;
    for (int i = 0; i < expected.length(); i++) {
      scale = Math.max(scale, Math.abs(e.get(i)));
    }
    for (int i = 0; i < expected.length(); i++) {
      if (!(Math.abs(a.get(i) - e.get(i)) <= 1e-5 * scale)) {
        throw new AssertionError(what + ": element " + i + " is " + a.get(i) + " natively and "
            + e.get(i) + " in the Java loop (scale " + scale + ")");
      }
    }
  }
}
