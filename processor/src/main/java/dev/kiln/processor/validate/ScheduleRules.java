package dev.kiln.processor.validate;

import dev.kiln.processor.model.OptimizerSpec;
import dev.kiln.processor.model.ScheduleSpec;
import dev.kiln.processor.read.Attr;
import dev.kiln.processor.read.DslNames;
import java.util.ArrayList;
import java.util.List;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.TypeElement;

/**
 * Reads and checks the learning-rate schedule annotations of a training configuration: at most
 * one decay schedule (in declaration order, every further one is an error on itself), an optional
 * {@code @Warmup} before it, and every member in its range, each error on the member written.
 */
final class ScheduleRules {
  private ScheduleRules() {}

  /** The decay schedules, of which a configuration takes at most one. */
  private static final List<String> DECAYS = List.of(DslNames.STEP_DECAY,
      DslNames.MULTI_STEP_DECAY, DslNames.EXPONENTIAL_DECAY, DslNames.LINEAR_DECAY,
      DslNames.POLYNOMIAL_DECAY, DslNames.COSINE_DECAY, DslNames.COSINE_RESTARTS,
      DslNames.ONE_CYCLE, DslNames.REDUCE_ON_PLATEAU);

  /**
   * The schedule, or null after reporting an error.
   *
   * @param optimizer the checked optimizer, null if it is invalid (its rate is then unknown and
   *     the checks against it are skipped)
   */
  static ScheduleSpec check(RuleContext ctx, OptimizerSpec optimizer) {
    Reporter reporter = ctx.reporter();
    int before = reporter.errorCount();
    double baseRate = optimizer == null ? Double.NaN : optimizer.learningRate();
    AnnotationMirror first = null;
    ScheduleSpec decay = new ScheduleSpec.Constant();
    for (AnnotationMirror m : ctx.type().getAnnotationMirrors()) {
      String name = name(m);
      if (!DECAYS.contains(name)) {
        continue;
      }
      if (first != null) {
        reporter.error(ctx.type(), m, Diagnostic.SCHEDULE_CONFLICT, simpleName(m),
            simpleName(first));
        continue;
      }
      first = m;
      decay = decay(new Members(ctx, m), name, baseRate, optimizer);
    }
    ScheduleSpec spec = decay;
    AnnotationMirror warmup = ctx.find(DslNames.WARMUP).orElse(null);
    if (warmup != null) {
      if (first != null && name(first).equals(DslNames.ONE_CYCLE)) {
        reporter.error(ctx.type(), warmup, Diagnostic.WARMUP_WITH_ONE_CYCLE);
      }
      spec = warmup(new Members(ctx, warmup), decay);
    }
    return reporter.errorCount() != before ? null : spec;
  }

  private static ScheduleSpec decay(Members m, String name, double baseRate,
      OptimizerSpec optimizer) {
    return switch (name.substring(DslNames.PACKAGE.length() + 1)) {
      case "StepDecay" -> {
        boolean perEpoch = m.perEpoch();
        yield new ScheduleSpec.StepDecay(m.length("stepSize", false, perEpoch), m.gamma(),
            perEpoch);
      }
      case "MultiStepDecay" -> new ScheduleSpec.MultiStepDecay(milestones(m), m.gamma(),
          m.perEpoch());
      case "ExponentialDecay" -> new ScheduleSpec.Exponential(m.gamma(), m.perEpoch());
      case "LinearDecay" -> {
        boolean perEpoch = m.perEpoch();
        yield new ScheduleSpec.Linear(m.factor("startFactor", false), m.factor("endFactor", false),
            m.length("steps", true, perEpoch), perEpoch);
      }
      case "PolynomialDecay" -> {
        boolean perEpoch = m.perEpoch();
        int steps = m.length("steps", true, perEpoch);
        Attr<Double> power = m.real("power");
        if (!(power.value() > 0 && Double.isFinite(power.value()))) {
          m.error(power, Diagnostic.POLYNOMIAL_POWER, power.value());
        }
        yield new ScheduleSpec.Polynomial(steps, power.value(), perEpoch);
      }
      case "CosineDecay" -> {
        boolean perEpoch = m.perEpoch();
        yield new ScheduleSpec.Cosine(m.length("steps", true, perEpoch), m.minimum(baseRate),
            m.ctx.attr(m.mirror, "periodic", Boolean.class).value(), perEpoch);
      }
      case "CosineRestarts" -> {
        boolean perEpoch = m.perEpoch();
        int firstCycle = m.length("firstCycle", false, perEpoch);
        Attr<Integer> multiplier = m.integer("cycleMultiplier");
        if (multiplier.value() < 1) {
          m.error(multiplier, Diagnostic.CYCLE_MULTIPLIER, multiplier.value());
        }
        yield new ScheduleSpec.CosineRestarts(firstCycle, multiplier.value(), m.minimum(baseRate),
            perEpoch);
      }
      case "OneCycle" -> OneCycleRules.check(m, optimizer);
      default -> plateau(m, baseRate);
    };
  }

