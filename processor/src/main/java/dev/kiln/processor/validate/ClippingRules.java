package dev.kiln.processor.validate;

import dev.kiln.processor.model.ClipScope;
import dev.kiln.processor.model.ClippingSpec;
import dev.kiln.processor.model.NonFinitePolicy;
import dev.kiln.processor.read.Attr;
import dev.kiln.processor.read.DslNames;
import javax.lang.model.element.AnnotationMirror;

/**
 * Reads and checks the gradient-clipping annotations of a training configuration ({@code
 * @ClipGradNorm} or {@code @ClipGradValue}, at most one) and the non-finite policy, written on the
 * clipping annotation or on {@code @TrainingConfig(onNonFinite)} but not on both ({@code ERROR}
 * when neither says it).
 */
final class ClippingRules {
  private ClippingRules() {}

  /** The clipping, or null after reporting an error. */
  static ClippingSpec check(RuleContext ctx) {
    AnnotationMirror norm = ctx.find(DslNames.CLIP_GRAD_NORM).orElse(null);
    AnnotationMirror value = ctx.find(DslNames.CLIP_GRAD_VALUE).orElse(null);
    Reporter reporter = ctx.reporter();
    if (norm != null && value != null) {
      reporter.error(ctx.type(), value, Diagnostic.CLIPPING_TWICE);
      return null;
    }
    int before = reporter.errorCount();
    AnnotationMirror clip = norm != null ? norm : value;
    NonFinitePolicy policy = policy(ctx, clip);
    if (policy == null) {
      return null;
    }
    ClippingSpec spec;
    if (norm != null) {
      spec = byNorm(ctx, norm, policy);
    } else if (value != null) {
      spec = byValue(ctx, value, policy);
    } else {
      spec = new ClippingSpec.None(policy);
    }
    return reporter.errorCount() != before ? null : spec;
  }

  /** The effective non-finite policy; reports it written twice. */
  private static NonFinitePolicy policy(RuleContext ctx, AnnotationMirror clip) {
    AnnotationMirror config = ctx.find(DslNames.TRAINING_CONFIG).orElseThrow();
    Attr<String> onConfig = ctx.attr(config, "onNonFinite", String.class);
    if (clip == null) {
      return DslEnums.of(ctx.reporter(), onConfig, "onNonFinite", NonFinitePolicy.class);
    }
    Attr<String> onClip = ctx.attr(clip, "onNonFinite", String.class);
    if (onClip.written() != null && onConfig.written() != null) {
      ctx.reporter().error(onClip, Diagnostic.NON_FINITE_POLICY_TWICE, onConfig.value(),
          clip.getAnnotationType().asElement().getSimpleName(), onClip.value());
    }
    return DslEnums.of(ctx.reporter(), onClip.written() != null ? onClip : onConfig,
        "onNonFinite", NonFinitePolicy.class);
  }

  private static ClippingSpec byNorm(RuleContext ctx, AnnotationMirror norm,
      NonFinitePolicy policy) {
    Reporter reporter = ctx.reporter();
    Attr<Double> maxNorm = ctx.attr(norm, "maxNorm", Double.class);
    if (!(maxNorm.value() > 0 && Double.isFinite(maxNorm.value()))) {
      reporter.error(maxNorm, Diagnostic.MAX_NORM_NOT_POSITIVE, maxNorm.value());
    }
    Attr<Double> normType = ctx.attr(norm, "normType", Double.class);
    double p = normType.value();
    if (p != 1 && p != 2 && p != Double.POSITIVE_INFINITY) {
      reporter.error(normType, Diagnostic.NORM_TYPE, p);
    }
    ClipScope scope = DslEnums.of(reporter, ctx.attr(norm, "scope", String.class), "scope",
        ClipScope.class);
    return new ClippingSpec.ByNorm(maxNorm.value(), p, scope, policy);
  }

  private static ClippingSpec byValue(RuleContext ctx, AnnotationMirror value,
      NonFinitePolicy policy) {
    Attr<Double> clipValue = ctx.attr(value, "value", Double.class);
    if (!(clipValue.value() > 0 && Double.isFinite(clipValue.value()))) {
      ctx.reporter().error(clipValue, Diagnostic.CLIP_VALUE_NOT_POSITIVE, clipValue.value());
    }
    return new ClippingSpec.ByValue(clipValue.value(), policy);
  }
}
