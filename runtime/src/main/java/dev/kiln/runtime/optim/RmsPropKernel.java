package dev.kiln.runtime.optim;

import dev.kiln.runtime.tensor.Tensor;

import java.nio.FloatBuffer;

/**
 * The update of PyTorch 1.13's {@code torch.optim.RMSprop} (single-tensor path), in float32 as
 * PyTorch computes it, without bias correction:
 *
 * <pre>
 *   w = w·(1 - decay)                          decoupled decay, decay = lr·λ (Kiln's @WeightDecay)
 *   s = α·s + (1 - α)·g²                       square_avg
 *   ḡ = α·ḡ + (1 - α)·g                        grad_avg (centered only)
 *   d = sqrt(s) + ε, or sqrt(s - ḡ²) + ε when centered (ε outside the square root)
 *   w = w - lr·g/d, or with momentum μ: buf = μ·buf + g/d (buf starts at 0), w = w - lr·buf
 * </pre>
 */
public final class RmsPropKernel {
  private RmsPropKernel() {}

  /**
   * Updates {@code param} and the buffers in place; allocates nothing.
   *
   * @param squareAvg {@code s}, same length as {@code param}, zeros before the first step
   * @param gradAvg {@code ḡ} when centered, else null
   * @param momentumBuffer {@code buf} when {@code momentum > 0}, else null (ignored)
   * @param decay the decoupled decay factor {@code lr·λ}, 0 for none
   */
  public static void update(Tensor param, Tensor grad, Tensor squareAvg, Tensor gradAvg,
      Tensor momentumBuffer, int count, double learningRate, double alpha, double epsilon,
      double momentum, double decay) {
    FloatBuffer w = param.data();
    FloatBuffer g = grad.data();
    FloatBuffer s = squareAvg.data();
    FloatBuffer avg = gradAvg == null ? null : gradAvg.data();
    FloatBuffer buf = momentum == 0 ? null : momentumBuffer.data();
    float a = (float) alpha;
    float oneMinusA = (float) (1 - alpha);
    float eps = (float) epsilon;
    float mu = (float) momentum;
    float lr = (float) learningRate;
    float keep = (float) (1 - decay);
    boolean decays = decay != 0;
    for (int i = 0; i < count; i++) {
      float gi = g.get(i);
      float si = s.get(i) * a + oneMinusA * gi * gi;
      s.put(i, si);
      float d;
      if (avg != null) {
        float ai = avg.get(i) * a + oneMinusA * gi;
        avg.put(i, ai);
        d = (float) Math.sqrt(si - ai * ai) + eps;
      } else {
        d = (float) Math.sqrt(si) + eps;
      }
      float wi = decays ? w.get(i) * keep : w.get(i);
      if (buf != null) {
        float bi = buf.get(i) * mu + gi / d;
        buf.put(i, bi);
        w.put(i, wi - lr * bi);
      } else {
        w.put(i, wi - lr * gi / d);
      }
    }
  }
}
