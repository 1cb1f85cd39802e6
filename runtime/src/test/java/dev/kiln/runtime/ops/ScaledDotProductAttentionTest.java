package dev.kiln.runtime.ops;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.runtime.tensor.SplitMix64;
import dev.kiln.runtime.tensor.Tensor;
import dev.kiln.runtime.testing.Golden;
import org.junit.jupiter.api.Test;

/**
 * {@link ScaledDotProductAttention} against a direct double-precision evaluation of its formulas
 * (softmax(q·kᵀ/√d + mask)·v per head and its gradients), causal and not, at the full context and
 * at shorter sequences in the same buffers. The golden check of the whole layer is {@link
 * SelfAttentionTest}.
 */
class ScaledDotProductAttentionTest {
  private static final double RTOL = 1e-5;
  private static final double ATOL = 1e-6;

  /** A double evaluation of forward and backward on the packed [n, t, D] prefix. */
  private static final class Reference {
    final double[] y;
    final double[] p;
    final double[] dq;
    final double[] dk;
    final double[] dv;

    Reference(float[] q, float[] k, float[] v, float[] dy, int n, int t, int width, int heads,
        boolean causal) {
      int d = width / heads;
      double scale = 1 / Math.sqrt(d);
      y = new double[n * t * width];
      p = new double[n * heads * t * t];
      dq = new double[n * t * width];
      dk = new double[n * t * width];
      dv = new double[n * t * width];
      for (int s = 0; s < n; s++) {
        for (int h = 0; h < heads; h++) {
          int base = s * t * width + h * d;
          int pBase = (s * heads + h) * t * t;
          for (int i = 0; i < t; i++) {
            double max = Double.NEGATIVE_INFINITY;
            double[] row = new double[t];
            for (int j = 0; j < t; j++) {
              double dot = 0;
              for (int c = 0; c < d; c++) {
                dot += (double) q[base + i * width + c] * k[base + j * width + c];
              }
              row[j] = causal && j > i ? Double.NEGATIVE_INFINITY : dot * scale;
              max = Math.max(max, row[j]);
            }
            double sum = 0;
            for (int j = 0; j < t; j++) {
              row[j] = Math.exp(row[j] - max);
              sum += row[j];
            }
            for (int j = 0; j < t; j++) {
              p[pBase + i * t + j] = row[j] / sum;
            }
          }
          for (int i = 0; i < t; i++) {
            for (int c = 0; c < d; c++) {
              double acc = 0;
              for (int j = 0; j < t; j++) {
                acc += p[pBase + i * t + j] * v[base + j * width + c];
              }
              y[base + i * width + c] = acc;
            }
          }
          // Backward.
          double[][] ds = new double[t][t];
          for (int i = 0; i < t; i++) {
            double[] dp = new double[t];
            double dot = 0;
            for (int j = 0; j < t; j++) {
              for (int c = 0; c < d; c++) {
                dp[j] += (double) dy[base + i * width + c] * v[base + j * width + c];
              }
              dot += dp[j] * p[pBase + i * t + j];
            }
            for (int j = 0; j < t; j++) {
              ds[i][j] = p[pBase + i * t + j] * (dp[j] - dot);
            }
          }
          for (int i = 0; i < t; i++) {
            for (int c = 0; c < d; c++) {
              double aq = 0;
              double ak = 0;
              double av = 0;
              for (int j = 0; j < t; j++) {
                aq += ds[i][j] * k[base + j * width + c];
                ak += ds[j][i] * q[base + j * width + c];
                av += p[pBase + j * t + i] * dy[base + j * width + c];
              }
              dq[base + i * width + c] = aq * scale;
              dk[base + i * width + c] = ak * scale;
              dv[base + i * width + c] = av;
            }
          }
        }
      }
    }
  }

  private static float[] head(Tensor t, int count) {
    return Fixtures.head(t, count);
  }

