package dev.kiln.samples;

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
 * A character-level GPT in nanoGPT's CPU configuration of {@code shakespeare_char}: token and
 * learned position embeddings (width 128), 4 pre-LayerNorm decoder blocks with 4-head causal
 * self-attention and a 512-wide GELU feed-forward, a final LayerNorm and a head without bias, no
 * dropout. Tokens are characters: the ids of a {@link dev.kiln.runtime.data.CharVocabulary} (the
 * sorted distinct characters of the training text; Tiny Shakespeare has exactly {@value
 * #VOCABULARY}), at most {@value #CONTEXT} per sequence:
 *
 * <pre>
 * embed    Embedding(65 -&gt; 128) + PositionEmbedding(64 x 128)       [T, 128]
 * blocks   4 x Decoder: x + attention(norm(x)); x + down(gelu(up(norm(x))))  [T, 128]
 * norm     LayerNorm(128)                                             [T, 128]
 * head     Dense(128 -&gt; 65, no bias): next-character logits           [T, 65]
 * </pre>
 *
 * <p>Kiln generates {@code CharGptNetwork} (the parameters, named as {@code
 * blocks.2.attention.attention.query.weight}) beside it; {@link CharGptTraining} says how it is
 * trained. The same model as {@code benchmarks/pytorch/gpt_peer.py}'s {@code nano}.
 */
@Model(vocabulary = CharGpt.VOCABULARY, context = CharGpt.CONTEXT)
public abstract class CharGpt {
  /** Distinct characters the model can take: Tiny Shakespeare's 65. */
  public static final int VOCABULARY = 65;
  /** The longest sequence, in characters. */
  public static final int CONTEXT = 64;

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
    @Dense(512) @Activation(GELU) Layer up;
    @Dense(128) Layer down;
  }

  /** One pre-LayerNorm decoder block. */
  @Block
  abstract static class Decoder {
    @Residual Attention attention;
    @Residual FeedForward mlp;
  }

  @Embedding(128) @PositionEmbedding Layer embed;
  @Repeat(4) Decoder blocks;
  @LayerNorm Layer norm;
  @Dense(value = VOCABULARY, bias = false) Layer head;
}
