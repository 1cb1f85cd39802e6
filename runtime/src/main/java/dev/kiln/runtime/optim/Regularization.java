package dev.kiln.runtime.optim;

import dev.kiln.runtime.backend.Backends;
import dev.kiln.runtime.tensor.Tensor;

import java.nio.FloatBuffer;

/**
 * Coupled regularization gradients added in place, after clipping and before the optimizer (as
 * PyTorch's {@code weight_decay} on SGD, Adam and RMSprop, which is L2 added to the gradient).
 * Decoupled weight decay is not here: it is part of each optimizer's update ({@link
 * SgdOptimizer}, {@link AdamOptimizer}, {@link RmsPropOptimizer}).
 */
public final class Regularization {
  private Regularization() {}

  /**
   * {@code grad += λ·w}, the gradient of {@code λ/2·‖w‖²}; allocates nothing.
   *
   * @param count elements of {@code param} and {@code grad} to use
   */
  public static void addL2(Tensor param, Tensor grad, int count, double lambda) {
    Tensor.require("addL2", "param", param, count);
    Tensor.require("addL2", "grad", grad, count);
    Backends.kernels().addL2(param, grad, count, (float) lambda);
  }

  /**
   * {@code grad += λ·sign(w)}, the subgradient of {@code λ·‖w‖₁} with {@code sign(0) = 0} (PyTorch's
   * {@code torch.sign}; Keras's and DL4J's {@code l1(λ)}); allocates nothing.
   *
   * @param count elements of {@code param} and {@code grad} to use
   */
  public static void addL1(Tensor param, Tensor grad, int count, double lambda) {
    FloatBuffer w = param.data();
    FloatBuffer g = grad.data();
    float l = (float) lambda;
    for (int i = 0; i < count; i++) {
      g.put(i, g.get(i) + l * Math.signum(w.get(i)));
    }
  }
}