  private static void check(int batch, int context, int width, int heads, boolean causal,
      int n, int t, ScaledDotProductAttention kernel, long seed) {
    SplitMix64 rng = new SplitMix64(seed);
    int capacity = batch * context * width;
    Tensor q = Fixtures.random(rng, 1, capacity);
    Tensor k = Fixtures.random(rng, 1, capacity);
    Tensor v = Fixtures.random(rng, 1, capacity);
    Tensor dy = Fixtures.random(rng, 1, capacity);
    Tensor p = Tensor.zeros((long) batch * heads * context * context);
    p.fill(Float.NaN);
    Tensor y = Tensor.zeros(capacity);
    Tensor dq = Tensor.zeros(capacity);
    Tensor dk = Tensor.zeros(capacity);
    Tensor dv = Tensor.zeros(capacity);
    kernel.forward(q, k, v, n, t, p, y);
    kernel.backward(q, k, v, p, dy, n, t, dq, dk, dv);
    int count = n * t * width;
    Reference r = new Reference(head(q, count), head(k, count), head(v, count), head(dy, count),
        n, t, width, heads, causal);
    String at = (causal ? "causal" : "full") + " t=" + t + " ";
    Golden.assertAllClose(at + "probabilities", head(p, r.p.length), r.p, RTOL, ATOL);
    Golden.assertAllClose(at + "y", head(y, count), r.y, RTOL, ATOL);
    Golden.assertAllClose(at + "dq", head(dq, count), r.dq, RTOL, ATOL);
    Golden.assertAllClose(at + "dk", head(dk, count), r.dk, RTOL, ATOL);
    Golden.assertAllClose(at + "dv", head(dv, count), r.dv, RTOL, ATOL);
  }

  @Test
  void matchesDirectEvaluationAtFullAndShorterLengths() {
    for (boolean causal : new boolean[] {true, false}) {
      ScaledDotProductAttention kernel = new ScaledDotProductAttention(9, 12, 3, causal);
      assertThat(kernel.causal()).isEqualTo(causal);
      // The same instance at the full context, then shorter (a prefix of each buffer), then full.
      check(3, 9, 12, 3, causal, 3, 9, kernel, 1);
      check(3, 9, 12, 3, causal, 2, 5, kernel, 2);
      check(3, 9, 12, 3, causal, 3, 1, kernel, 3);
      check(3, 9, 12, 3, causal, 1, 9, kernel, 4);
    }
  }

  /**
   * Sequences longer than one block of query rows ({@link ScaledDotProductAttention#ROW_BLOCK}):
   * the causal products run block by block, the gradients of keys and values accumulate across
   * blocks. Lengths a multiple of the block, not a multiple, and one past a block.
   */
  @Test
  void matchesDirectEvaluationOverSeveralRowBlocks() {
    int block = ScaledDotProductAttention.ROW_BLOCK;
    int context = 2 * block + 7;
    for (boolean causal : new boolean[] {true, false}) {
      ScaledDotProductAttention kernel = new ScaledDotProductAttention(context, 16, 2, causal);
      check(2, context, 16, 2, causal, 2, context, kernel, 5);
      check(2, context, 16, 2, causal, 2, 2 * block, kernel, 6);
      check(2, context, 16, 2, causal, 1, block + 1, kernel, 7);
      check(2, context, 16, 2, causal, 2, block - 3, kernel, 8);
    }
  }

  @Test
  void refusesBadArguments() {
    assertThat(assertThrows(IllegalArgumentException.class,
        () -> new ScaledDotProductAttention(4, 8, 0, true)).getMessage())
        .isEqualTo("attention: expected heads >= 1, got 0");
    ScaledDotProductAttention kernel = new ScaledDotProductAttention(4, 8, 2, true);
    Tensor a = Tensor.zeros(64);
    Tensor b = Tensor.zeros(64);
    Tensor c = Tensor.zeros(64);
    Tensor p = Tensor.zeros(64);
    Tensor y = Tensor.zeros(64);
    y.fill(2f);
    assertThat(assertThrows(IllegalArgumentException.class,
        () -> kernel.forward(a, b, c, 2, 5, p, y)).getMessage())
        .isEqualTo("attention: sequence length 5 exceeds the context of 4");
    assertThat(assertThrows(IllegalArgumentException.class,
        () -> kernel.forward(a, b, c, 3, 4, p, y)).getMessage())
        .isEqualTo("attention: q has 64 elements; 96 needed");
    assertThat(assertThrows(IllegalArgumentException.class,
        () -> kernel.forward(a, b, c, 2, 4, p, a)).getMessage())
        .isEqualTo("attention: y must not overlap q");
    assertThat(y.get(0)).isEqualTo(2f);
    assertThat(assertThrows(IllegalArgumentException.class,
        () -> kernel.backward(a, b, c, p, y, 2, 4, b, Tensor.zeros(64), Tensor.zeros(64)))
        .getMessage()).isEqualTo("attention backward: dq must not overlap k");
  }
}
