package dev.kiln.runtime;

import java.nio.FloatBuffer;

/** Column reductions over the first {@code n} rows of {@code [batch, width]} tensors. */
public final class Reductions {
  private Reductions() {}

  /**
   * {@code out[j] = Σ_{r<n} x[r, j]}, accumulated in double and rounded once.
   *
   * @param x {@code [batch, width]}
   * @param out {@code [width]}, overwritten
   */
  public static void sumRows(Tensor x, int n, int width, Tensor out) {
    NativeKernels.require("sumRows", "x", x, (long) n * width);
    NativeKernels.require("sumRows", "out", out, width);
    if (NativeKernels.AVAILABLE) {
      NativeKernels.sumRows(x.address(), n, width, out.address());
      return;
    }
    sumRowsLoop(x, n, width, out);
  }

  /** The Java loop of {@link #sumRows}, also the reference the native kernel is tested against. */
  static void sumRowsLoop(Tensor x, int n, int width, Tensor out) {
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

  /**
   * The sum of the squares of the first {@code count} elements, in double: the sum of two fixed
   * halves (the first {@code count / 16 · 8} elements and the rest), each over eight lanes: lane
   * {@code k} adds the elements {@code i ≡ k (mod 8)} in order (the tail continues lanes 0, 1, ...)
   * and the lanes are added 0 to 7. The halves let two threads share the work with the same result
   * as one. A single running sum is one dependent addition per element;
   * eight independent ones run several times faster and vectorise, and the order is fixed, so
   * the result is deterministic (the native kernel adds in the same order).
   */
  public static double sumSquares(Tensor x, int count) {
    NativeKernels.require("sumSquares", "x", x, count);
    if (NativeKernels.AVAILABLE) {
      return NativeKernels.sumSquares(x.address(), count);
    }
    return sumSquaresLoop(x, count);
  }

  /** The Java loop of {@link #sumSquares}, also the reference the native kernel is tested against. */
  static double sumSquaresLoop(Tensor x, int count) {
    int split = count / 16 * 8;
    return sumSquaresLanes(x.data(), 0, split) + sumSquaresLanes(x.data(), split, count);
  }

  /** The eight-lane sum of squares of elements {@code [from, to)}. */
  private static double sumSquaresLanes(FloatBuffer b, int from, int to) {
    double l0 = 0;
    double l1 = 0;
    double l2 = 0;
    double l3 = 0;
    double l4 = 0;
    double l5 = 0;
    double l6 = 0;
    double l7 = 0;
    int i = from;
    for (; i + 8 <= to; i += 8) {
      double v0 = b.get(i);
      double v1 = b.get(i + 1);
      double v2 = b.get(i + 2);
      double v3 = b.get(i + 3);
      double v4 = b.get(i + 4);
      double v5 = b.get(i + 5);
      double v6 = b.get(i + 6);
      double v7 = b.get(i + 7);
      l0 += v0 * v0;
      l1 += v1 * v1;
      l2 += v2 * v2;
      l3 += v3 * v3;
      l4 += v4 * v4;
      l5 += v5 * v5;
      l6 += v6 * v6;
      l7 += v7 * v7;
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
        default -> l6 += square;
      }
    }
    return l0 + l1 + l2 + l3 + l4 + l5 + l6 + l7;
  }

}
