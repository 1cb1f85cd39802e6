package dev.kiln.processor.write;

import com.palantir.javapoet.CodeBlock;
import dev.kiln.processor.model.ScheduleSpec;

/** Generated code for the learning-rate schedule. */
final class ScheduleCode {
  private ScheduleCode() {}

  /** An expression building the schedule from the base rate {@code baseRate}. */
  static CodeBlock initializer(ScheduleSpec spec, double baseRate) {
    if (spec instanceof ScheduleSpec.Cosine c) {
      return CodeBlock.of("new $T($L, $L, $L, $L)", RuntimeNames.COSINE_DECAY_SCHEDULE,
          Literals.of(baseRate), c.steps(), Literals.of(c.minimum()), c.periodic());
    }
    return CodeBlock.of("$T.constant($L)", RuntimeNames.SCHEDULE, Literals.of(baseRate));
  }

  /** One javadoc line describing the schedule. */
  static String describe(ScheduleSpec spec) {
    if (spec instanceof ScheduleSpec.Cosine c) {
      return "cosine decay over " + c.steps() + " steps to " + c.minimum()
          + (c.periodic() ? ", periodic" : "");
    }
    return "constant";
  }
}
