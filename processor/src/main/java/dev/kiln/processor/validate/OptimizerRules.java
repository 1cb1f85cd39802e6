package dev.kiln.processor.validate;

import dev.kiln.processor.model.OptimizerSpec;
import dev.kiln.processor.read.Attr;
import dev.kiln.processor.read.DslNames;
import javax.lang.model.element.AnnotationMirror;

/** Reads and checks the optimizer annotation of a training configuration. */
final class OptimizerRules {
  private OptimizerRules() {}

  /** The optimizer, or null after reporting an error. */
  static OptimizerSpec check(RuleContext ctx, AnnotationMirror config) {
    AnnotationMirror sgd = ctx.find(DslNames.SGD).orElse(null);
    if (sgd == null) {
      ctx.reporter().error(ctx.type(), config, Diagnostic.NO_OPTIMIZER, ctx.type().getSimpleName());
      return null;
    }
    return sgd(ctx, sgd);
  }

  private static OptimizerSpec sgd(RuleContext ctx, AnnotationMirror m) {
    Reporter reporter = ctx.reporter();
    int before = reporter.errorCount();
    Attr<Double> learningRate = ctx.attr(m, "learningRate", Double.class);
    double lr = learningRate.value();
    if (!(lr > 0 && Double.isFinite(lr))) {
      reporter.error(learningRate, Diagnostic.LEARNING_RATE_NOT_POSITIVE, lr);
    }
    Attr<Double> momentum = ctx.attr(m, "momentum", Double.class);
    if (!(momentum.value() >= 0 && Double.isFinite(momentum.value()))) {
      reporter.error(momentum, Diagnostic.MOMENTUM_NEGATIVE, momentum.value());
    }
    Attr<Double> dampening = ctx.attr(m, "dampening", Double.class);
    if (!(dampening.value() >= 0 && dampening.value() <= 1)) {
      reporter.error(dampening, Diagnostic.DAMPENING_RANGE, dampening.value());
    }
    Attr<Boolean> nesterov = ctx.attr(m, "nesterov", Boolean.class);
    if (nesterov.value() && (momentum.value() <= 0 || dampening.value() != 0)) {
      reporter.error(nesterov, Diagnostic.NESTEROV_WITHOUT_MOMENTUM, momentum.value(),
          dampening.value());
    }
    return reporter.errorCount() != before ? null : new OptimizerSpec.Sgd(lr, momentum.value(),
        dampening.value(), nesterov.value());
  }
}
