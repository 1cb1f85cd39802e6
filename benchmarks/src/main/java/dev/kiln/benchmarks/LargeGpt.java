package dev.kiln.benchmarks;

import static dev.kiln.dsl.ActivationFunction.GELU;

import dev.kiln.dsl.Activation;
import dev.kiln.dsl.Block;
import dev.kiln.dsl.Dense;
import dev.kiln.dsl.Embedding;
import dev.kiln.dsl.Layer;
import dev.kiln.dsl.LayerNorm;
import dev.kiln.dsl.Model;
import dev.kiln.dsl.PositionEmbedding;
import dev.kiln.dsl.Repeat;
import dev.kiln.dsl.Residual;
import dev.kiln.dsl.SelfAttention;

/**
 * {@link GeneratedGptStepBenchmark}'s {@code large} model: {@link NanoGpt} with width 256, context
 * 128 and a 1024-wide feed-forward, as {@code GptConfig.large(65)} (the model {@link
 * GptStepBenchmark} steps by hand). Vocabulary 65, 4 pre-LayerNorm blocks of 4-head causal
 * self-attention (projections with biases) and an exact-GELU feed-forward, a final LayerNorm and a
 * head without bias, no dropout.
 */
@Model(vocabulary = LargeGpt.VOCABULARY, context = LargeGpt.CONTEXT)
public abstract class LargeGpt {
  /** Distinct tokens: Tiny Shakespeare's 65 characters. */
  public static final int VOCABULARY = 65;
  /** The longest sequence, in tokens. */
  public static final int CONTEXT = 128;

  /** Attention sub-block: {@code attention(norm(x))}, added to its input. */
  @Block
  abstract static class Attention {
    @LayerNorm Layer norm;
    @SelfAttention(heads = 4) Layer attention;
  }

  /** Feed-forward sub-block: {@code down(gelu(up(norm(x))))}, added to its input. */
  @Block
  abstract static class FeedForward {
    @LayerNorm Layer norm;
    @Dense(1024) @Activation(GELU) Layer up;
    @Dense(256) Layer down;
  }

  /** One pre-LayerNorm decoder block. */
  @Block
  abstract static class Decoder {
    @Residual Attention attention;
    @Residual FeedForward mlp;
  }

  @Embedding(256) @PositionEmbedding Layer embed;
  @Repeat(4) Decoder blocks;
  @LayerNorm Layer norm;
  @Dense(value = VOCABULARY, bias = false) Layer head;
}
