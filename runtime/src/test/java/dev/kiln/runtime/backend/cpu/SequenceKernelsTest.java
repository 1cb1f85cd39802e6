package dev.kiln.runtime.backend.cpu;

import dev.kiln.runtime.backend.Backends;
import dev.kiln.runtime.backend.Kernels;
import dev.kiln.runtime.backend.java.JavaKernels;
import dev.kiln.runtime.tensor.Tensor;

import static com.google.common.truth.Truth.assertWithMessage;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The native sequence kernels ({@code kiln_sequence.c}) against the Java loops ({@link
 * JavaKernels}), on the thread count of this JVM (the build's default execution and its {@code
 * native-two-threads} one): LayerNorm bitwise; GELU, which runs in float with fused multiply-adds
 * there and in double in the Java loop, to four float steps plus 5e-7 (about four steps of 1:
 * where a value is near zero, as gelu'(x) around its root -0.75 or GELU below -9, its float
 * rounding is relative to the terms it cancels or to 1e-7 of the exponent); the attention core, whose softmax
 * sums in four lanes, to a few float steps; Adam bitwise. Sizes include vector tails, rows and pairs that do not
 * divide among the threads, and sequences longer than one block of 32 query rows.
 */
class SequenceKernelsTest {
  private static final Kernels JAVA = new JavaKernels();
  /** GELU's allowance beyond four float steps (see the class comment). */
  private static final double GELU_ABSOLUTE = 5e-7;
  private static Kernels nativeKernels;

  @BeforeAll
  static void nativeKernels() {
    assumeTrue(Backends.kernels() instanceof NativeKernels, "no native kernels in this JVM");
    nativeKernels = Backends.kernels();
  }

  private static Tensor random(Random random, int count, double scale) {
    Tensor t = Tensor.alignedZeros(count);
    for (int i = 0; i < count; i++) {
      t.set(i, (float) (random.nextGaussian() * scale));
    }
    return t;
  }

  private static Tensor copy(Tensor t) {
    Tensor c = Tensor.alignedZeros(t.length());
    c.setFrom(t.toFloatArray());
    return c;
  }

  /** Every element within {@code ulps} float steps (NaN matching NaN). */
  private static void assertClose(String what, Tensor expected, Tensor actual, int count,
      int ulps) {
    assertClose(what, expected, actual, count, ulps, 0);
  }

  /** Every element within {@code ulps} float steps plus {@code absolute} (NaN matching NaN). */
  private static void assertClose(String what, Tensor expected, Tensor actual, int count,
      int ulps, double absolute) {
    for (int i = 0; i < count; i++) {
      float e = expected.get(i);
      float a = actual.get(i);
      if (Float.isNaN(e) && Float.isNaN(a) || e == a) {
        continue;
      }
      float step = Math.max(Math.ulp(e), Math.ulp(a));
      assertWithMessage("%s [%s]: java %s, native %s", what, i, e, a)
          .that((double) Math.abs(e - a)).isAtMost((double) ulps * step + absolute);
    }
  }

