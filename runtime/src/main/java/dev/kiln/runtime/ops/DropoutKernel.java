package dev.kiln.runtime.ops;

import dev.kiln.runtime.tensor.SplitMix64;
import dev.kiln.runtime.tensor.Tensor;

import java.nio.FloatBuffer;

/**
 * Inverted dropout (Srivastava et al., 2014), as PyTorch's {@code nn.Dropout(p)} in training:
 * each element is kept with probability {@code 1 - p} and scaled by {@code 1/(1 - p)}. The mask
 * (0 or {@code 1/(1 - p)} per element) is stored for the backward pass. Masks come from a {@link
 * SplitMix64} the caller owns, so runs are reproducible from the seed.
 */
public final class DropoutKernel {
  private DropoutKernel() {}

  /**
   * {@code y = x · mask} with a fresh mask.
   *
   * @param mask output, same size as {@code x}; holds 0 or {@code 1/(1-rate)}
   * @param y output; may be the same tensor as {@code x}
   */
  public static void forward(Tensor x, Tensor mask, Tensor y, int count, double rate, SplitMix64 rng) {
    FloatBuffer xb = x.data();
    FloatBuffer mb = mask.data();
    FloatBuffer yb = y.data();
    float scale = (float) (1.0 / (1.0 - rate));
    for (int i = 0; i < count; i++) {
      float m = rng.nextDouble() < rate ? 0f : scale;
      mb.put(i, m);
      yb.put(i, xb.get(i) * m);
    }
  }

  /** {@code dx = dy · mask}; {@code dx} may be the same tensor as {@code dy}. */
  public static void backward(Tensor dy, Tensor mask, Tensor dx, int count) {
    FloatBuffer dyb = dy.data();
    FloatBuffer mb = mask.data();
    FloatBuffer dxb = dx.data();
    for (int i = 0; i < count; i++) {
      dxb.put(i, dyb.get(i) * mb.get(i));
    }
  }
}
