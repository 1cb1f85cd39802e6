package dev.kiln.processor.validate;

import dev.kiln.processor.model.RegularizationSpec;
import dev.kiln.processor.model.RegularizationSpec.LayerOverride;
import dev.kiln.processor.model.RegularizationSpec.Term;
import dev.kiln.processor.read.Attr;
import dev.kiln.processor.read.Decls.LayerTrainingDecl;
import dev.kiln.processor.read.Decls.TermDecl;
import dev.kiln.processor.read.DslNames;
import javax.lang.model.element.AnnotationMirror;

/**
 * Reads and checks regularization: {@code @L1}, {@code @L2} and {@code @WeightDecay} on a
 * training configuration (with {@code @AdamW}'s {@code weightDecay} as the decoupled term when no
 * {@code @WeightDecay} replaces it; a nonzero {@code weightDecay} written beside {@code
 * @WeightDecay} is an error), and the same annotations plus {@code @Frozen} on layer fields.
 * Every coefficient must be finite and at least 0.
 */
final class RegularizationRules {
  private RegularizationRules() {}

  /** The configuration's regularization, or null after reporting an error. */
  static RegularizationSpec check(RuleContext ctx) {
    Reporter reporter = ctx.reporter();
    int before = reporter.errorCount();
    Term l1 = configTerm(ctx, DslNames.L1, Diagnostic.L1_NEGATIVE);
    Term l2 = configTerm(ctx, DslNames.L2, Diagnostic.L2_NEGATIVE);
    Term decay = configTerm(ctx, DslNames.WEIGHT_DECAY, Diagnostic.WEIGHT_DECAY_NEGATIVE);
    AnnotationMirror adamW = ctx.find(DslNames.ADAM_W).orElse(null);
    if (adamW != null) {
      Attr<Double> own = ctx.attr(adamW, "weightDecay", Double.class);
      boolean replaced = ctx.find(DslNames.WEIGHT_DECAY).isPresent();
      if (replaced && own.written() != null && own.value() != 0) {
        reporter.error(own, Diagnostic.WEIGHT_DECAY_TWICE, own.value(), decay.value());
      } else if (!replaced) {
        decay = term(reporter, own, null, Diagnostic.WEIGHT_DECAY_NEGATIVE,
            "@AdamW(weightDecay = " + own.value() + ")");
      }
    }
    return reporter.errorCount() != before ? null : new RegularizationSpec(l1, l2, decay);
  }

  /**
   * The training annotations of one layer field. Errors are reported on the field's annotations;
   * the result is then only a placeholder, as no spec is generated from a model with errors.
   */
  static LayerOverride layer(Reporter reporter, LayerTrainingDecl decl) {
    if (decl.isEmpty()) {
      return LayerOverride.NONE;
    }
    Term l1 = fieldTerm(reporter, decl.l1(), Diagnostic.L1_NEGATIVE);
    Term l2 = fieldTerm(reporter, decl.l2(), Diagnostic.L2_NEGATIVE);
    Term decay = fieldTerm(reporter, decl.weightDecay(), Diagnostic.WEIGHT_DECAY_NEGATIVE);
    boolean frozen = decl.frozen() != null;
    if (frozen) {
      for (TermDecl t : new TermDecl[] {decl.l1(), decl.l2(), decl.weightDecay()}) {
        if (t != null) {
          reporter.error(t.value().element(), t.mirror(), Diagnostic.FROZEN_REGULARIZED,
              t.value().element().getSimpleName(),
              t.mirror().getAnnotationType().asElement().getSimpleName());
        }
      }
    }
    Double scale = null;
    Attr<Double> s = decl.learningRateScale();
    if (s != null) {
      if (frozen) {
        reporter.error(s.element(), s.mirror(), Diagnostic.FROZEN_REGULARIZED,
            s.element().getSimpleName(), "LearningRateScale");
      } else if (!(s.value() >= 0 && Double.isFinite(s.value()))) {
        reporter.error(s, Diagnostic.LEARNING_RATE_SCALE, s.value());
      } else {
        scale = s.value();
      }
    }
    return new LayerOverride(l1, l2, decay, frozen, scale);
  }

  private static Term configTerm(RuleContext ctx, String annotation, Diagnostic negative) {
    AnnotationMirror m = ctx.find(annotation).orElse(null);
    if (m == null) {
      return Term.NONE;
    }
    Term t = term(ctx.reporter(), ctx.attr(m, "value", Double.class),
        ctx.attr(m, "applyTo", String.class), negative, null);
    return t == null ? Term.NONE : t;
  }

  private static Term fieldTerm(Reporter reporter, TermDecl decl, Diagnostic negative) {
    return decl == null ? null : term(reporter, decl.value(), decl.applyTo(), negative, null);
  }

  /**
   * A checked term, or null after reporting a negative or non-finite coefficient.
   *
   * @param applyTo null for weights only
   * @param shown the message argument; null for the bare value
   */
  private static Term term(Reporter reporter, Attr<Double> value, Attr<String> applyTo,
      Diagnostic negative, String shown) {
    double v = value.value();
    if (!(v >= 0 && Double.isFinite(v))) {
      reporter.error(value, negative, shown != null ? shown
          : negative == Diagnostic.WEIGHT_DECAY_NEGATIVE ? "@WeightDecay(" + v + ")" : v);
      return null;
    }
    return new Term(v, applyTo != null
        && DslEnums.is(reporter, applyTo, "applyTo", "ALL", "WEIGHTS"));
  }
}
