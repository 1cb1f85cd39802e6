package dev.kiln.runtime.ops;

import dev.kiln.runtime.backend.Backends;
import dev.kiln.runtime.tensor.Tensor;

import java.nio.FloatBuffer;

/**
 * Element-wise activations and their derivatives over the first {@code count} elements of
 * tensors. Forward kernels may write in place ({@code y == x}); backward kernels take the
 * forward input {@code x} (pre-activation) and may write {@code dx} over {@code dy}. Definitions
 * are PyTorch's ({@code nn.ReLU}, {@code nn.LeakyReLU}, {@code nn.Tanh}, {@code nn.Sigmoid});
 * GELU is {@link Gelu}.
 */
public final class Activations {
  private Activations() {}

  /**
   * {@code y = max(0, x)}; a NaN stays NaN, as in PyTorch's {@code torch.relu}, and {@code -0.0}
   * becomes {@code +0.0}.
   *
   * <p>Branch-free on the float's bits in both backends ({@link Backends#kernels()}).
   */
  public static void relu(Tensor x, Tensor y, int count) {
    Tensor.require("relu", "x", x, count);
    Tensor.require("relu", "y", y, count);
    Backends.kernels().relu(x, y, count);
  }

  /**
   * {@code dx = dy · [x > 0]} (the derivative at 0 is 0, as PyTorch), branch-free: {@code dx}
   * is {@code dy} where {@code x > 0} and {@code +0.0} elsewhere (also where {@code x} is NaN).
   */
  public static void reluBackward(Tensor x, Tensor dy, Tensor dx, int count) {
    Tensor.require("reluBackward", "x", x, count);
    Tensor.require("reluBackward", "dy", dy, count);
    Tensor.require("reluBackward", "dx", dx, count);
    Backends.kernels().reluBackward(x, dy, dx, count);
  }

  /** {@code y = x > 0 ? x : slope·x}. */
  public static void leakyRelu(Tensor x, Tensor y, int count, float slope) {
    FloatBuffer xb = x.data();
    FloatBuffer yb = y.data();
    for (int i = 0; i < count; i++) {
      float v = xb.get(i);
      yb.put(i, v > 0 ? v : v * slope);
    }
  }

  /** {@code dx = dy · (x > 0 ? 1 : slope)}. */
  public static void leakyReluBackward(Tensor x, Tensor dy, Tensor dx, int count, float slope) {
    FloatBuffer xb = x.data();
    FloatBuffer dyb = dy.data();
    FloatBuffer dxb = dx.data();
    for (int i = 0; i < count; i++) {
      float d = dyb.get(i);
      dxb.put(i, xb.get(i) > 0 ? d : d * slope);
    }
  }

  /** {@code y = tanh(x)}. */
  public static void tanh(Tensor x, Tensor y, int count) {
    FloatBuffer xb = x.data();
    FloatBuffer yb = y.data();
    for (int i = 0; i < count; i++) {
      yb.put(i, (float) Math.tanh(xb.get(i)));
    }
  }

  /** {@code dx = dy · (1 - tanh(x)²)}. */
  public static void tanhBackward(Tensor x, Tensor dy, Tensor dx, int count) {
    FloatBuffer xb = x.data();
    FloatBuffer dyb = dy.data();
    FloatBuffer dxb = dx.data();
    for (int i = 0; i < count; i++) {
      double t = Math.tanh(xb.get(i));
      dxb.put(i, (float) (dyb.get(i) * (1 - t * t)));
    }
  }

  /** {@code y = 1 / (1 + exp(-x))}, stable for large {@code |x|}. */
  public static void sigmoid(Tensor x, Tensor y, int count) {
    FloatBuffer xb = x.data();
    FloatBuffer yb = y.data();
    for (int i = 0; i < count; i++) {
      yb.put(i, (float) sigmoid(xb.get(i)));
    }
  }

  /** {@code dx = dy · σ(x)(1 - σ(x))}. */
  public static void sigmoidBackward(Tensor x, Tensor dy, Tensor dx, int count) {
    FloatBuffer xb = x.data();
    FloatBuffer dyb = dy.data();
    FloatBuffer dxb = dx.data();
    for (int i = 0; i < count; i++) {
      double s = sigmoid(xb.get(i));
      dxb.put(i, (float) (dyb.get(i) * s * (1 - s)));
    }
  }

  /** The logistic function, without overflow for any finite input. */
  public static double sigmoid(double x) {
    if (x >= 0) {
      return 1.0 / (1.0 + Math.exp(-x));
    }
    double e = Math.exp(x);
    return e / (1.0 + e);
  }
}
