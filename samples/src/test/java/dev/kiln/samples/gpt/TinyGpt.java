package dev.kiln.samples.gpt;

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

/** {@code CharGpt}'s structure at test size: 2 blocks, 2 heads, width 16, context 8. */
@Model(vocabulary = TinyGpt.VOCABULARY, context = TinyGpt.CONTEXT)
public abstract class TinyGpt {
  static final int VOCABULARY = 24;
  static final int CONTEXT = 8;

  @Block
  abstract static class Attention {
    @LayerNorm Layer norm;
    @SelfAttention(heads = 2) Layer attention;
  }

  @Block
  abstract static class FeedForward {
    @LayerNorm Layer norm;
    @Dense(32) @Activation(GELU) Layer up;
    @Dense(16) Layer down;
  }

  @Block
  abstract static class Decoder {
    @Residual Attention attention;
    @Residual FeedForward mlp;
  }

  @Embedding(16) @PositionEmbedding Layer embed;
  @Repeat(2) Decoder blocks;
  @LayerNorm Layer norm;
  @Dense(value = VOCABULARY, bias = false) Layer head;
}
