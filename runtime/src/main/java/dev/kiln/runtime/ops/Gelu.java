package dev.kiln.runtime.ops;

import dev.kiln.runtime.backend.Backends;
import dev.kiln.runtime.backend.java.JavaSequence;
import dev.kiln.runtime.tensor.Tensor;

/**
 * The Gaussian error linear unit (Hendrycks and Gimpel, 2016, "Gaussian Error Linear Units"), as
 * PyTorch's {@code nn.GELU(approximate=...)}, element-wise over the first {@code count} elements
 * of tensors of any shape ({@code [n, T, D]} in a transformer's feed-forward block). The Java
 * backend computes each value in double and rounds once to float; the native one computes in
 * float with fused multiply-adds, within four float steps plus 5e-7 of it (docs/performance.md,
 * "Attention"). Forward may write in place ({@code y == x});
 * backward takes the forward input {@code x} and may write {@code dx} over {@code dy}. The loops
 * are the backend's ({@link Backends#kernels()}: {@code Kernels.gelu}, vectorised over the
 * kernel threads natively); this class checks the arguments.
 */
public final class Gelu {
  /** Which form of GELU: PyTorch's {@code approximate} argument. */
  public enum Approximation {
    /**
     * {@code approximate='none'}: {@code x·Φ(x)} with the exact normal CDF (to 1.2e-7 relative,
     * see {@link #cdf}; {@link Erf} gives it to double precision).
     */
    NONE,
    /**
     * {@code approximate='tanh'}: {@code 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))}, the form of
     * GPT-2 and BERT.
     */
    TANH
  }

  private static final double SQRT_HALF = Math.sqrt(0.5);

  private Gelu() {}

  /**
   * {@code y = gelu(x)} for the first {@code count} elements.
   *
   * @param x input, at least {@code count} elements
   * @param y output, at least {@code count} elements; may be {@code x}
   * @param approximation the form, as PyTorch's {@code approximate}
   * @throws IllegalArgumentException for a negative count or a tensor shorter than it
   * @throws NullPointerException for a null tensor or approximation
   */
  public static void forward(Tensor x, Tensor y, int count, Approximation approximation) {
    check("gelu", count, approximation);
    Checks.require("gelu", "x", x, count);
    Checks.require("gelu", "y", y, count);
    Backends.kernels().gelu(x, y, count, approximation == Approximation.TANH);
  }

  /**
   * {@code dx = dy · gelu'(x)}: for {@code NONE} {@code Φ(x) + x·φ(x)}; for {@code TANH}, with
   * {@code u = √(2/π)·(x + 0.044715·x³)}, {@code 0.5·(1 + tanh u) + 0.5·x·(1 - tanh² u)·√(2/π)·(1
   * + 3·0.044715·x²)} (PyTorch's {@code GeluBackward}), computed through {@code σ(2u) = 0.5·(1 +
   * tanh u)}.
   *
   * @param x the forward input (pre-activation)
   * @param dy gradient with respect to the output
   * @param dx output; may be {@code dy}
   * @throws IllegalArgumentException for a negative count or a tensor shorter than it
   */
  public static void backward(Tensor x, Tensor dy, Tensor dx, int count,
      Approximation approximation) {
    check("geluBackward", count, approximation);
    Checks.require("geluBackward", "x", x, count);
    Checks.require("geluBackward", "dy", dy, count);
    Checks.require("geluBackward", "dx", dx, count);
    Backends.kernels().geluBackward(x, null, dy, dx, count,
        approximation == Approximation.TANH);
  }

  /**
   * {@link #backward(Tensor, Tensor, Tensor, int, Approximation)} given the forward output {@code
   * y} as well: for {@code NONE}, {@code Φ(x) = y/x} (exact up to the float rounding of {@code y},
   * one part in 2^24) saves the second error function per element; where that quotient is not
   * accurate ({@code x = 0}, or {@code |y|} below 1e-30 in the far negative tail) {@code Φ} is
   * computed from {@code x}. {@code TANH} ignores {@code y}.
   *
   * @param x the forward input
   * @param y the forward output {@code gelu(x)}, as {@link #forward} wrote it
   * @param dy gradient with respect to the output
   * @param dx output; may be {@code dy}
   * @throws IllegalArgumentException for a negative count or a tensor shorter than it
   */
  public static void backward(Tensor x, Tensor y, Tensor dy, Tensor dx, int count,
      Approximation approximation) {
    check("geluBackward", count, approximation);
    if (approximation != Approximation.NONE) {
      backward(x, dy, dx, count, approximation);
      return;
    }
    Checks.require("geluBackward", "x", x, count);
    Checks.require("geluBackward", "y", y, count);
    Checks.require("geluBackward", "dy", dy, count);
    Checks.require("geluBackward", "dx", dx, count);
    Backends.kernels().geluBackward(x, y, dy, dx, count, false);
  }

  /**
   * {@code Φ(x)} to a relative error below 1.2e-7 everywhere (the tails included), with one
   * exponential: {@code Φ(x) = erfc(-x/√2)/2} and the Chebyshev fit of {@code erfc(z) = t·exp(-z² +
   * P(t))}, {@code t = 1/(1 + z/2)} (Press et al., "Numerical Recipes", 2nd ed., section 6.2,
   * {@code erfcc}). Several times cheaper than {@link Erf#erf} (up to two exponentials and
   * divisions per value), and far inside float precision's share of the tolerance: the outputs
   * are rounded to float (relative 6e-8) anyway.
   */
  static double cdf(double x) {
    return JavaSequence.cdf(x);
  }

  /** The standard normal CDF {@code Φ(x) = (1 + erf(x/√2))/2}. */
  static double normalCdf(double x) {
    return 0.5 * (1.0 + Erf.erf(x * SQRT_HALF));
  }

  private static void check(String kernel, int count, Approximation approximation) {
    if (approximation == null) {
      throw new NullPointerException(kernel + ": approximation is null");
    }
    if (count < 0) {
      throw new IllegalArgumentException(kernel + ": expected count >= 0, got " + count);
    }
  }
}
