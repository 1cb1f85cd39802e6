package dev.kiln.processor.validate;

import dev.kiln.processor.model.OptimizerSpec;
import dev.kiln.processor.read.Attr;
import dev.kiln.processor.read.DslNames;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.TypeElement;

/**
 * Reads and checks the optimizer annotation of a training configuration ({@code @Sgd}, {@code
 * @Adam}, {@code @AdamW} or {@code @RmsProp}: exactly one) and {@code @TrainingConfig}'s {@code
 * accumulationSteps}. Every value out of PyTorch's accepted range is an error on that member.
 */
final class OptimizerRules {
  private OptimizerRules() {}

  private static final Set<String> OPTIMIZERS =
      Set.of(DslNames.SGD, DslNames.ADAM, DslNames.ADAM_W, DslNames.RMS_PROP);

  /** The optimizer, or null after reporting an error. */
  static OptimizerSpec check(RuleContext ctx, AnnotationMirror config) {
    List<AnnotationMirror> found = new ArrayList<>();
    for (AnnotationMirror m : ctx.type().getAnnotationMirrors()) {
      if (OPTIMIZERS.contains(qualifiedName(m))) {
        found.add(m);
      }
    }
    Reporter reporter = ctx.reporter();
    if (found.isEmpty()) {
      reporter.error(ctx.type(), config, Diagnostic.NO_OPTIMIZER, ctx.type().getSimpleName());
      return null;
    }
    int before = reporter.errorCount();
    for (AnnotationMirror extra : found.subList(1, found.size())) {
      reporter.error(ctx.type(), extra, Diagnostic.OPTIMIZER_TWICE, simpleName(found.get(0)),
          simpleName(extra));
    }
    Attr<Integer> accumulation = ctx.attr(config, "accumulationSteps", Integer.class);
    if (accumulation.value() < 1) {
      reporter.error(accumulation, Diagnostic.ACCUMULATION_STEPS, accumulation.value());
    }
    if (reporter.errorCount() != before) {
      return null;
    }
    AnnotationMirror m = found.get(0);
    int k = accumulation.value();
    return switch (qualifiedName(m)) {
      case DslNames.ADAM -> adam(ctx, m, false, k);
      case DslNames.ADAM_W -> adam(ctx, m, true, k);
      case DslNames.RMS_PROP -> rmsProp(ctx, m, k);
      default -> sgd(ctx, m, k);
    };
  }

  private static String qualifiedName(AnnotationMirror m) {
    return ((TypeElement) m.getAnnotationType().asElement()).getQualifiedName().toString();
  }

  private static String simpleName(AnnotationMirror m) {
    return m.getAnnotationType().asElement().getSimpleName().toString();
  }

  private static OptimizerSpec sgd(RuleContext ctx, AnnotationMirror m, int k) {
    Reporter reporter = ctx.reporter();
    int before = reporter.errorCount();
    double lr = learningRate(ctx, m, "Sgd");
    double momentum = momentum(ctx, m, "Sgd");
    Attr<Double> dampening = ctx.attr(m, "dampening", Double.class);
    if (!(dampening.value() >= 0 && dampening.value() <= 1)) {
      reporter.error(dampening, Diagnostic.DAMPENING_RANGE, dampening.value());
    }
    Attr<Boolean> nesterov = ctx.attr(m, "nesterov", Boolean.class);
    if (nesterov.value() && (momentum <= 0 || dampening.value() != 0)) {
      reporter.error(nesterov, Diagnostic.NESTEROV_WITHOUT_MOMENTUM, momentum, dampening.value());
    }
    return reporter.errorCount() != before ? null
        : new OptimizerSpec.Sgd(lr, momentum, dampening.value(), nesterov.value(), k);
  }

  private static OptimizerSpec adam(RuleContext ctx, AnnotationMirror m, boolean decoupled,
      int k) {
    Reporter reporter = ctx.reporter();
    int before = reporter.errorCount();
    String name = decoupled ? "AdamW" : "Adam";
    double lr = learningRate(ctx, m, name);
    double beta1 = beta(ctx, m, name, "beta1");
    double beta2 = beta(ctx, m, name, "beta2");
    double epsilon = epsilon(ctx, m, name);
    boolean amsgrad = ctx.attr(m, "amsgrad", Boolean.class).value();
    return reporter.errorCount() != before ? null
        : new OptimizerSpec.Adam(lr, beta1, beta2, epsilon, amsgrad, decoupled, k);
  }

