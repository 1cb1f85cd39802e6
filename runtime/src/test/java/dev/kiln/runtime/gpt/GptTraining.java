package dev.kiln.runtime.gpt;

/**
 * How a {@link HandGpt} trains: PyTorch's {@code AdamW} (decoupled decay {@code weightDecay} on
 * matrices and embeddings only, none on biases and LayerNorm parameters), {@code
 * SequentialLR([LinearLR(startFactor, 1, warmup), CosineAnnealingLR(steps - warmup,
 * minimumRate)], [warmup])} and global-norm clipping at {@code maxNorm}.
 *
 * @param learningRate the base rate {@code lr0}
 * @param beta1 Adam's first-moment decay
 * @param beta2 Adam's second-moment decay
 * @param epsilon Adam's epsilon, added to {@code sqrt(v̂)}
 * @param weightDecay decoupled decay {@code λ} of matrices and embeddings
 * @param warmup warm-up steps ({@code LinearLR}'s {@code total_iters}), at least 1
 * @param startFactor factor of {@code lr0} at step 0
 * @param steps optimizer steps of the run; the cosine lasts {@code steps - warmup}
 * @param minimumRate the cosine's {@code eta_min}
 * @param maxNorm global L2 norm the gradients are clipped to
 */
public record GptTraining(double learningRate, double beta1, double beta2, double epsilon,
    double weightDecay, long warmup, double startFactor, long steps, double minimumRate,
    double maxNorm) {
  /**
   * nanoGPT's {@code shakespeare_char} CPU run as the PyTorch peer trains it: lr 1e-3, betas (0.9,
   * 0.99), epsilon 1e-8, decay 0.1, 100 warm-up steps from lr/100, cosine to 1e-4, clipping 1.
   *
   * @param steps iterations of the run (2,000 in nanoGPT's)
   */
  public static GptTraining nanoGpt(long steps) {
    return new GptTraining(1e-3, 0.9, 0.99, 1e-8, 0.1, 100, 0.01, steps, 1e-4, 1.0);
  }
}