  @Test
  void geluMatchesTheJavaLoopToFourFloatSteps() {
    Random random = new Random(17);
    for (int count : new int[] {1, 3, 4, 5, 17, 1000, 393_216 + 3}) {
      Tensor x = random(random, count, 3);
      float[] specials = {0f, -0f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
          -200f, 200f, -30f, -9f, 9f, 1e-30f, -1e-30f, Float.MIN_VALUE};
      for (int i = 0; i < Math.min(count, specials.length); i++) {
        x.set(i, specials[i]);
      }
      Tensor dy = random(random, count, 1);
      for (boolean tanh : new boolean[] {false, true}) {
        Tensor expected = Tensor.alignedZeros(count);
        Tensor actual = Tensor.alignedZeros(count);
        JAVA.gelu(x, expected, count, tanh);
        nativeKernels.gelu(x, actual, count, tanh);
        assertClose("gelu tanh=" + tanh + " n=" + count, expected, actual, count, 4,
            GELU_ABSOLUTE);
        JAVA.geluBackward(x, null, dy, expected, count, tanh);
        nativeKernels.geluBackward(x, null, dy, actual, count, tanh);
        assertClose("gelu backward tanh=" + tanh + " n=" + count, expected, actual, count, 4,
            GELU_ABSOLUTE);
        Tensor y = Tensor.alignedZeros(count); // the forward output, as the training step passes
        JAVA.gelu(x, y, count, tanh);
        JAVA.geluBackward(x, y, dy, expected, count, tanh);
        nativeKernels.geluBackward(x, y, dy, actual, count, tanh);
        assertClose("gelu backward from y tanh=" + tanh + " n=" + count, expected, actual, count,
            4, GELU_ABSOLUTE);
        Tensor inPlace = copy(x);
        nativeKernels.gelu(inPlace, inPlace, count, tanh);
        JAVA.gelu(x, expected, count, tanh);
        assertClose("gelu in place", expected, inPlace, count, 4, GELU_ABSOLUTE);
      }
    }
  }

  @Test
  void layerNormIsBitwiseTheJavaLoop() {
    Random random = new Random(5);
    int[][] shapes = {{768, 128}, {1536, 256}, {37, 50}, {1, 1}, {3, 7}, {65, 129}};
    for (int[] shape : shapes) {
      int rows = shape[0];
      int d = shape[1];
      Tensor x = random(random, rows * d, 2);
      Tensor gamma = random(random, d, 1);
      Tensor beta = random(random, d, 1);
      Tensor dy = random(random, rows * d, 1);
      Tensor[] java = {Tensor.alignedZeros(rows), Tensor.alignedZeros(rows),
          Tensor.alignedZeros(rows * d), Tensor.alignedZeros(rows * d), Tensor.alignedZeros(d),
          Tensor.alignedZeros(d)};
      Tensor[] nat = {Tensor.alignedZeros(rows), Tensor.alignedZeros(rows),
          Tensor.alignedZeros(rows * d), Tensor.alignedZeros(rows * d), Tensor.alignedZeros(d),
          Tensor.alignedZeros(d)};
      JAVA.layerNormForward(x, rows, d, 1e-5, gamma, beta, java[0], java[1], java[2]);
      nativeKernels.layerNormForward(x, rows, d, 1e-5, gamma, beta, nat[0], nat[1], nat[2]);
      JAVA.layerNormBackward(x, dy, rows, d, gamma, java[0], java[1], java[3], java[4], java[5]);
      nativeKernels.layerNormBackward(x, dy, rows, d, gamma, nat[0], nat[1], nat[3], nat[4],
          nat[5]);
      String[] names = {"mean", "rstd", "y", "dx", "gammaGrad", "betaGrad"};
      for (int i = 0; i < names.length; i++) {
        assertClose("layer norm " + rows + "x" + d + " " + names[i], java[i], nat[i],
            java[i].length(), 0);
      }
      // dx over dy, and no dx at all
      Tensor inPlace = copy(dy);
      nativeKernels.layerNormBackward(x, inPlace, rows, d, gamma, nat[0], nat[1], inPlace, nat[4],
          nat[5]);
      assertClose("layer norm dx over dy", java[3], inPlace, rows * d, 0);
      assertClose("layer norm dgamma, dx over dy", java[4], nat[4], d, 0);
      nativeKernels.layerNormBackward(x, dy, rows, d, gamma, nat[0], nat[1], null, nat[4],
          nat[5]);
      assertClose("layer norm dgamma without dx", java[4], nat[4], d, 0);
    }
  }

