package dev.kiln.processor.validate;

import dev.kiln.processor.model.Part;
import dev.kiln.processor.model.Shape;
import dev.kiln.processor.model.Specs.LayerSpec;
import dev.kiln.processor.read.Decls.ActivationDecl;
import dev.kiln.processor.read.Decls.BatchNormDecl;
import dev.kiln.processor.read.Decls.DenseDecl;
import dev.kiln.processor.read.Decls.Conv2dDecl;
import dev.kiln.processor.read.Decls.DropoutDecl;
import dev.kiln.processor.read.Decls.GlobalAvgPoolDecl;
import dev.kiln.processor.read.Decls.LayerDecl;
import dev.kiln.processor.read.Decls.PartDecl;
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

  /** The checked layer, from {@code input}. */
  static LayerSpec check(LayerDecl layer, Shape input, Reporter reporter) {
    List<Part> parts = new ArrayList<>();
    Shape shape = input;
    for (PartDecl decl : layer.parts()) {
      Part part = part(decl, shape, layer, reporter);
      if (part != null) {
        parts.add(part);
        shape = part.output(shape);
      }
    }
    return new LayerSpec(layer.field().getSimpleName().toString(), input, parts,
        RegularizationRules.layer(reporter, layer.training()));
  }

  /**
   * The one dispatch from a part declaration to its rules; null where the part is no part at all
   * ({@code IDENTITY}, a dropout rate of 0) or its kind could not be resolved (reported).
   */
  private static Part part(PartDecl decl, Shape input, LayerDecl layer, Reporter reporter) {
    if (decl instanceof DenseDecl d) {
      return DenseRules.check(d, input, layer, reporter);
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
