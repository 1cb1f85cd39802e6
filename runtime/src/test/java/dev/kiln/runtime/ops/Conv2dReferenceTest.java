package dev.kiln.runtime.ops;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.runtime.tensor.SplitMix64;
import dev.kiln.runtime.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * {@link Conv2d} and the pools on geometries beyond {@code conv.json}'s (strides larger than the
 * kernel, kernels as large as the padded input, ragged last groups), against direct loops in
 * double straight from the definition; and the argument checks.
 */
class Conv2dReferenceTest {
  /** {C, H, W, out, kh, kw, sh, sw, ph, pw, n}. */
  private static final int[][] CASES = {
      {3, 9, 7, 5, 3, 3, 2, 2, 1, 1, 7},
      {2, 5, 6, 3, 5, 6, 1, 1, 0, 0, 3},
      {2, 6, 6, 4, 2, 2, 3, 3, 0, 0, 5},
      {1, 4, 4, 2, 5, 5, 1, 2, 2, 2, 4},
      {4, 8, 5, 2, 1, 3, 1, 2, 0, 1, 6},
      {3, 3, 10, 3, 2, 4, 2, 3, 1, 2, 2},
      // Stride 1 with the output as wide as the input (Im2col's one-copy-per-row path).
      {3, 6, 5, 4, 3, 3, 1, 1, 1, 1, 4},
      {2, 7, 4, 3, 5, 5, 1, 1, 2, 2, 3},
      {2, 4, 6, 3, 3, 1, 1, 1, 0, 0, 3},
      {1, 3, 5, 2, 5, 3, 1, 1, 1, 1, 2},
      {2, 2, 3, 2, 1, 3, 1, 1, 3, 1, 2},
  };

  @TestFactory
  List<DynamicTest> convolutionMatchesDirectLoops() {
    List<DynamicTest> tests = new ArrayList<>();
    for (int[] c : CASES) {
      for (int group : new int[] {1, 3, -1}) {
        tests.add(DynamicTest.dynamicTest(java.util.Arrays.toString(c) + " group " + group,
            () -> convCase(c, group)));
      }
    }
    return tests;
  }

  private static void convCase(int[] c, int group) {
    int ch = c[0], h = c[1], w = c[2], out = c[3], kh = c[4], kw = c[5], sh = c[6], sw = c[7];
    int ph = c[8], pw = c[9], n = c[10];
    Conv2d conv = new Conv2d(new Window2d("conv2d", ch, h, w, kh, kw, sh, sw, ph, pw), out, group);
    int oh = conv.outHeight();
    int ow = conv.outWidth();
    assertThat(oh).isEqualTo((h + 2 * ph - kh) / sh + 1);
    assertThat(ow).isEqualTo((w + 2 * pw - kw) / sw + 1);
    SplitMix64 rng = new SplitMix64(7 + group);
    Tensor x = random(rng, n, ch, h, w);
    Tensor weight = random(rng, out, ch, kh, kw);
    Tensor bias = random(rng, out);
    Tensor dy = random(rng, n, out, oh, ow);
    Tensor y = Tensor.zeros(n, out, oh, ow);
    Tensor dx = Tensor.zeros(n, ch, h, w);
    Tensor dw = Tensor.zeros(out, ch, kh, kw);
    Tensor db = Tensor.zeros(out);
    Tensor workspace = Tensor.zeros(conv.workspaceElements(n));
    conv.forward(x, n, weight, bias, y, workspace);
    conv.backward(x, dy, n, weight, dw, db, dx, workspace);

    double[] ey = new double[y.length()];
    double[] edx = new double[dx.length()];
    double[] edw = new double[dw.length()];
    double[] edb = new double[out];
    for (int s = 0; s < n; s++) {
      for (int o = 0; o < out; o++) {
        for (int i = 0; i < oh; i++) {
          for (int j = 0; j < ow; j++) {
            int yi = ((s * out + o) * oh + i) * ow + j;
            double acc = bias.get(o);
            double g = dy.get(yi);
            edb[o] += g;
            for (int q = 0; q < ch; q++) {
              for (int a = 0; a < kh; a++) {
                for (int b = 0; b < kw; b++) {
                  int r = i * sh - ph + a;
                  int col = j * sw - pw + b;
                  if (r < 0 || r >= h || col < 0 || col >= w) {
                    continue;
                  }
                  int xi = ((s * ch + q) * h + r) * w + col;
                  int wi = ((o * ch + q) * kh + a) * kw + b;
                  acc += (double) x.get(xi) * weight.get(wi);
                  edx[xi] += g * weight.get(wi);
                  edw[wi] += g * x.get(xi);
                }
              }
            }
            ey[yi] = acc;
          }
        }
      }
    }
    assertClose("y", y, ey);
    assertClose("dx", dx, edx);
    assertClose("dw", dw, edw);
    assertClose("db", db, edb);
  }

  private static void assertClose(String what, Tensor actual, double[] expected) {
    for (int i = 0; i < expected.length; i++) {
      assertWithMessage("%s[%s]", what, i).that((double) actual.get(i))
          .isWithin(1e-4 + 1e-4 * Math.abs(expected[i])).of(expected[i]);
    }
  }

