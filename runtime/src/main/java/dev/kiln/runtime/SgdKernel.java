package dev.kiln.runtime;

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
    FloatBuffer w = param.data();
    FloatBuffer g = grad.data();
    float lr = (float) learningRate;
    if (momentum == 0) {
      for (int i = 0; i < count; i++) {
        w.put(i, w.get(i) - lr * g.get(i));
      }
      return;
    }
    FloatBuffer buf = momentumBuffer.data();
    float mu = (float) momentum;
    float keep = (float) (1 - dampening);
    for (int i = 0; i < count; i++) {
      float gi = g.get(i);
      float b = firstStep ? gi : mu * buf.get(i) + keep * gi;
      buf.put(i, b);
      float d = nesterov ? gi + mu * b : b;
      w.put(i, w.get(i) - lr * d);
    }
  }
}
