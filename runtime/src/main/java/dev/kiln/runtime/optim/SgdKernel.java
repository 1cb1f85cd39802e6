package dev.kiln.runtime.optim;

import dev.kiln.runtime.backend.Backends;
import dev.kiln.runtime.tensor.Tensor;

import java.nio.FloatBuffer;

/**
 * The update of PyTorch's {@code torch.optim.SGD} (1.13), in float32 as PyTorch computes it: with
 * gradient {@code g} (already clipped and regularized), momentum {@code μ} and dampening {@code
 * τ}, the buffer is {@code buf = g} on the first step (no dampening then) and {@code buf = μ·buf +
 * (1-τ)·g} after; the step direction is {@code buf}, or {@code g + μ·buf} with Nesterov; then
 * {@code w -= lr·direction}. Without momentum, {@code w -= lr·g}.
 */
public final class SgdKernel {
  private SgdKernel() {}

  /**
   * Updates {@code param} in place.
   *
   * @param param parameter, any shape
   * @param grad its gradient, same size
   * @param momentumBuffer same size; ignored (may be null) when {@code momentum == 0}
   * @param firstStep whether this is the first update of this parameter (the buffer is then set
   *     to the gradient)
   */
  public static void update(Tensor param, Tensor grad, Tensor momentumBuffer, int count,
      double learningRate, double momentum, double dampening, boolean nesterov,
      boolean firstStep) {
    update(param, grad, momentumBuffer, count, learningRate, momentum, dampening, nesterov,
        firstStep, 0);
  }

  /**
   * Updates {@code param} in place with decoupled weight decay first (SGDW, Loshchilov and Hutter,
   * 2019): {@code w = w·(1 - decay)}, then the SGD step; the decay never enters the momentum
   * buffer.
   *
   * @param decay the decoupled decay factor {@code lr·λ}, 0 for none (then bitwise the same as
   *     the overload without it)
   */
  public static void update(Tensor param, Tensor grad, Tensor momentumBuffer, int count,
      double learningRate, double momentum, double dampening, boolean nesterov,
      boolean firstStep, double decay) {
    update(param, grad, momentumBuffer, count, learningRate, momentum, dampening, nesterov,
        firstStep, decay, 0);
  }

  /**
   * As {@link #update(Tensor, Tensor, Tensor, int, double, double, double, boolean, boolean,
   * double)}, with coupled L2 folded in: the step uses {@code g + λ·w} (computed in float from the
   * weights before the step, exactly as {@link Regularization#addL2} would have added it to the
   * gradient), while {@code grad} itself is left unchanged, as PyTorch's {@code SGD(weight_decay=λ)}
   * leaves {@code p.grad}. One pass over the parameter instead of two.
   *
   * @param l2 the coupled L2 coefficient λ, 0 for none (then bitwise the same as without it)
   */
  public static void update(Tensor param, Tensor grad, Tensor momentumBuffer, int count,
      double learningRate, double momentum, double dampening, boolean nesterov,
      boolean firstStep, double decay, double l2) {
    Tensor.require("sgd", "param", param, count);
    Tensor.require("sgd", "grad", grad, count);
    if (momentum != 0) {
      Tensor.require("sgd", "momentumBuffer", momentumBuffer, count);
    }
    if (momentum != 0) {
      Backends.kernels().sgdMomentum(param, grad, momentumBuffer, count, learningRate, momentum,
          dampening, nesterov, firstStep, decay, l2);
      return;
    }
    FloatBuffer w = param.data();
    FloatBuffer g = grad.data();
    float lr = (float) learningRate;
    float keepW = (float) (1 - decay);
    boolean decays = decay != 0;
    float l = (float) l2;
    boolean coupled = l2 != 0;
    for (int i = 0; i < count; i++) {
      float gi = coupled ? g.get(i) + l * w.get(i) : g.get(i);
      float wi = decays ? w.get(i) * keepW : w.get(i);
      w.put(i, wi - lr * gi);
    }
  }
}
