package dev.kiln.runtime.tensor;

import java.nio.FloatBuffer;

/** Seeded weight initialisation into existing tensors, drawn from a {@link SplitMix64}. */
public final class Initializers {
  private Initializers() {}

  /** {@code U(-sqrt(6/fanIn), sqrt(6/fanIn))}: PyTorch's {@code kaiming_uniform_} for ReLU. */
  public static void heUniform(Tensor w, int fanIn, SplitMix64 rng) {
    uniform(w, Math.sqrt(6.0 / fanIn), rng);
  }

  /** {@code N(0, 2/fanIn)}: PyTorch's {@code kaiming_normal_} for ReLU. */
  public static void heNormal(Tensor w, int fanIn, SplitMix64 rng) {
    normal(w, Math.sqrt(2.0 / fanIn), rng);
  }

  /** {@code U(-sqrt(6/(fanIn+fanOut)), +…)}: PyTorch's {@code xavier_uniform_}. */
  public static void xavierUniform(Tensor w, int fanIn, int fanOut, SplitMix64 rng) {
    uniform(w, Math.sqrt(6.0 / (fanIn + fanOut)), rng);
  }

  /** {@code N(0, 2/(fanIn+fanOut))}: PyTorch's {@code xavier_normal_}. */
  public static void xavierNormal(Tensor w, int fanIn, int fanOut, SplitMix64 rng) {
    normal(w, Math.sqrt(2.0 / (fanIn + fanOut)), rng);
  }

  private static void uniform(Tensor w, double bound, SplitMix64 rng) {
    FloatBuffer b = w.data();
    for (int i = 0, n = w.length(); i < n; i++) {
      b.put(i, (float) ((2 * rng.nextDouble() - 1) * bound));
    }
  }

  private static void normal(Tensor w, double std, SplitMix64 rng) {
    FloatBuffer b = w.data();
    for (int i = 0, n = w.length(); i < n; i++) {
      b.put(i, (float) (rng.nextGaussian() * std));
    }
  }
}
