package dev.kiln.runtime.backend.java;

import dev.kiln.runtime.backend.Kernels;
import dev.kiln.runtime.tensor.Tensor;
import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * The sequence kernels of {@link Kernels} as Java loops (GELU, LayerNorm): the reference the
 * native kernels ({@code kiln_sequence.c}) are tested against, and the backend where they are not
 * built. Off-heap rows are bulk-copied into Java arrays and computed there (each element-wise
 * {@code FloatBuffer} access checks the buffer's scope in Java 17 and costs more than the
 * arithmetic). The arrays are per thread, made on a thread's first call and grown to the largest
 * row: steady-state calls allocate nothing. The attention core is in {@link JavaAttention}.
 */
public final class JavaSequence {
  private static final double SQRT_HALF = Math.sqrt(0.5);
  private static final double INV_SQRT_2PI = 1.0 / Math.sqrt(2 * Math.PI);
  private static final double SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
  private static final double KAPPA = 0.044715;

  /** Elements per chunk of the element-wise loops. */
  private static final int CHUNK = 2048;

  /** Per thread: three float arrays and two double arrays, grown on demand. */
  private static final class Rows {
    float[][] floats = new float[3][CHUNK];
    double[][] doubles = new double[2][0];

    float[] floats(int i, int length) {
      if (floats[i].length < length) {
        floats[i] = new float[length];
      }
      return floats[i];
    }

    double[] doubles(int i, int length) {
      if (doubles[i].length < length) {
        doubles[i] = new double[length];
      }
      return doubles[i];
    }
  }

  private static final ThreadLocal<Rows> ROWS = ThreadLocal.withInitial(Rows::new);

  private JavaSequence() {}

