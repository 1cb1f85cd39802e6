package dev.kiln.runtime.backend.java;

import dev.kiln.runtime.tensor.Tensor;

import java.nio.FloatBuffer;

/** The Java loops of the column sums and the sum of squares ({@link JavaKernels}). */
final class JavaReductions {
  private JavaReductions() {}

  /** {@link dev.kiln.runtime.backend.Kernels#sumRows}. */
  static void sumRows(Tensor x, int n, int width, Tensor out) {
    FloatBuffer xb = x.data();
    FloatBuffer ob = out.data();
    int j = 0;
    // Eight columns at a time, so each row contributes 32 contiguous bytes per visit instead of
    // one float per cache line; each column is still summed in row order (same result).
    for (; j + 8 <= width; j += 8) {
      double s0 = 0;
      double s1 = 0;
      double s2 = 0;
      double s3 = 0;
      double s4 = 0;
      double s5 = 0;
      double s6 = 0;
      double s7 = 0;
      for (int r = 0, i = j; r < n; r++, i += width) {
        s0 += xb.get(i);
        s1 += xb.get(i + 1);
        s2 += xb.get(i + 2);
        s3 += xb.get(i + 3);
        s4 += xb.get(i + 4);
        s5 += xb.get(i + 5);
        s6 += xb.get(i + 6);
        s7 += xb.get(i + 7);
      }
      ob.put(j, (float) s0);
      ob.put(j + 1, (float) s1);
      ob.put(j + 2, (float) s2);
      ob.put(j + 3, (float) s3);
      ob.put(j + 4, (float) s4);
      ob.put(j + 5, (float) s5);
      ob.put(j + 6, (float) s6);
      ob.put(j + 7, (float) s7);
    }
    for (; j < width; j++) {
      double s = 0;
      for (int r = 0; r < n; r++) {
        s += xb.get(r * width + j);
      }
      ob.put(j, (float) s);
    }
  }

  /** {@link dev.kiln.runtime.backend.Kernels#sumSquares}. */
  static double sumSquares(Tensor x, int count) {
    int split = count / (2 * LANES) * LANES;
    return sumSquaresLanes(x.data(), 0, split) + sumSquaresLanes(x.data(), split, count);
  }

  /** Lanes of {@link #sumSquares}: four AVX-512 vectors of doubles natively. */
  private static final int LANES = 32;

  /** The 32-lane sum of squares of elements {@code [from, to)}. */
  private static double sumSquaresLanes(FloatBuffer b, int from, int to) {
    double l0 = 0;
    double l1 = 0;
    double l2 = 0;
    double l3 = 0;
    double l4 = 0;
    double l5 = 0;
    double l6 = 0;
    double l7 = 0;
    double l8 = 0;
    double l9 = 0;
    double l10 = 0;
    double l11 = 0;
    double l12 = 0;
    double l13 = 0;
    double l14 = 0;
    double l15 = 0;
    double l16 = 0;
    double l17 = 0;
    double l18 = 0;
    double l19 = 0;
    double l20 = 0;
    double l21 = 0;
    double l22 = 0;
    double l23 = 0;
    double l24 = 0;
    double l25 = 0;
    double l26 = 0;
    double l27 = 0;
    double l28 = 0;
    double l29 = 0;
    double l30 = 0;
    double l31 = 0;
    int i = from;
    for (; i + 32 <= to; i += 32) {
      double v0 = b.get(i);
      double v1 = b.get(i + 1);
      double v2 = b.get(i + 2);
      double v3 = b.get(i + 3);
      double v4 = b.get(i + 4);
      double v5 = b.get(i + 5);
      double v6 = b.get(i + 6);
      double v7 = b.get(i + 7);
      double v8 = b.get(i + 8);
      double v9 = b.get(i + 9);
      double v10 = b.get(i + 10);
      double v11 = b.get(i + 11);
      double v12 = b.get(i + 12);
      double v13 = b.get(i + 13);
      double v14 = b.get(i + 14);
      double v15 = b.get(i + 15);
      double v16 = b.get(i + 16);
      double v17 = b.get(i + 17);
      double v18 = b.get(i + 18);
      double v19 = b.get(i + 19);
      double v20 = b.get(i + 20);
      double v21 = b.get(i + 21);
      double v22 = b.get(i + 22);
      double v23 = b.get(i + 23);
      double v24 = b.get(i + 24);
      double v25 = b.get(i + 25);
      double v26 = b.get(i + 26);
      double v27 = b.get(i + 27);
      double v28 = b.get(i + 28);
      double v29 = b.get(i + 29);
      double v30 = b.get(i + 30);
      double v31 = b.get(i + 31);
      l0 += v0 * v0;
      l1 += v1 * v1;
      l2 += v2 * v2;
      l3 += v3 * v3;
      l4 += v4 * v4;
      l5 += v5 * v5;
      l6 += v6 * v6;
      l7 += v7 * v7;
      l8 += v8 * v8;
      l9 += v9 * v9;
      l10 += v10 * v10;
      l11 += v11 * v11;
      l12 += v12 * v12;
      l13 += v13 * v13;
      l14 += v14 * v14;
      l15 += v15 * v15;
      l16 += v16 * v16;
      l17 += v17 * v17;
      l18 += v18 * v18;
      l19 += v19 * v19;
      l20 += v20 * v20;
      l21 += v21 * v21;
      l22 += v22 * v22;
      l23 += v23 * v23;
      l24 += v24 * v24;
      l25 += v25 * v25;
      l26 += v26 * v26;
      l27 += v27 * v27;
      l28 += v28 * v28;
      l29 += v29 * v29;
      l30 += v30 * v30;
      l31 += v31 * v31;
    }
    for (int k = 0; i < to; i++, k++) {
      double v = b.get(i);
      double square = v * v;
      switch (k) {
        case 0 -> l0 += square;
        case 1 -> l1 += square;
        case 2 -> l2 += square;
        case 3 -> l3 += square;
        case 4 -> l4 += square;
        case 5 -> l5 += square;
        case 6 -> l6 += square;
        case 7 -> l7 += square;
        case 8 -> l8 += square;
        case 9 -> l9 += square;
        case 10 -> l10 += square;
        case 11 -> l11 += square;
        case 12 -> l12 += square;
        case 13 -> l13 += square;
        case 14 -> l14 += square;
        case 15 -> l15 += square;
        case 16 -> l16 += square;
        case 17 -> l17 += square;
        case 18 -> l18 += square;
        case 19 -> l19 += square;
        case 20 -> l20 += square;
        case 21 -> l21 += square;
        case 22 -> l22 += square;
        case 23 -> l23 += square;
        case 24 -> l24 += square;
        case 25 -> l25 += square;
        case 26 -> l26 += square;
        case 27 -> l27 += square;
        case 28 -> l28 += square;
        case 29 -> l29 += square;
        default -> l30 += square;
      }
    }
    return l0 + l1 + l2 + l3 + l4 + l5 + l6 + l7 + l8 + l9 + l10 + l11
        + l12 + l13 + l14 + l15 + l16 + l17 + l18 + l19 + l20 + l21 + l22 + l23
        + l24 + l25 + l26 + l27 + l28 + l29 + l30 + l31;
  }
}