  @Test
  void attentionMatchesTheJavaLoop() {
    Random random = new Random(3);
    // {n, t, width, heads, causal}
    int[][] cases = {{12, 64, 128, 4, 1}, {3, 70, 48, 3, 1}, {2, 33, 16, 2, 0}, {1, 1, 8, 2, 1},
        {5, 20, 24, 1, 0}};
    for (int[] c : cases) {
      int n = c[0];
      int t = c[1];
      int width = c[2];
      int heads = c[3];
      boolean causal = c[4] == 1;
      int context = t + 3;
      float scale = (float) (1.0 / Math.sqrt(width / heads));
      int count = n * t * width;
      int pCount = n * heads * t * t;
      Tensor q = random(random, count, 1);
      Tensor k = random(random, count, 1);
      Tensor v = random(random, count, 1);
      Tensor dy = random(random, count, 1);
      Tensor scratch = Tensor.alignedZeros((long) nativeKernels.threads() * context * context);
      String what = "attention " + java.util.Arrays.toString(c);
      Tensor[] java = outputs(count, pCount);
      Tensor[] nat = outputs(count, pCount);
      JAVA.attentionForward(q, k, v, n, t, width, heads, causal, scale, java[0], java[1]);
      nativeKernels.attentionForward(q, k, v, n, t, width, heads, causal, scale, nat[0], nat[1]);
      assertClose(what + " probabilities", java[0], nat[0], pCount, 2);
      for (int i = 0; i < count; i++) {
        assertWithMessage("%s y [%s]", what, i).that((double) nat[1].get(i))
            .isWithin(1e-6 + 1e-6 * Math.abs(java[1].get(i))).of(java[1].get(i));
      }
      JAVA.attentionBackward(q, k, v, java[0], dy, n, t, context, width, heads, causal, scale,
          scratch, java[2], java[3], java[4]);
      nativeKernels.attentionBackward(q, k, v, java[0], dy, n, t, context, width, heads, causal,
          scale, scratch, nat[2], nat[3], nat[4]);
      // the same probabilities in: the products and softmax gradient are the same operations
      for (int i = 2; i < 5; i++) {
        assertClose(what + " gradient " + i, java[i], nat[i], count, 0);
      }
    }
  }

  @Test
  void adamIsBitwiseTheJavaLoop() {
    Random random = new Random(11);
    for (int count : new int[] {1, 15, 17, 100_003}) {
      for (boolean amsGrad : new boolean[] {false, true}) {
        for (boolean decays : new boolean[] {false, true}) {
          Tensor w = random(random, count, 1);
          Tensor g = random(random, count, 1e-3);
          g.set(0, 0f);
          Tensor m = random(random, count, 1e-3);
          Tensor v = random(random, count, 1e-3);
          for (int i = 0; i < count; i++) {
            v.set(i, v.get(i) * v.get(i));
          }
          Tensor vMax = amsGrad ? copy(v) : null;
          if (amsGrad) {
            vMax.set(count - 1, 1f);
          }
          Tensor[] java = {copy(w), copy(m), copy(v), amsGrad ? copy(vMax) : null};
          Tensor[] nat = {copy(w), copy(m), copy(v), amsGrad ? copy(vMax) : null};
          for (int step = 1; step <= 3; step++) {
            float negStepSize = (float) -(1e-3 / (1 - Math.pow(0.9, step)));
            float bc2Sqrt = (float) Math.sqrt(1 - Math.pow(0.99, step));
            JAVA.adam(java[0], g, java[1], java[2], java[3], count, 0.9999f, 0.9f, 0.1f, 0.99f,
                0.01f, negStepSize, bc2Sqrt, 1e-8f, decays);
            nativeKernels.adam(nat[0], g, nat[1], nat[2], nat[3], count, 0.9999f, 0.9f, 0.1f,
                0.99f, 0.01f, negStepSize, bc2Sqrt, 1e-8f, decays);
          }
          for (int i = 0; i < (amsGrad ? 4 : 3); i++) {
            assertClose("adam n=" + count + " amsGrad=" + amsGrad + " decays=" + decays + " "
                + i, java[i], nat[i], count, 0);
          }
        }
      }
    }
  }

  private static Tensor[] outputs(int count, int pCount) {
    return new Tensor[] {Tensor.alignedZeros(pCount), Tensor.alignedZeros(count),
        Tensor.alignedZeros(count), Tensor.alignedZeros(count), Tensor.alignedZeros(count)};
  }
}
