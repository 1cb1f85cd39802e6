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
    for (int j = 0; j < width; j++) {
      double s = 0;
      for (int r = 0; r < n; r++) {
        s += xb.get(r * width + j);
      }
      ob.put(j, (float) s);
    }
  }
}
