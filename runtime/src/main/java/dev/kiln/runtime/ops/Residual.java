package dev.kiln.runtime.ops;

import dev.kiln.runtime.tensor.Tensor;
import org.bytedeco.openblas.global.openblas_nolapack;

/**
 * A residual connection {@code out = x + f(x)} (He et al., 2016, "Deep Residual Learning"; the
 * pre-LayerNorm transformer block of GPT-2), element-wise over the first {@code count} elements of
 * tensors of any shape ({@code [n, T, D]} in a transformer). Forward adds the branch to the skip;
 * backward adds the branch's input gradient to the gradient flowing along the skip. Both are a
 * bulk copy and an OpenBLAS {@code saxpy}; nothing is allocated.
 */
public final class Residual {
  private Residual() {}

  /**
   * {@code out = x + branch}.
   *
   * @param x the skip input, at least {@code count} elements
   * @param branch the branch's output, at least {@code count} elements
   * @param out output, at least {@code count} elements; may be {@code x} (not {@code branch}
   *     unless it is also {@code x})
   * @throws IllegalArgumentException for a negative count, a tensor shorter than it, or {@code
   *     out} overlapping {@code branch} without being it
   */
  public static void add(Tensor x, Tensor branch, Tensor out, int count) {
    check("residual", count);
    Checks.require("residual", "x", x, count);
    Checks.require("residual", "branch", branch, count);
    Checks.require("residual", "out", out, count);
    if (out != x) {
      Checks.apart("residual", "out", out, count, "branch", branch, count);
      out.data().put(0, x.data(), 0, count);
    }
    openblas_nolapack.cblas_saxpy(count, 1f, branch.pointer(), 1, out.pointer(), 1);
  }

  /**
   * {@code into += gradient}: the gradient of the branch's input joins the gradient along the
   * skip ({@code dx = dOut + d(branch)/dx}).
   *
   * @param gradient the branch's input gradient, at least {@code count} elements
   * @param into the running gradient of {@code x}, updated in place; apart from {@code gradient}
   * @throws IllegalArgumentException for a negative count, a tensor shorter than it, or the two
   *     overlapping
   */
  public static void accumulate(Tensor gradient, Tensor into, int count) {
    check("residual backward", count);
    Checks.require("residual backward", "gradient", gradient, count);
    Checks.require("residual backward", "into", into, count);
    Checks.apart("residual backward", "into", into, count, "gradient", gradient, count);
    openblas_nolapack.cblas_saxpy(count, 1f, gradient.pointer(), 1, into.pointer(), 1);
  }

  private static void check(String kernel, int count) {
    if (count < 0) {
      throw new IllegalArgumentException(kernel + ": expected count >= 0, got " + count);
    }
  }
}
