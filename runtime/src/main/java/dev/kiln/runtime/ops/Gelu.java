package dev.kiln.runtime.ops;

import dev.kiln.runtime.tensor.Tensor;
import java.nio.FloatBuffer;

/**
 * The Gaussian error linear unit (Hendrycks and Gimpel, 2016, "Gaussian Error Linear Units"), as
 * PyTorch's {@code nn.GELU(approximate=...)}, element-wise over the first {@code count} elements
 * of tensors of any shape ({@code [n, T, D]} in a transformer's feed-forward block). Each value is
 * computed in double and rounded once to float. Forward may write in place ({@code y == x});
 * backward takes the forward input {@code x} and may write {@code dx} over {@code dy}.
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
  private static final double INV_SQRT_2PI = 1.0 / Math.sqrt(2 * Math.PI);
  private static final double SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
  private static final double KAPPA = 0.044715;

  /**
   * Elements per chunk: each chunk is copied into a Java array (bulk copies) and computed there;
   * element-wise reads and writes of the off-heap buffer cost more than the arithmetic (each
   * {@code FloatBuffer} access checks the buffer's scope in Java 17).
   */
  private static final int CHUNK = 2048;

  /** Three chunk arrays per thread, made once: calls allocate nothing. */
  private static final ThreadLocal<float[][]> CHUNKS =
      ThreadLocal.withInitial(() -> new float[3][CHUNK]);

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
    FloatBuffer xb = x.data();
    FloatBuffer yb = y.data();
    float[][] chunks = CHUNKS.get();
    float[] v = chunks[0];
    for (int from = 0; from < count; from += CHUNK) {
      int len = Math.min(CHUNK, count - from);
      xb.get(from, v, 0, len);
      if (approximation == Approximation.NONE) {
        for (int i = 0; i < len; i++) {
          double xi = v[i];
          v[i] = (float) (xi * cdf(xi));
        }
      } else {
        // 0.5·(1 + tanh u) = σ(2u): one exp, no tanh (Math.tanh is not a JIT intrinsic in Java
        // 17 and costs several times more), and no cancellation for large negative u.
        for (int i = 0; i < len; i++) {
          double xi = v[i];
          double twoU = 2 * SQRT_2_OVER_PI * (xi + KAPPA * xi * xi * xi);
          v[i] = (float) (xi / (1 + Math.exp(-twoU)));
        }
      }
      yb.put(from, v, 0, len);
    }
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
    FloatBuffer xb = x.data();
    FloatBuffer dyb = dy.data();
    FloatBuffer dxb = dx.data();
    float[][] chunks = CHUNKS.get();
    float[] v = chunks[0];
    float[] g = chunks[1];
    for (int from = 0; from < count; from += CHUNK) {
      int len = Math.min(CHUNK, count - from);
      xb.get(from, v, 0, len);
      dyb.get(from, g, 0, len);
      if (approximation == Approximation.NONE) {
        for (int i = 0; i < len; i++) {
          double xi = v[i];
          double pdf = INV_SQRT_2PI * Math.exp(-0.5 * xi * xi);
          g[i] = (float) (g[i] * (cdf(xi) + xi * pdf));
        }
      } else {
        // With s = σ(2u) = 0.5·(1 + tanh u): 1 - tanh² u = 4·s·(1 - s).
        for (int i = 0; i < len; i++) {
          double xi = v[i];
          double x2 = xi * xi;
          double s = 1 / (1 + Math.exp(-2 * SQRT_2_OVER_PI * (xi + KAPPA * x2 * xi)));
          double derivative = s + 2 * xi * s * (1 - s) * SQRT_2_OVER_PI * (1 + 3 * KAPPA * x2);
          g[i] = (float) (g[i] * derivative);
        }
      }
      dxb.put(from, g, 0, len);
    }
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
    FloatBuffer xb = x.data();
    FloatBuffer yb = y.data();
    FloatBuffer dyb = dy.data();
    FloatBuffer dxb = dx.data();
    float[][] chunks = CHUNKS.get();
    float[] v = chunks[0];
    float[] g = chunks[1];
    float[] out = chunks[2];
    for (int from = 0; from < count; from += CHUNK) {
      int len = Math.min(CHUNK, count - from);
      xb.get(from, v, 0, len);
      yb.get(from, out, 0, len);
      dyb.get(from, g, 0, len);
      for (int i = 0; i < len; i++) {
        double xi = v[i];
        double yi = out[i];
        double cdf = xi != 0 && Math.abs(yi) >= 1e-30 ? yi / xi : cdf(xi);
        double pdf = INV_SQRT_2PI * Math.exp(-0.5 * xi * xi);
        g[i] = (float) (g[i] * (cdf + xi * pdf));
      }
      dxb.put(from, g, 0, len);
    }
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
    double z = Math.abs(x) * SQRT_HALF;
    double t = 1.0 / (1.0 + 0.5 * z);
    double erfc = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196
        + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398
        + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
    return x >= 0 ? 1.0 - 0.5 * erfc : 0.5 * erfc;
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
