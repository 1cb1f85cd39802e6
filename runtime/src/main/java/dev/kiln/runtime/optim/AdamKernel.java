package dev.kiln.runtime.optim;

import dev.kiln.runtime.backend.Backends;
import dev.kiln.runtime.tensor.Tensor;

/**
 * The update of PyTorch 1.13's {@code torch.optim.Adam} and {@code torch.optim.AdamW}
 * (single-tensor path), in float32 as PyTorch computes it. With gradient {@code g} (already clipped
 * and regularized), step {@code k} counted from 1, {@code bc1 = 1 - β₁ᵏ} and {@code bc2 = 1 -
 * β₂ᵏ} (in double, as PyTorch's Python floats):
 *
 * <pre>
 *   w = w·(1 - decay)                          decoupled decay (AdamW), decay = lr·λ
 *   m = β₁·m + (1 - β₁)·g                      exp_avg
 *   v = β₂·v + (1 - β₂)·g²                     exp_avg_sq
 *   v̂ = max(v̂, v) with AMSGrad, else v̂ = v     max_exp_avg_sq
 *   w = w - (lr/bc1)·m / (sqrt(v̂)/sqrt(bc2) + ε)
 * </pre>
 *
 * ε is added after bias-correcting {@code sqrt(v̂)}, as PyTorch does (Kingma and Ba's Algorithm 1
 * adds it to the corrected {@code sqrt(v̂)} too; Keras's {@code epsilon_hat} form differs).
 */
public final class AdamKernel {
  private AdamKernel() {}

  /**
   * Updates {@code param} and the moment buffers in place; allocates nothing.
   *
   * @param param parameter, any shape
   * @param grad its gradient, same length
   * @param expAvg first moment {@code m}, same length, zeros before the first step
   * @param expAvgSq second moment {@code v}, same length, zeros before the first step
   * @param maxExpAvgSq running maximum of {@code v} with AMSGrad, else null
   * @param count elements to update
   * @param step the 1-based step number {@code k}
   * @param decay the decoupled decay factor {@code lr·λ} (AdamW), 0 for none
   */
  public static void update(Tensor param, Tensor grad, Tensor expAvg, Tensor expAvgSq,
      Tensor maxExpAvgSq, int count, double learningRate, double beta1, double beta2,
      double epsilon, long step, double decay) {
    float keep = (float) (1 - decay);
    float b1 = (float) beta1;
    float oneMinusB1 = (float) (1 - beta1);
    float b2 = (float) beta2;
    float oneMinusB2 = (float) (1 - beta2);
    float negStepSize = (float) -(learningRate / (1 - Math.pow(beta1, step)));
    float bc2Sqrt = (float) Math.sqrt(1 - Math.pow(beta2, step));
    float eps = (float) epsilon;
    boolean decays = decay != 0;
    Backends.kernels().adam(param, grad, expAvg, expAvgSq, maxExpAvgSq, count, keep, b1,
        oneMinusB1, b2, oneMinusB2, negStepSize, bc2Sqrt, eps, decays);
  }
}
