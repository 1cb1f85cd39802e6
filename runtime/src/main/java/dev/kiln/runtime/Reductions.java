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
}