  private static Tensor random(SplitMix64 rng, long... shape) {
    Tensor t = Tensor.zeros(shape);
    for (int i = 0; i < t.length(); i++) {
      t.set(i, (float) rng.nextGaussian());
    }
    return t;
  }

  @Test
  void maxPoolTakesTheFirstMaximumAndPropagatesNaN() {
    MaxPool2d pool = new MaxPool2d(1, 2, 4, 2, 2, 2, 2, 0, 0);
    Tensor x = Tensor.zeros(1, 1, 2, 4);
    // window 0: 3 at (0,1) and (1,0): the first in row-major order, (0,1), takes it;
    // window 1: a NaN at (1,2) wins over the 9 before it.
    x.setFrom(new float[] {1, 3, 9, 2, 3, 0, Float.NaN, 4});
    Tensor y = Tensor.zeros(1, 1, 1, 2);
    int[] argmax = new int[2];
    pool.forward(x, 1, y, argmax);
    assertThat(argmax).isEqualTo(new int[] {1, 6});
    assertThat(y.get(0)).isEqualTo(3f);
    assertThat(Float.isNaN(y.get(1))).isTrue();
    Tensor dy = Tensor.zeros(1, 1, 1, 2);
    dy.setFrom(new float[] {5, 7});
    Tensor dx = Tensor.zeros(1, 1, 2, 4);
    pool.backward(dy, 1, argmax, dx);
    assertThat(dx.toFloatArray()).isEqualTo(new float[] {0, 5, 0, 0, 0, 0, 7, 0});
  }

  @Test
  void badArgumentsAreRefusedWithTheExpectedSize() {
    Conv2d conv = new Conv2d(2, 5, 5, 3, 3, 3, 1, 1, 1, 1);
    Tensor x = Tensor.zeros(2, 2, 5, 5);
    Tensor w = Tensor.zeros(3, 2, 3, 3);
    Tensor y = Tensor.zeros(2, 3, 5, 5);
    Tensor work = Tensor.zeros(conv.workspaceElements(2));
    assertThat(Conv2d.workspaceElements(2, 2, 5, 5, 3, 3, 3, 1, 1, 1, 1))
        .isEqualTo(conv.workspaceElements(2));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> conv.forward(x, 3, w, null, y, work));
    assertThat(e).hasMessageThat().contains("x has 100 elements; 150 needed");
    e = assertThrows(IllegalArgumentException.class,
        () -> conv.forward(x, 2, Tensor.zeros(3, 2, 3, 2), null, y, work));
    assertThat(e).hasMessageThat().contains("weight has 36 elements; 54 needed");
    e = assertThrows(IllegalArgumentException.class,
        () -> conv.forward(x, 2, w, Tensor.zeros(2), y, work));
    assertThat(e).hasMessageThat().contains("bias has 2 elements; 3 needed");
    e = assertThrows(IllegalArgumentException.class,
        () -> conv.forward(x, 2, w, null, y, Tensor.zeros(10)));
    assertThat(e).hasMessageThat().contains("workspace has 10 elements");
    e = assertThrows(IllegalArgumentException.class,
        () -> conv.forward(y, 2, w, null, y, work));
    assertThat(e).hasMessageThat().contains("must not overlap");
    e = assertThrows(IllegalArgumentException.class,
        () -> conv.forward(x, 0, w, null, y, work));
    assertThat(e).hasMessageThat().contains("batch of at least 1");
    e = assertThrows(IllegalArgumentException.class, () -> new Conv2d(2, 2, 2, 3, 5, 5, 1, 1, 1, 1));
    assertThat(e).hasMessageThat().contains("larger than the padded input");
    e = assertThrows(IllegalArgumentException.class, () -> new MaxPool2d(1, 4, 4, 2, 2, 2, 2, 2, 0));
    assertThat(e).hasMessageThat().contains("at most half the kernel");
    e = assertThrows(IllegalArgumentException.class, () -> new AvgPool2d(1, 4, 4, 2, 2, 0, 2, 0, 0));
    assertThat(e).hasMessageThat().contains("stride >= 1");
    MaxPool2d pool = new MaxPool2d(1, 4, 4, 2, 2, 2, 2, 0, 0);
    e = assertThrows(IllegalArgumentException.class,
        () -> pool.forward(Tensor.zeros(1, 1, 4, 4), 1, Tensor.zeros(1, 1, 2, 2), new int[3]));
    assertThat(e).hasMessageThat().contains("argmax has 3 elements; 4 needed");
    Tensor dx = Tensor.zeros(1, 1, 4, 4);
    dx.fill(2f);
    e = assertThrows(IllegalArgumentException.class,
        () -> pool.backward(Tensor.zeros(1, 1, 2, 2), 1, new int[] {0, 1, 16, 2}, dx));
    assertThat(e).hasMessageThat().contains("argmax[2] = 16 outside a plane of 16 elements");
    assertThat(dx.get(0)).isEqualTo(2f); // refused before any write
  }
}
