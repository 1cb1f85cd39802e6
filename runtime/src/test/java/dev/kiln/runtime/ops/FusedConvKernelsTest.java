package dev.kiln.runtime.ops;

import static com.google.common.truth.Truth.assertWithMessage;

import dev.kiln.runtime.tensor.SplitMix64;
import dev.kiln.runtime.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The fused and specialised paths of the pooling and batch-norm kernels against the plain ones
 * and direct loops: {@link MaxPool2d}'s 2×2 stride-2 loops (odd sizes, ties, NaN) and its
 * {@code forwardRelu} / {@code backwardRelu}; {@link BatchNorm2dKernel#forwardTrainRelu} and
 * {@link BatchNorm2dKernel#backwardRelu} against batch norm and {@link Activations} one after
 * the other.
 */
class FusedConvKernelsTest {
  private static Tensor random(SplitMix64 rng, int... shape) {
    long[] s = new long[shape.length];
    int count = 1;
    for (int i = 0; i < shape.length; i++) {
      s[i] = shape[i];
      count *= shape[i];
    }
    float[] v = new float[count];
    for (int i = 0; i < count; i++) {
      // Small integers, so that windows hold ties, and some NaN.
      v[i] = rng.nextDouble() < 0.02 ? Float.NaN : (float) (rng.nextInt(7) - 3);
    }
    Tensor t = Tensor.zeros(s);
    t.setFrom(v);
    return t;
  }

  @Test
  void maxPool2x2MatchesDirectLoopsOnOddSizesWithTiesAndNaN() {
    int n = 3, c = 2, h = 7, w = 5;
    SplitMix64 rng = new SplitMix64(3);
    Tensor x = random(rng, n, c, h, w);
    MaxPool2d pool = new MaxPool2d(c, h, w, 2, 2, 2, 2, 0, 0);
    int oh = pool.outHeight(), ow = pool.outWidth();
    Tensor y = Tensor.zeros(n, c, oh, ow);
    Tensor yRelu = Tensor.zeros(n, c, oh, ow);
    int[] argmax = new int[n * c * oh * ow];
    int[] argmaxRelu = new int[argmax.length];
    pool.forward(x, n, y, argmax);
    pool.forwardRelu(x, n, yRelu, argmaxRelu);
    Tensor dy = Tensor.zeros(n, c, oh, ow);
    for (int i = 0; i < dy.length(); i++) {
      dy.set(i, i + 1);
    }
    Tensor dx = Tensor.zeros(n, c, h, w);
    dx.fill(99f); // every element must be overwritten
    Tensor dxRelu = Tensor.zeros(n, c, h, w);
    dxRelu.fill(99f);
    pool.backward(dy, n, argmax, dx);
    pool.backwardRelu(dy, yRelu, n, argmaxRelu, dxRelu);
    float[] expectDx = new float[dx.length()];
    float[] expectDxRelu = new float[dx.length()];
    for (int p = 0, o = 0; p < n * c; p++) {
      for (int i = 0; i < oh; i++) {
        for (int j = 0; j < ow; j++, o++) {
          int best = 2 * i * w + 2 * j;
          float max = Float.NEGATIVE_INFINITY;
          for (int a = 0; a < 2; a++) {
            for (int b = 0; b < 2; b++) {
              int idx = (2 * i + a) * w + 2 * j + b;
              float v = x.get(p * h * w + idx);
              if (v > max || v != v) {
                max = v;
                best = idx;
              }
            }
          }
          String at = "output " + o;
          assertWithMessage(at).that(y.get(o)).isEqualTo(max);
          assertWithMessage(at).that(argmax[o]).isEqualTo(best);
          float relu = max != max ? max : Math.max(0f, max);
          assertWithMessage(at + " relu").that(yRelu.get(o)).isEqualTo(relu);
          expectDx[p * h * w + best] += dy.get(o);
          if (relu > 0) {
            expectDxRelu[p * h * w + argmaxRelu[o]] += dy.get(o);
          }
        }
      }
    }
    assertWithMessage("dx").that(dx.toFloatArray()).isEqualTo(expectDx);
    assertWithMessage("dx relu").that(dxRelu.toFloatArray()).isEqualTo(expectDxRelu);
  }

  @Test
  void batchNormReluEqualsBatchNormThenRelu() {
    int n = 4, c = 3, h = 5, w = 3;
    int count = n * c * h * w;
    SplitMix64 rng = new SplitMix64(11);
    Tensor x = Tensor.zeros(n, c, h, w);
    Tensor dy = Tensor.zeros(n, c, h, w);
    for (int i = 0; i < count; i++) {
      x.set(i, (float) (rng.nextDouble() * 4 - 2));
      dy.set(i, (float) (rng.nextDouble() * 2 - 1));
    }
    Tensor gamma = Tensor.zeros(c);
    gamma.setFrom(new float[] {1.5f, -0.7f, 0.3f});
    Tensor beta = Tensor.zeros(c);
    beta.setFrom(new float[] {0.2f, 0.1f, -0.4f});

    // Plain: batch norm, ReLU, ReLU backward, batch-norm backward.
    BatchNorm2dKernel plain = new BatchNorm2dKernel(c, h, w, 0.1, 1e-5);
    Tensor rm1 = Tensor.zeros(c), rv1 = Tensor.zeros(c);
    Tensor xhat1 = Tensor.zeros(n, c, h, w), pre = Tensor.zeros(n, c, h, w);
    Tensor y1 = Tensor.zeros(n, c, h, w), d1 = Tensor.zeros(n, c, h, w);
    Tensor gg1 = Tensor.zeros(c), bg1 = Tensor.zeros(c);
    plain.forwardTrain(x, n, gamma, beta, rm1, rv1, xhat1, pre);
    new dev.kiln.runtime.backend.java.JavaKernels().relu(pre, y1, count);
    new dev.kiln.runtime.backend.java.JavaKernels().reluBackward(pre, dy, d1, count);
    plain.backward(d1, xhat1, n, gamma, gg1, bg1, d1);

    // Fused, with dx in place of dy.
    BatchNorm2dKernel fused = new BatchNorm2dKernel(c, h, w, 0.1, 1e-5);
    Tensor rm2 = Tensor.zeros(c), rv2 = Tensor.zeros(c);
    Tensor xhat2 = Tensor.zeros(n, c, h, w), y2 = Tensor.zeros(n, c, h, w);
    Tensor gg2 = Tensor.zeros(c), bg2 = Tensor.zeros(c);
    Tensor d2 = Tensor.zeros(n, c, h, w);
    d2.setFrom(dy.toFloatArray());
    fused.forwardTrainRelu(x, n, gamma, beta, rm2, rv2, xhat2, y2);
    fused.backwardRelu(d2, y2, xhat2, n, gamma, gg2, bg2, d2);

    assertWithMessage("y").that(y2.toFloatArray()).isEqualTo(y1.toFloatArray());
    assertWithMessage("xhat").that(xhat2.toFloatArray()).isEqualTo(xhat1.toFloatArray());
    assertWithMessage("running mean").that(rm2.toFloatArray()).isEqualTo(rm1.toFloatArray());
    assertWithMessage("running var").that(rv2.toFloatArray()).isEqualTo(rv1.toFloatArray());
    assertWithMessage("gamma grad").that(gg2.toFloatArray()).isEqualTo(gg1.toFloatArray());
    assertWithMessage("beta grad").that(bg2.toFloatArray()).isEqualTo(bg1.toFloatArray());
    assertWithMessage("dx").that(d2.toFloatArray()).isEqualTo(d1.toFloatArray());
  }
}
