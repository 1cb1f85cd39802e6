package dev.kiln.runtime.ops;

import dev.kiln.runtime.backend.Blas;
import dev.kiln.runtime.backend.Backends;
import dev.kiln.runtime.tensor.Tensor;

/**
 * Fully connected layer kernels, {@code y = x·W + b} with {@code x} {@code [n, in]}, {@code W}
 * {@code [in, out]}, {@code b} {@code [out]} (PyTorch's {@code nn.Linear} with its weight
 * transposed). Every tensor is sized for a full batch; only the first {@code n} rows are used.
 */
public final class Dense {
  private Dense() {}

  /**
   * {@code y[0:n] = x[0:n]·W + b}.
   *
   * @param x input {@code [batch, in]}
   * @param weight {@code [in, out]}
   * @param bias {@code [out]}, or null for a layer without bias
   * @param y output {@code [batch, out]}, apart from {@code x} and {@code weight}
   * @throws IllegalArgumentException for sizes below 1, a tensor smaller than its shape, or
   *     {@code y} overlapping {@code x} or {@code weight}, before anything is written
   */
  public static void forward(Tensor x, int n, int in, Tensor weight, Tensor bias, int out, Tensor y) {
    checkForward(x, n, in, weight, bias, out, y);
    Backends.kernels().denseForward(x, n, in, weight, bias, out, y);
  }

  /**
   * The checks of {@link #forward}, before anything is written: positive sizes, every tensor at
   * least its shape, and {@code y} apart from {@code x} and {@code weight} (the product reads
   * them while it writes {@code y}).
   *
   * @throws IllegalArgumentException naming the argument and the sizes
   */
  static void checkForward(Tensor x, int n, int in, Tensor weight, Tensor bias, int out,
      Tensor y) {
    checkForward(x, n, in, weight, bias, out, y, "y");
  }

  /** {@link #checkForward}, naming the output {@code yName} in messages. */
  static void checkForward(Tensor x, int n, int in, Tensor weight, Tensor bias, int out,
      Tensor y, String yName) {
    if (n < 1 || in < 1 || out < 1) {
      throw new IllegalArgumentException("dense: expected n, in and out >= 1, got n=" + n
          + ", in=" + in + ", out=" + out);
    }
    Tensor.require("dense", "x", x, (long) n * in);
    Tensor.require("dense", "weight", weight, (long) in * out);
    Tensor.require("dense", yName, y, (long) n * out);
    if (bias != null) {
      Tensor.require("dense", "bias", bias, out);
    }
    long yEnd = y.address() + (long) n * out * Float.BYTES;
    if (overlaps(y.address(), yEnd, x.address(), x.address() + (long) n * in * Float.BYTES)
        || overlaps(y.address(), yEnd, weight.address(),
            weight.address() + (long) in * out * Float.BYTES)) {
      throw new IllegalArgumentException("dense: " + yName + " must not overlap x or weight");
    }
  }

  private static boolean overlaps(long from1, long to1, long from2, long to2) {
    return from1 < to2 && from2 < to1;
  }

  /**
   * Gradients of the layer: {@code dW = xᵀ·dy}, {@code db = Σ_rows dy}, {@code dx = dy·Wᵀ}.
   *
   * @param x the forward input {@code [batch, in]}
   * @param dy gradient of the loss with respect to {@code y}, {@code [batch, out]}
   * @param weightGrad output {@code [in, out]}, overwritten
   * @param biasGrad output {@code [out]}, overwritten; null for a layer without bias
   * @param dx output {@code [batch, in]}, overwritten; null for the first layer (not needed)
   */
  public static void backward(Tensor x, Tensor dy, int n, int in, Tensor weight, int out,
      Tensor weightGrad, Tensor biasGrad, Tensor dx) {
    Blas.gemm(true, false, in, out, n, 1f, x, in, dy, out, 0f, weightGrad, out);
    if (biasGrad != null) {
      Reductions.sumRows(dy, n, out, biasGrad);
    }
    if (dx != null) {
      Blas.gemm(false, true, n, in, out, 1f, dy, out, weight, out, 0f, dx, in);
    }
  }
}