  /** {@link Kernels#gelu}. */
  public static void gelu(Tensor x, Tensor y, int count, boolean tanh) {
    FloatBuffer xb = x.data();
    FloatBuffer yb = y.data();
    float[] v = ROWS.get().floats(0, CHUNK);
    for (int from = 0; from < count; from += CHUNK) {
      int len = Math.min(CHUNK, count - from);
      xb.get(from, v, 0, len);
      if (!tanh) {
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

  /** {@link Kernels#geluBackward}. */
  public static void geluBackward(Tensor x, Tensor y, Tensor dy, Tensor dx, int count,
      boolean tanh) {
    FloatBuffer xb = x.data();
    FloatBuffer dyb = dy.data();
    FloatBuffer dxb = dx.data();
    FloatBuffer yb = y == null || tanh ? null : y.data();
    Rows rows = ROWS.get();
    float[] v = rows.floats(0, CHUNK);
    float[] g = rows.floats(1, CHUNK);
    float[] out = rows.floats(2, CHUNK);
    for (int from = 0; from < count; from += CHUNK) {
      int len = Math.min(CHUNK, count - from);
      xb.get(from, v, 0, len);
      dyb.get(from, g, 0, len);
      if (tanh) {
        // With s = σ(2u) = 0.5·(1 + tanh u): 1 - tanh² u = 4·s·(1 - s).
        for (int i = 0; i < len; i++) {
          double xi = v[i];
          double x2 = xi * xi;
          double s = 1 / (1 + Math.exp(-2 * SQRT_2_OVER_PI * (xi + KAPPA * x2 * xi)));
          double derivative = s + 2 * xi * s * (1 - s) * SQRT_2_OVER_PI * (1 + 3 * KAPPA * x2);
          g[i] = (float) (g[i] * derivative);
        }
      } else if (yb == null) {
        for (int i = 0; i < len; i++) {
          double xi = v[i];
          double pdf = INV_SQRT_2PI * Math.exp(-0.5 * xi * xi);
          g[i] = (float) (g[i] * (cdf(xi) + xi * pdf));
        }
      } else {
        // Φ(x) = y/x from the forward output (exact to its float rounding), except where that
        // quotient is not accurate (x = 0, or |y| below 1e-30 in the far negative tail).
        yb.get(from, out, 0, len);
        for (int i = 0; i < len; i++) {
          double xi = v[i];
          double yi = out[i];
          double cdf = xi != 0 && Math.abs(yi) >= 1e-30 ? yi / xi : cdf(xi);
          double pdf = INV_SQRT_2PI * Math.exp(-0.5 * xi * xi);
          g[i] = (float) (g[i] * (cdf + xi * pdf));
        }
      }
      dxb.put(from, g, 0, len);
    }
  }

  /**
   * {@code Φ(x)} to a relative error below 1.2e-7 everywhere (the tails included), with one
   * exponential: {@code Φ(x) = erfc(-x/√2)/2} and the Chebyshev fit of {@code erfc(z) = t·exp(-z² +
   * P(t))}, {@code t = 1/(1 + z/2)} (Press et al., "Numerical Recipes", 2nd ed., section 6.2,
   * {@code erfcc}).
   */
  public static double cdf(double x) {
    double z = Math.abs(x) * SQRT_HALF;
    double t = 1.0 / (1.0 + 0.5 * z);
    double erfc = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196
        + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398
        + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
    return x >= 0 ? 1.0 - 0.5 * erfc : 0.5 * erfc;
  }

  /** {@link Kernels#layerNormForward}. */
  public static void layerNormForward(Tensor x, int rows, int features, double epsilon,
      Tensor gamma, Tensor beta, Tensor mean, Tensor rstd, Tensor y) {
    FloatBuffer xb = x.data();
    FloatBuffer yb = y.data();
    int d = features;
    Rows scratch = ROWS.get();
    float[] xr = scratch.floats(0, d);
    float[] yr = scratch.floats(1, d);
    float[] g = scratch.floats(2, 2 * d);
    gamma.data().get(0, g, 0, d);
    beta.data().get(0, g, d, d);
    for (int r = 0; r < rows; r++) {
      int row = r * d;
      xb.get(row, xr, 0, d);
      double sum = 0;
      for (int j = 0; j < d; j++) {
        sum += xr[j];
      }
      double mu = sum / d;
      double squares = 0;
      for (int j = 0; j < d; j++) {
        double c = xr[j] - mu;
        squares += c * c;
      }
      double inv = 1.0 / Math.sqrt(squares / d + epsilon);
      mean.set(r, (float) mu);
      rstd.set(r, (float) inv);
      for (int j = 0; j < d; j++) {
        yr[j] = (float) ((xr[j] - mu) * inv * g[j] + g[d + j]);
      }
      yb.put(row, yr, 0, d);
    }
  }

  /** {@link Kernels#layerNormBackward}. */
  public static void layerNormBackward(Tensor x, Tensor dy, int rows, int features, Tensor gamma,
      Tensor mean, Tensor rstd, Tensor dx, Tensor gammaGrad, Tensor betaGrad) {
    FloatBuffer xb = x.data();
    FloatBuffer dyb = dy.data();
    int d = features;
    Rows scratch = ROWS.get();
    float[] xr = scratch.floats(0, d);
    float[] dr = scratch.floats(1, d);
    float[] gm = scratch.floats(2, d);
    gamma.data().get(0, gm, 0, d);
    double[] gAcc = scratch.doubles(0, d);
    double[] bAcc = scratch.doubles(1, d);
    Arrays.fill(gAcc, 0, d, 0);
    Arrays.fill(bAcc, 0, d, 0);
    for (int r = 0; r < rows; r++) {
      int row = r * d;
      xb.get(row, xr, 0, d);
      dyb.get(row, dr, 0, d);
      double mu = mean.get(r);
      double inv = rstd.get(r);
      double sumG = 0;
      double sumGXhat = 0;
      for (int j = 0; j < d; j++) {
        double g = dr[j];
        double xhat = (xr[j] - mu) * inv;
        gAcc[j] += g * xhat;
        bAcc[j] += g;
        double gg = g * gm[j];
        sumG += gg;
        sumGXhat += gg * xhat;
      }
      if (dx == null) {
        continue;
      }
      double meanG = sumG / d;
      double meanGXhat = sumGXhat / d;
      for (int j = 0; j < d; j++) {
        double xhat = (xr[j] - mu) * inv;
        double gg = dr[j] * (double) gm[j];
        dr[j] = (float) (inv * (gg - meanG - xhat * meanGXhat));
      }
      dx.data().put(row, dr, 0, d);
    }
    for (int j = 0; j < d; j++) {
      gammaGrad.set(j, (float) gAcc[j]);
      betaGrad.set(j, (float) bAcc[j]);
    }
  }

  /** A per-thread float row of at least {@code length} (for {@link JavaAttention}). */
  static float[] row(int i, int length) {
    return ROWS.get().floats(i, length);
  }
}