  private static List<Integer> milestones(Members m) {
    @SuppressWarnings("unchecked")
    Attr<List<? extends AnnotationValue>> attr =
        (Attr<List<? extends AnnotationValue>>) (Attr<?>) m.ctx.attr(m.mirror, "milestones",
            List.class);
    List<Integer> values = new ArrayList<>();
    for (AnnotationValue v : attr.value()) {
      values.add((Integer) v.getValue());
    }
    if (values.isEmpty() || values.stream().anyMatch(v -> v < 1)) {
      m.error(attr, Diagnostic.MILESTONES_RANGE, values);
    } else {
      for (int i = 1; i < values.size(); i++) {
        if (values.get(i) <= values.get(i - 1)) {
          m.error(attr, Diagnostic.MILESTONES_ORDER, values, values.get(i), values.get(i - 1));
          break;
        }
      }
    }
    return values;
  }

  private static ScheduleSpec plateau(Members m, double baseRate) {
    Attr<Double> factor = m.real("factor");
    if (!(factor.value() > 0 && factor.value() < 1)) {
      m.error(factor, Diagnostic.PLATEAU_FACTOR, factor.value());
    }
    Attr<Integer> patience = m.integer("patience");
    if (patience.value() < 0) {
      m.error(patience, Diagnostic.PLATEAU_EPOCHS, "patience", patience.value());
    }
    Attr<Double> threshold = m.real("threshold");
    if (!(threshold.value() >= 0 && Double.isFinite(threshold.value()))) {
      m.error(threshold, Diagnostic.PLATEAU_THRESHOLD, threshold.value());
    }
    Attr<Integer> cooldown = m.integer("cooldown");
    if (cooldown.value() < 0) {
      m.error(cooldown, Diagnostic.PLATEAU_EPOCHS, "cooldown", cooldown.value());
    }
    double minimum = m.minimum(baseRate);
    boolean relative = DslEnums.is(m.ctx.reporter(),
        m.ctx.attr(m.mirror, "thresholdMode", String.class), "thresholdMode", "RELATIVE",
        "ABSOLUTE");
    boolean maximize = DslEnums.is(m.ctx.reporter(), m.ctx.attr(m.mirror, "mode", String.class),
        "mode", "MAX", "MIN");
    return new ScheduleSpec.Plateau(factor.value(), patience.value(), threshold.value(), relative,
        cooldown.value(), minimum, maximize);
  }

  private static ScheduleSpec warmup(Members m, ScheduleSpec after) {
    boolean perEpoch = m.perEpoch();
    int steps = m.length("steps", false, perEpoch);
    double startFactor = m.factor("startFactor", true);
    boolean constant = DslEnums.is(m.ctx.reporter(), m.ctx.attr(m.mirror, "shape", String.class),
        "shape", "CONSTANT", "LINEAR");
    return new ScheduleSpec.Warmup(steps, startFactor, constant, perEpoch, after);
  }

  static String name(AnnotationMirror m) {
    return ((TypeElement) m.getAnnotationType().asElement()).getQualifiedName().toString();
  }

  static String simpleName(AnnotationMirror m) {
    return m.getAnnotationType().asElement().getSimpleName().toString();
  }

  /** Reads one schedule annotation's members, with the checks they share. */
  static final class Members {
    final RuleContext ctx;
    final AnnotationMirror mirror;
    final String annotation;

    Members(RuleContext ctx, AnnotationMirror mirror) {
      this.ctx = ctx;
      this.mirror = mirror;
      this.annotation = simpleName(mirror);
    }

    Attr<Double> real(String member) {
      return ctx.attr(mirror, member, Double.class);
    }

    Attr<Integer> integer(String member) {
      return ctx.attr(mirror, member, Integer.class);
    }

    void error(Attr<?> at, Diagnostic diagnostic, Object... args) {
      ctx.reporter().error(at, diagnostic, args);
    }

    boolean perEpoch() {
      return DslEnums.is(ctx.reporter(), ctx.attr(mirror, "unit", String.class), "unit", "EPOCH",
          "STEP");
    }

    /** A length: at least 1, or (where {@code auto}) AUTO. */
    int length(String member, boolean auto, boolean perEpoch) {
      Attr<Integer> length = integer(member);
      if (length.value() < 1 && !(auto && length.value() == ScheduleSpec.AUTO)) {
        error(length, Diagnostic.SCHEDULE_LENGTH, annotation, member, length.value(),
            perEpoch ? "epoch" : "step", auto ? ", or Steps.AUTO (leave it out) for the rest of"
                + " the run" : "");
      }
      return length.value();
    }

    /** {@code gamma} in (0, 1]. */
    double gamma() {
      Attr<Double> gamma = real("gamma");
      if (!(gamma.value() > 0 && gamma.value() <= 1)) {
        error(gamma, Diagnostic.SCHEDULE_GAMMA, annotation, gamma.value());
      }
      return gamma.value();
    }

    /** A factor of the base rate: finite and at least 0, and with {@code atMostOne} at most 1. */
    double factor(String member, boolean atMostOne) {
      Attr<Double> factor = real(member);
      double v = factor.value();
      if (!(v >= 0 && Double.isFinite(v) && (!atMostOne || v <= 1))) {
        error(factor, Diagnostic.SCHEDULE_FACTOR, annotation, member, v,
            atMostOne ? "in [0, 1]" : "finite and at least 0");
      }
      return v;
    }

    /** {@code minimum}: at least 0 and below the base rate (when known). */
    double minimum(double baseRate) {
      Attr<Double> minimum = real("minimum");
      double v = minimum.value();
      if (!(v >= 0) || (!Double.isNaN(baseRate) && !(v < baseRate))) {
        error(minimum, Diagnostic.SCHEDULE_MINIMUM, annotation, v, baseRate);
      }
      return v;
    }
  }
}
