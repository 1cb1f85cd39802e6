package dev.kiln.runtime.ops;

import dev.kiln.runtime.tensor.Tensor;
import org.bytedeco.openblas.global.openblas_nolapack;

/**
 * The sum of a residual connection (He et al., 2016, "Deep Residual Learning"): {@code out = x +
 * block(x)} forward, and backward the same sum of the two gradients that reach {@code x} (through
 * the block and through the skip). Element-wise over the first {@code count} elements of tensors of
 * any shape ({@code [n, T, D]} in a transformer, {@code [n, C, H, W]} in a ResNet block);
 * nothing is allocated.
 */
public final class Residuals {
  private Residuals() {}

  /**
   * {@code out[i] = a[i] + b[i]} for {@code i < count}; {@code out} may be {@code a} or {@code b}.
   *
   * @throws IllegalArgumentException for a negative count or a tensor shorter than {@code count}
   */
  public static void add(Tensor a, Tensor b, Tensor out, int count) {
    Checks.require("residual", "a", a, count);
    Checks.require("residual", "b", b, count);
    Checks.require("residual", "out", out, count);
    if (out == b) {
      accumulate(a, out, count);
      return;
    }
    if (out != a) {
      Checks.apart("residual", "out", out, count, "b", b, count);
      out.data().put(0, a.data(), 0, count);
    }
    accumulate(b, out, count);
  }

  /**
   * {@code into[i] += gradient[i]} for {@code i < count}: the gradient of a block's input joins
   * the gradient along the skip ({@code dx = dOut + d(block)/dx}); an OpenBLAS {@code saxpy}
   * with factor 1, so each sum is rounded once, as the element-wise addition.
   *
   * @throws IllegalArgumentException for a negative count, a tensor shorter than it, or the two
   *     overlapping without being the same tensor
   */
  public static void accumulate(Tensor gradient, Tensor into, int count) {
    Checks.require("residual", "gradient", gradient, count);
    Checks.require("residual", "into", into, count);
    if (gradient != into) {
      Checks.apart("residual", "into", into, count, "gradient", gradient, count);
    }
    openblas_nolapack.cblas_saxpy(count, 1f, gradient.pointer(), 1, into.pointer(), 1);
  }

  /**
   * {@code out[i] = a[i]} for {@code i < count}: the gradient a residual sum passes on to its
   * block's last layer; nothing when {@code out} is {@code a}.
   */
  public static void copy(Tensor a, Tensor out, int count) {
    if (a == out) {
      return;
    }
    Checks.require("residual", "a", a, count);
    Checks.require("residual", "out", out, count);
    out.data().put(0, a.data(), 0, count);
  }
}
