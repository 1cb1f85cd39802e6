package dev.kiln.processor.validate;

import dev.kiln.processor.model.ScheduleSpec;
import dev.kiln.processor.read.Attr;
import dev.kiln.processor.read.DslNames;
import javax.lang.model.element.AnnotationMirror;

/** Reads and checks the learning-rate schedule annotations of a training configuration. */
final class ScheduleRules {
  private ScheduleRules() {}

  /**
   * The schedule, or null after reporting an error.
   *
   * @param baseRate the optimizer's learning rate, NaN if the optimizer is invalid
   */
  static ScheduleSpec check(RuleContext ctx, double baseRate) {
    AnnotationMirror cosine = ctx.find(DslNames.COSINE_DECAY).orElse(null);
    if (cosine == null) {
      return new ScheduleSpec.Constant();
    }
    Reporter reporter = ctx.reporter();
    int before = reporter.errorCount();
    Attr<Integer> steps = ctx.attr(cosine, "steps", Integer.class);
    if (steps.value() < 1) {
      reporter.error(steps, Diagnostic.COSINE_STEPS_NOT_POSITIVE, steps.value());
    }
    Attr<Double> minimum = ctx.attr(cosine, "minimum", Double.class);
    if (!(minimum.value() >= 0) || (!Double.isNaN(baseRate) && !(minimum.value() < baseRate))) {
      reporter.error(minimum, Diagnostic.COSINE_MINIMUM_RANGE, minimum.value(), baseRate);
    }
    boolean periodic = ctx.attr(cosine, "periodic", Boolean.class).value();
    return reporter.errorCount() != before ? null
        : new ScheduleSpec.Cosine(steps.value(), minimum.value(), periodic);
  }
}
