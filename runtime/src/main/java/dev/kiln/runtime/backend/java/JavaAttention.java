package dev.kiln.runtime.backend.java;

import dev.kiln.runtime.backend.Kernels;
import dev.kiln.runtime.tensor.Tensor;
import java.nio.FloatBuffer;

/**
 * The attention core of {@link Kernels#attentionForward} and {@link Kernels#attentionBackward} as
 * Java loops on the calling thread: per sample and head, OpenBLAS {@code sgemm} calls on
 * sub-matrices (leading dimension {@code width}) by blocks of {@value #ROW_BLOCK} query rows
 * against only the keys a block sees when causal, and the softmax and its gradient in double per
 * row, rounded once (Vaswani et al., 2017, eq. 1).
 */
final class JavaAttention {
  /** Query rows per block of the causal products (as {@code kiln_sequence.c}). */
  static final int ROW_BLOCK = 32;

  private JavaAttention() {}

  private static long at(Tensor t, long offset) {
    return t.address() + offset * Float.BYTES;
  }

  static void forward(Tensor q, Tensor k, Tensor v, int n, int t, int width, int heads,
      boolean causal, float scale, Tensor probabilities, Tensor y) {
    int d = width / heads;
    FloatBuffer pb = probabilities.data();
    for (int s = 0; s < n; s++) {
      for (int h = 0; h < heads; h++) {
        long off = (long) s * t * width + (long) h * d;
        long pOff = ((long) s * heads + h) * t * t;
        for (int r0 = 0; r0 < t; r0 += ROW_BLOCK) {
          int rows = Math.min(ROW_BLOCK, t - r0);
          int keys = causal ? r0 + rows : t;
          long qRow = off + (long) r0 * width;
          long pRow = pOff + (long) r0 * t;
          // scores[r0:r1, 0:keys] = scale · q_h[r0:r1] · k_h[0:keys]ᵀ
          JavaKernels.openBlasGemm(false, true, rows, keys, d, scale, at(q, qRow), width,
              at(k, off), width, 0f, at(probabilities, pRow), t);
          softmaxRows(pb, (int) pOff, t, r0, r0 + rows, causal);
          // y_h[r0:r1] = P[r0:r1, 0:keys] · v_h[0:keys]
          JavaKernels.openBlasGemm(false, false, rows, d, keys, 1f, at(probabilities, pRow), t,
              at(v, off), width, 0f, at(y, qRow), width);
        }
      }
    }
  }

  static void backward(Tensor q, Tensor k, Tensor v, Tensor probabilities, Tensor dy, int n,
      int t, int width, int heads, boolean causal, float scale, Tensor scores, Tensor dq,
      Tensor dk, Tensor dv) {
    int d = width / heads;
    FloatBuffer pb = probabilities.data();
    FloatBuffer sb = scores.data();
    for (int s = 0; s < n; s++) {
      for (int h = 0; h < heads; h++) {
        long off = (long) s * t * width + (long) h * d;
        long pOff = ((long) s * heads + h) * t * t;
        // Row blocks from the last: its keys span all t rows of dk and dv, which it writes
        // (beta 0); earlier blocks see fewer keys and add into rows already written.
        int last = (t - 1) / ROW_BLOCK * ROW_BLOCK;
        for (int r0 = last; r0 >= 0; r0 -= ROW_BLOCK) {
          int rows = Math.min(ROW_BLOCK, t - r0);
          int keys = causal ? r0 + rows : t;
          float beta = r0 == last ? 0f : 1f;
          long row = off + (long) r0 * width;
          long pRow = pOff + (long) r0 * t;
          long sRow = (long) r0 * t;
          // dv_h[0:keys] (+)= P[r0:r1, 0:keys]ᵀ · dy_h[r0:r1]
          JavaKernels.openBlasGemm(true, false, keys, d, rows, 1f, at(probabilities, pRow), t,
              at(dy, row), width, beta, at(dv, off), width);
          // dP[r0:r1, 0:keys] = dy_h[r0:r1] · v_h[0:keys]ᵀ, into the scratch (leading dim t)
          JavaKernels.openBlasGemm(false, true, rows, keys, d, 1f, at(dy, row), width,
              at(v, off), width, 0f, at(scores, sRow), t);
          softmaxBackwardRows(pb, (int) pOff, sb, t, r0, r0 + rows, causal);
          // dq_h[r0:r1] = scale · dS[r0:r1, 0:keys] · k_h[0:keys]
          JavaKernels.openBlasGemm(false, false, rows, d, keys, scale, at(scores, sRow), t,
              at(k, off), width, 0f, at(dq, row), width);
          // dk_h[0:keys] (+)= scale · dS[r0:r1, 0:keys]ᵀ · q_h[r0:r1]
          JavaKernels.openBlasGemm(true, false, keys, d, rows, scale, at(scores, sRow), t,
              at(q, row), width, beta, at(dk, off), width);
        }
      }
    }
  }

  /** Softmax of rows {@code [from, to)} of the {@code [t, t]} matrix at {@code off}. */
  private static void softmaxRows(FloatBuffer p, int off, int t, int from, int to,
      boolean causal) {
    float[] row = JavaSequence.row(0, t);
    for (int i = from; i < to; i++) {
      int at = off + i * t;
      int seen = causal ? i + 1 : t;
      p.get(at, row, 0, seen);
      float max = Float.NEGATIVE_INFINITY;
      for (int j = 0; j < seen; j++) {
        max = Math.max(max, row[j]);
      }
      double sum = 0;
      for (int j = 0; j < seen; j++) {
        double e = Math.exp(row[j] - max);
        sum += e;
        row[j] = (float) e;
      }
      // Dividing the rounded exponentials changes a float by at most one ulp.
      float inv = (float) (1.0 / sum);
      for (int j = 0; j < seen; j++) {
        row[j] *= inv;
      }
      for (int j = seen; j < t; j++) {
        row[j] = 0f;
      }
      p.put(at, row, 0, t);
    }
  }

  /** {@code dS = P∘(dP - rowsum(dP∘P))} for rows {@code [from, to)}, in place over {@code dP}. */
  private static void softmaxBackwardRows(FloatBuffer p, int off, FloatBuffer dp, int t,
      int from, int to, boolean causal) {
    float[] pr = JavaSequence.row(0, t);
    float[] dr = JavaSequence.row(1, t);
    for (int i = from; i < to; i++) {
      int seen = causal ? i + 1 : t;
      p.get(off + i * t, pr, 0, seen);
      dp.get(i * t, dr, 0, seen);
      double dot = 0;
      for (int j = 0; j < seen; j++) {
        dot += (double) pr[j] * dr[j];
      }
      for (int j = 0; j < seen; j++) {
        dr[j] = (float) (pr[j] * (dr[j] - dot));
      }
      for (int j = seen; j < t; j++) {
        dr[j] = 0f;
      }
      dp.put(i * t, dr, 0, t);
    }
  }
}
