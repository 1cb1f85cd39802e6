package dev.kiln.runtime.ops;

import dev.kiln.runtime.tensor.Tensor;
import java.nio.FloatBuffer;

/**
 * The sum of a residual connection (He et al., 2016, "Deep Residual Learning"): {@code out = x +
 * block(x)} forward, and backward the same sum of the two gradients that reach {@code x} (through
 * the block and through the skip). Element-wise over the first {@code count} elements of tensors of
 * any shape; nothing is allocated.
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
    FloatBuffer ab = a.data();
    FloatBuffer bb = b.data();
    FloatBuffer ob = out.data();
    for (int i = 0; i < count; i++) {
      ob.put(i, ab.get(i) + bb.get(i));
    }
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
