package dev.kiln.runtime.ops;

import dev.kiln.runtime.backend.Backends;
import dev.kiln.runtime.tensor.Tensor;


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
    Tensor.require("sumRows", "x", x, (long) n * width);
    Tensor.require("sumRows", "out", out, width);
    Backends.kernels().sumRows(x, n, width, out);
  }

  /**
   * The sum of the squares of the first {@code count} elements, in double: the sum of two fixed
   * halves (the first {@code count / 64 · 32} elements and the rest), each over 32 lanes: lane
   * {@code k} adds the elements {@code i ≡ k (mod 32)} of its half in order (the tail continues
   * lanes 0, 1, ...) and the lanes are added 0 to 31. The halves let two threads share the work
   * with the same result as one. A single running sum is one dependent addition per element; 32
   * independent ones (four AVX-512 vectors of doubles) keep the additions from waiting on each
   * other, and the order is fixed, so the result is deterministic (both backends add in this
   * order).
   */
  public static double sumSquares(Tensor x, int count) {
    Tensor.require("sumSquares", "x", x, count);
    return Backends.kernels().sumSquares(x, count);
  }
}
