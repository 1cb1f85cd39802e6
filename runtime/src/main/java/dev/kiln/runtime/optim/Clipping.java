package dev.kiln.runtime.optim;

import dev.kiln.runtime.backend.Backends;
import dev.kiln.runtime.tensor.Tensor;

import java.nio.FloatBuffer;

/**
 * Gradient clipping by global norm, as PyTorch's {@code torch.nn.utils.clip_grad_norm_}: the norm
 * of all gradients together, then each gradient multiplied by {@code min(1, maxNorm/(norm +
 * 1e-6))} in float32. The norm is accumulated in double, so finite float32 gradients never
 * overflow it. Non-finite gradients propagate as in PyTorch: a NaN makes every gradient NaN; an
 * infinity zeroes the finite entries and makes itself NaN.
 */
public final class Clipping {
  private Clipping() {}

  /**
   * PyTorch's clip coefficient {@code maxNorm / (norm + 1e-6)} in float32, as {@code
   * clip_grad_norm_} computes it from its float32 total norm. The caller scales only when it is
   * below 1 (or NaN: then every gradient becomes NaN, as in PyTorch). A norm that is finite in
   * double but overflows float32 gets the coefficient computed in double instead of PyTorch's 0,
   * so finite gradients are never zeroed.
   *
   * @param norm the group's norm, in double
   */
  public static float coefficient(double norm, double maxNorm) {
    float f = (float) norm;
    if (Float.isInfinite(f) && Double.isFinite(norm)) {
      return (float) (maxNorm / (norm + 1e-6));
    }
    return (float) maxNorm / (f + 1e-6f);
  }

  /**
   * Clamps every element to {@code [-clipValue, clipValue]} in place, as PyTorch's {@code
   * torch.nn.utils.clip_grad_value_}: a NaN stays NaN, ±infinity becomes ±clipValue.
   *
   * @param gradients each is clamped over its whole length
   * @param clipValue positive
   */
  public static void clipByValue(Tensor[] gradients, double clipValue) {
    float hi = (float) clipValue;
    float lo = -hi;
    for (Tensor t : gradients) {
      FloatBuffer b = t.data();
      for (int i = 0, n = t.length(); i < n; i++) {
        b.put(i, Math.min(hi, Math.max(lo, b.get(i)))); // Math.min/max return NaN for NaN
      }
    }
  }

  /** Multiplies every element of {@code t} by {@code factor} in place. */
  public static void scale(Tensor t, float factor) {
    Backends.kernels().scale(t, t.length(), factor);
  }
}
