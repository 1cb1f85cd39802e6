package dev.kiln.processor.validate;

import dev.kiln.processor.model.Part;
import dev.kiln.processor.model.RegularizationSpec.LayerOverride;
import dev.kiln.processor.model.Shape;
import dev.kiln.processor.model.Specs.LayerSpec;
import dev.kiln.processor.read.Attr;
import dev.kiln.processor.read.Decls.ActivationDecl;
import dev.kiln.processor.read.Decls.BatchNormDecl;
import dev.kiln.processor.read.Decls.DenseDecl;
import dev.kiln.processor.read.Decls.Conv2dDecl;
import dev.kiln.processor.read.Decls.DropoutDecl;
import dev.kiln.processor.read.Decls.EmbeddingDecl;
import dev.kiln.processor.read.Decls.GlobalAvgPoolDecl;
import dev.kiln.processor.read.Decls.LayerDecl;
import dev.kiln.processor.read.Decls.LayerNormDecl;
import dev.kiln.processor.read.Decls.PartDecl;
import dev.kiln.processor.read.Decls.PositionEmbeddingDecl;
import dev.kiln.processor.read.Decls.SelfAttentionDecl;
import dev.kiln.processor.read.Decls.PoolDecl;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks one layer field and infers its shapes: each part's rules see the shape the parts before
 * it make, in the fixed part order. A part whose values are wrong still yields a part (with the
 * value clamped) so that the layers after it are checked too; the errors stop generation.
 */
final class LayerRules {
  private LayerRules() {}

  /**
   * Where a layer sits: its full name ({@code blocks.1.mlp.up} inside blocks), whether its input
   * is a token model's ids and the model's vocabulary, and the training annotations of the block
   * fields around it (the field's own win).
   */
  record Place(String name, boolean tokens, int vocabulary, LayerOverride inherited) {}

  /** The checked layer, from {@code input}. */
  static LayerSpec check(LayerDecl layer, Shape input, Place place, Reporter reporter) {
    List<Part> parts = new ArrayList<>();
    Shape shape = input;
    if (place.tokens() && !(layer.parts().get(0) instanceof EmbeddingDecl)) {
      reporter.error(layer.field(), Diagnostic.TOKEN_MODEL_FIRST_LAYER, place.name());
    }
    boolean tokens = place.tokens();
    for (PartDecl decl : layer.parts()) {
      Part part = part(decl, shape, tokens, layer, place, reporter);
      tokens = false;
      if (part != null) {
        parts.add(part);
        shape = part.output(shape);
      }
    }
    LayerOverride own = RegularizationRules.layer(reporter, layer.training());
    LayerSpec spec = new LayerSpec(place.name(), input, parts, merge(own, place.inherited()));
    Attr<Double> scale = layer.training().learningRateScale();
    if (own.learningRateScale() != null && spec.parameterCount() == 0) {
      reporter.error(scale.element(), scale.mirror(), Diagnostic.SCALE_WITHOUT_PARAMETERS,
          scale.value(), place.name());
    }
    return spec;
  }

  /**
   * {@code own}'s terms (and learning-rate scale) where given, else {@code outer}'s; frozen if
   * either is.
   */
  static LayerOverride merge(LayerOverride own, LayerOverride outer) {
    return new LayerOverride(own.l1() != null ? own.l1() : outer.l1(),
        own.l2() != null ? own.l2() : outer.l2(),
        own.weightDecay() != null ? own.weightDecay() : outer.weightDecay(),
        own.frozen() || outer.frozen(),
        own.learningRateScale() != null ? own.learningRateScale() : outer.learningRateScale());
  }

  /**
   * The one dispatch from a part declaration to its rules; null where the part is no part at all
   * ({@code IDENTITY}, a dropout rate of 0) or its kind could not be resolved (reported).
   */
  private static Part part(PartDecl decl, Shape input, boolean tokens, LayerDecl layer,
      Place place, Reporter reporter) {
    if (decl instanceof DenseDecl d) {
      return DenseRules.check(d, input, layer, reporter);
    } else if (decl instanceof EmbeddingDecl d) {
      return SequenceRules.embedding(d, input, tokens, place.vocabulary(), place.name(),
          layer.field(), reporter);
    } else if (decl instanceof PositionEmbeddingDecl d) {
      return SequenceRules.positions(d, input, place.name(), layer.field(), reporter);
    } else if (decl instanceof SelfAttentionDecl d) {
      return SequenceRules.attention(d, input, place.name(), layer.field(), reporter);
    } else if (decl instanceof LayerNormDecl d) {
      return SequenceRules.layerNorm(d, input, place.name(), layer.field(), reporter);
    } else if (decl instanceof BatchNormDecl d) {
      return BatchNormRules.check(d, input, reporter);
    } else if (decl instanceof ActivationDecl d) {
      return ActivationRules.check(d, reporter);
    } else if (decl instanceof DropoutDecl d) {
      return DropoutRules.check(d, reporter);
    } else if (decl instanceof Conv2dDecl d) {
      return Conv2dRules.check(d, input, layer, reporter);
    } else if (decl instanceof PoolDecl d) {
      return PoolRules.check(d, input, layer, reporter);
    } else if (decl instanceof GlobalAvgPoolDecl d) {
      return PoolRules.check(d, input, layer, reporter);
    }
    throw new IllegalArgumentException("no rules for " + decl);
  }
}
