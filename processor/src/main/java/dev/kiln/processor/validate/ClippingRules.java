package dev.kiln.processor.validate;

import dev.kiln.processor.model.ClippingSpec;
import dev.kiln.processor.read.Attr;
import dev.kiln.processor.read.DslNames;
import javax.lang.model.element.AnnotationMirror;

/** Reads and checks the gradient-clipping annotations of a training configuration. */
final class ClippingRules {
  private ClippingRules() {}

  /** The clipping, or null after reporting an error. */
  static ClippingSpec check(RuleContext ctx) {
    AnnotationMirror norm = ctx.find(DslNames.CLIP_GRAD_NORM).orElse(null);
    if (norm == null) {
      return new ClippingSpec.None();
    }
    Reporter reporter = ctx.reporter();
    int before = reporter.errorCount();
    Attr<Double> maxNorm = ctx.attr(norm, "maxNorm", Double.class);
    if (!(maxNorm.value() > 0 && Double.isFinite(maxNorm.value()))) {
      reporter.error(maxNorm, Diagnostic.MAX_NORM_NOT_POSITIVE, maxNorm.value());
    }
    Attr<Double> normType = ctx.attr(norm, "normType", Double.class);
    double p = normType.value();
    if (p != 1 && p != 2 && p != Double.POSITIVE_INFINITY) {
      reporter.error(normType, Diagnostic.NORM_TYPE, p);
    }
    return reporter.errorCount() != before ? null : new ClippingSpec.GlobalNorm(maxNorm.value(), p);
  }
}
