package dev.kiln.runtime.gpt;

import dev.kiln.runtime.ops.Gelu;

/**
 * The shape of a pre-LayerNorm decoder (GPT-2's, as nanoGPT's {@code model.py} and {@code
 * gpt_trajectory.json} describe it): token and learned position embeddings, {@code blocks} blocks
 * of {@code x + attention(ln1(x))} then {@code x + down(gelu(up(ln2(x))))}, a final LayerNorm
 * and a head without bias.
 *
 * @param vocabulary tokens {@code V}
 * @param context longest sequence {@code T}
 * @param width model width {@code D}
 * @param heads attention heads, dividing {@code D}
 * @param blocks decoder blocks
 * @param hidden width of the feed-forward layer (4·D in GPT-2)
 * @param gelu the GELU form, as PyTorch's {@code approximate}
 * @param attentionBias whether the four attention projections have biases
 */
public record GptConfig(int vocabulary, int context, int width, int heads, int blocks, int hidden,
    Gelu.Approximation gelu, boolean attentionBias) {
  /**
   * @throws IllegalArgumentException for a size below 1 or heads that do not divide the width
   */
  public GptConfig {
    if (vocabulary < 1 || context < 1 || width < 1 || heads < 1 || blocks < 1 || hidden < 1) {
      throw new IllegalArgumentException("every size must be at least 1: " + this);
    }
    if (width % heads != 0) {
      throw new IllegalArgumentException(heads + " heads do not divide the width " + width);
    }
  }

  /**
   * nanoGPT's published CPU configuration of {@code shakespeare_char}: 4 blocks, 4 heads, width
   * 128, context 64, exact GELU, attention projections with biases (the PyTorch peer's model).
   */
  public static GptConfig nano(int vocabulary) {
    return new GptConfig(vocabulary, 64, 128, 4, 4, 512, Gelu.Approximation.NONE, true);
  }

  /** The larger benchmark configuration: as {@link #nano} with width 256 and context 128. */
  public static GptConfig large(int vocabulary) {
    return new GptConfig(vocabulary, 128, 256, 4, 4, 1024, Gelu.Approximation.NONE, true);
  }

  /** Multiply-adds of one forward pass's matrix products per token at full context. */
  public long forwardMacsPerToken() {
    long d = width;
    long perBlock = 4 * d * d + 2 * d * hidden + (long) context / 2 * d * 2; // causal ~half
    return blocks * perBlock + d * vocabulary;
  }
}
