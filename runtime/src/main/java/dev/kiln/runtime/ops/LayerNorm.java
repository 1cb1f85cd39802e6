package dev.kiln.runtime.ops;

import dev.kiln.runtime.backend.Backends;
import dev.kiln.runtime.tensor.Tensor;

/**
 * Layer normalisation over the last axis (Ba, Kiros and Hinton, 2016, "Layer Normalization"), as
 * PyTorch's {@code nn.LayerNorm(D, eps)} with its affine parameters: every row {@code x} of
 * {@code D} features (a position of an {@code [n, T, D]} sequence, so {@code rows = n·T}) becomes
 * {@code y = gamma·(x - mean)/sqrt(var + eps) + beta}, with the biased variance (divided by {@code
 * D}). Statistics are accumulated in double. The forward pass saves each row's mean and {@code
 * 1/sqrt(var + eps)} ("rstd", as PyTorch) in caller buffers of {@code [rows]}; the backward pass
 * reads them with the input. The loops are the backend's ({@link Backends#kernels()}: {@code
 * Kernels.layerNormForward} and {@code layerNormBackward}, rows cut over the kernel threads
 * natively, with the same bits on any backend and thread count); this class checks the arguments.
 * Nothing is allocated after construction.
 */
public final class LayerNorm {
  private final int features;
  private final double epsilon;

  /**
   * @param features {@code D}, the length of the normalised axis
   * @param epsilon added to the variance inside the square root (PyTorch's default 1e-5)
   * @throws IllegalArgumentException for {@code features < 1} or an epsilon that is not positive
   *     and finite
   */
  public LayerNorm(int features, double epsilon) {
    Checks.positive("layer norm", "features", features);
    if (!(epsilon > 0) || Double.isInfinite(epsilon)) {
      throw new IllegalArgumentException("layer norm: expected a positive finite epsilon, got "
          + epsilon);
    }
    this.features = features;
    this.epsilon = epsilon;
  }

  /** {@code D}. */
  public int features() {
    return features;
  }

  /** The epsilon inside the square root. */
  public double epsilon() {
    return epsilon;
  }

  /**
   * {@code y = gamma·(x - mean)·rstd + beta} for the first {@code rows} rows.
   *
   * @param x input {@code [rows, D]} (or {@code [n, T, D]} with {@code rows = n·T})
   * @param gamma scale {@code [D]}
   * @param beta shift {@code [D]}
   * @param mean output {@code [rows]}, each row's mean, for {@link #backward}
   * @param rstd output {@code [rows]}, each row's {@code 1/sqrt(var + eps)}, for {@link #backward}
   * @param y output {@code [rows, D]}; may be {@code x}
   * @throws IllegalArgumentException for {@code rows < 1} or a tensor smaller than its shape,
   *     before anything is written
   */
  public void forward(Tensor x, int rows, Tensor gamma, Tensor beta, Tensor mean, Tensor rstd,
      Tensor y) {
    Checks.positive("layer norm", "rows", rows);
    long count = (long) rows * features;
    Checks.require("layer norm", "x", x, count);
    Checks.require("layer norm", "gamma", gamma, features);
    Checks.require("layer norm", "beta", beta, features);
    Checks.require("layer norm", "mean", mean, rows);
    Checks.require("layer norm", "rstd", rstd, rows);
    Checks.require("layer norm", "y", y, count);
    Backends.kernels().layerNormForward(x, rows, features, epsilon, gamma, beta, mean, rstd, y);
  }

  /**
   * Gradients of {@link #forward}: with {@code xhat = (x - mean)·rstd} and {@code g = dy·gamma},
   * {@code dx = rstd·(g - mean(g) - xhat·mean(g·xhat))} per row, {@code dgamma = Σ_rows
   * dy·xhat}, {@code dbeta = Σ_rows dy}.
   *
   * @param x the forward input {@code [rows, D]}
   * @param dy gradient with respect to {@code y}, {@code [rows, D]}
   * @param gamma the forward scale {@code [D]}
   * @param mean the forward pass's {@code [rows]} means
   * @param rstd the forward pass's {@code [rows]} reciprocal deviations
   * @param dx output {@code [rows, D]}, overwritten; may be {@code dy}; null where not needed
   * @param gammaGrad output {@code [D]}, overwritten
   * @param betaGrad output {@code [D]}, overwritten
   * @throws IllegalArgumentException for {@code rows < 1} or a tensor smaller than its shape,
   *     before anything is written
   */
  public void backward(Tensor x, Tensor dy, int rows, Tensor gamma, Tensor mean, Tensor rstd,
      Tensor dx, Tensor gammaGrad, Tensor betaGrad) {
    Checks.positive("layer norm backward", "rows", rows);
    long count = (long) rows * features;
    Checks.require("layer norm backward", "x", x, count);
    Checks.require("layer norm backward", "dy", dy, count);
    Checks.require("layer norm backward", "gamma", gamma, features);
    Checks.require("layer norm backward", "mean", mean, rows);
    Checks.require("layer norm backward", "rstd", rstd, rows);
    if (dx != null) {
      Checks.require("layer norm backward", "dx", dx, count);
    }
    Checks.require("layer norm backward", "gammaGrad", gammaGrad, features);
    Checks.require("layer norm backward", "betaGrad", betaGrad, features);
    Backends.kernels().layerNormBackward(x, dy, rows, features, gamma, mean, rstd, dx, gammaGrad,
        betaGrad);
  }
}
