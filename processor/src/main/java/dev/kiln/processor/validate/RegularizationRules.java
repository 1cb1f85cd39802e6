package dev.kiln.processor.validate;

import dev.kiln.processor.model.RegularizationSpec;
import dev.kiln.processor.read.Attr;
import dev.kiln.processor.read.DslNames;
import javax.lang.model.element.AnnotationMirror;

/** Reads and checks the regularization annotations of a training configuration. */
final class RegularizationRules {
  private RegularizationRules() {}

  /** The regularization, or null after reporting an error. */
  static RegularizationSpec check(RuleContext ctx) {
    AnnotationMirror l2 = ctx.find(DslNames.L2).orElse(null);
    if (l2 == null) {
      return RegularizationSpec.none();
    }
    Attr<Double> value = ctx.attr(l2, "value", Double.class);
    if (!(value.value() >= 0 && Double.isFinite(value.value()))) {
      ctx.reporter().error(value, Diagnostic.L2_NEGATIVE, value.value());
      return null;
    }
    boolean all = ctx.attr(l2, "applyTo", String.class).value().equals("ALL");
    return new RegularizationSpec(value.value(), all);
  }
}
