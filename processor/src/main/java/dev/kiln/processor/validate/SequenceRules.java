package dev.kiln.processor.validate;

import dev.kiln.processor.model.EmbeddingPart;
import dev.kiln.processor.model.LayerNormPart;
import dev.kiln.processor.model.Part;
import dev.kiln.processor.model.PositionEmbeddingPart;
import dev.kiln.processor.model.SelfAttentionPart;
import dev.kiln.processor.model.Shape;
import dev.kiln.processor.read.Decls.EmbeddingDecl;
import dev.kiln.processor.read.Decls.LayerNormDecl;
import dev.kiln.processor.read.Decls.PositionEmbeddingDecl;
import dev.kiln.processor.read.Decls.SelfAttentionDecl;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.Element;

/**
 * The sequence parts' rules: {@code @Embedding} reads token ids (the first part of a token
 * model), {@code @PositionEmbedding} and {@code @SelfAttention} need a sequence {@code [T, D]},
 * heads divide {@code D}, {@code @LayerNorm}'s epsilon is positive. Each reports on the exact
 * value and names the shape it got.
 */
final class SequenceRules {
  private SequenceRules() {}

  /**
   * {@code @Embedding(width)}; {@code tokens} says whether the part's input is the model's token
   * ids, {@code vocabulary} is the model's.
   */
  static Part embedding(EmbeddingDecl d, Shape input, boolean tokens, int vocabulary,
      String layer, Element field, Reporter reporter) {
    if (!tokens) {
      reporter.error(field, d.mirror(), Diagnostic.EMBEDDING_INPUT, layer, input);
      return null;
    }
    if (d.width().value() < 1) {
      reporter.error(d.width(), Diagnostic.EMBEDDING_WIDTH, d.width().value());
    }
    return new EmbeddingPart(Math.max(2, vocabulary), Math.max(1, d.width().value()));
  }

  static Part positions(PositionEmbeddingDecl d, Shape input, String layer, Element field,
      Reporter reporter) {
    if (!sequence(field, d.mirror(), "PositionEmbedding", input, layer, reporter)) {
      return null;
    }
    return new PositionEmbeddingPart();
  }

  static Part layerNorm(LayerNormDecl d, Shape input, String layer, Element field,
      Reporter reporter) {
    double eps = d.epsilon().value();
    if (!(eps > 0 && Double.isFinite(eps))) {
      reporter.error(d.epsilon(), Diagnostic.LAYER_NORM_EPSILON, eps);
    }
    if (input.rank() > 2) {
      sequence(field, d.mirror(), "LayerNorm", input, layer, reporter);
      return null;
    }
    return new LayerNormPart(eps > 0 ? eps : 1e-5);
  }

  static Part attention(SelfAttentionDecl d, Shape input, String layer, Element field,
      Reporter reporter) {
    if (!sequence(field, d.mirror(), "SelfAttention", input, layer, reporter)) {
      return null;
    }
    int heads = d.heads().value();
    int width = input.last();
    if (heads < 1 || width % heads != 0) {
      reporter.error(d.heads(), Diagnostic.HEADS_DIVIDE, heads, width, input);
      return null;
    }
    return new SelfAttentionPart(heads, d.causal().value(), d.bias().value());
  }

  private static boolean sequence(Element field, AnnotationMirror mirror, String name,
      Shape input, String layer, Reporter reporter) {
    if (input.isSequence()) {
      return true;
    }
    reporter.error(field, mirror, Diagnostic.SEQUENCE_INPUT, name, layer, input);
    return false;
  }
}
