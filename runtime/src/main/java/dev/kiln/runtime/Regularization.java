package dev.kiln.runtime;

import java.nio.FloatBuffer;

/** Regularization gradients added in place, after clipping (coupled, as PyTorch's weight_decay). */
public final class Regularization {
  private Regularization() {}

  /** {@code grad += λ·w}, the gradient of {@code λ/2·‖w‖²}. */
  public static void addL2(Tensor param, Tensor grad, int count, double lambda) {
    FloatBuffer w = param.data();
    FloatBuffer g = grad.data();
    float l = (float) lambda;
    for (int i = 0; i < count; i++) {
      g.put(i, g.get(i) + l * w.get(i));
    }
  }
}