  private static OptimizerSpec rmsProp(RuleContext ctx, AnnotationMirror m, int k) {
    Reporter reporter = ctx.reporter();
    int before = reporter.errorCount();
    double lr = learningRate(ctx, m, "RmsProp");
    Attr<Double> alpha = ctx.attr(m, "alpha", Double.class);
    if (!(alpha.value() >= 0 && alpha.value() < 1)) {
      reporter.error(alpha, Diagnostic.RMSPROP_ALPHA, alpha.value());
    }
    double epsilon = epsilon(ctx, m, "RmsProp");
    double momentum = momentum(ctx, m, "RmsProp");
    boolean centered = ctx.attr(m, "centered", Boolean.class).value();
    return reporter.errorCount() != before ? null
        : new OptimizerSpec.RmsProp(lr, alpha.value(), epsilon, momentum, centered, k);
  }

  /**
   * The optimizer's checked rate. Beside {@code @OneCycle} it may be left out (the cycle's peak
   * stands in for it) and, where written and different from the peak, is a warning: the cycle
   * ignores it. Elsewhere it is required ({@code @Sgd} has no default).
   */
  private static double learningRate(RuleContext ctx, AnnotationMirror m, String name) {
    Attr<Double> lr = ctx.attr(m, "learningRate", Double.class);
    AnnotationMirror cycle = ctx.find(DslNames.ONE_CYCLE).orElse(null);
    if (cycle != null) {
      Attr<Double> peak = ctx.attr(cycle, "maxLearningRate", Double.class);
      if (lr.written() == null) {
        // @Sgd's "not given" (NaN) takes the peak; Adam's and RMSprop's defaults stay, as before
        return Double.isNaN(lr.value()) ? peak.value() : lr.value();
      }
      SuppressWarnings off = ctx.type().getAnnotation(SuppressWarnings.class);
      if (lr.value().doubleValue() != peak.value().doubleValue() && (off == null
          || !java.util.List.of(off.value()).contains(Diagnostic.ONE_CYCLE_RATE.tag()))) {
        ctx.reporter().warning(lr, Diagnostic.ONE_CYCLE_RATE, name, lr.value(), peak.value());
      }
    } else if (lr.written() == null && Double.isNaN(lr.value())) {
      ctx.reporter().error(ctx.type(), m, Diagnostic.NO_LEARNING_RATE, name,
          ctx.type().getSimpleName(), name);
      return lr.value();
    }
    if (!(lr.value() > 0 && Double.isFinite(lr.value()))) {
      ctx.reporter().error(lr, Diagnostic.LEARNING_RATE_NOT_POSITIVE, name, lr.value());
    }
    return lr.value();
  }

  private static double momentum(RuleContext ctx, AnnotationMirror m, String name) {
    Attr<Double> momentum = ctx.attr(m, "momentum", Double.class);
    if (!(momentum.value() >= 0 && momentum.value() < 1)) {
      ctx.reporter().error(momentum, Diagnostic.MOMENTUM_NEGATIVE, name, momentum.value());
    }
    return momentum.value();
  }

  private static double beta(RuleContext ctx, AnnotationMirror m, String name, String member) {
    Attr<Double> beta = ctx.attr(m, member, Double.class);
    if (!(beta.value() >= 0 && beta.value() < 1)) {
      ctx.reporter().error(beta, Diagnostic.BETA_RANGE, name, member, beta.value());
    }
    return beta.value();
  }

  private static double epsilon(RuleContext ctx, AnnotationMirror m, String name) {
    Attr<Double> epsilon = ctx.attr(m, "epsilon", Double.class);
    if (!(epsilon.value() > 0 && Double.isFinite(epsilon.value()))) {
      ctx.reporter().error(epsilon, Diagnostic.OPTIMIZER_EPSILON, name, epsilon.value());
    }
    return epsilon.value();
  }
}
