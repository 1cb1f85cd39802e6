package dev.kiln.processor.write;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeSpec;
import javax.lang.model.element.Modifier;
import dev.kiln.processor.model.ScheduleSpec;

/**
 * Generated code for the learning-rate schedule: the {@code schedule} field, the {@code
 * learningRate()}, {@code setBaseLearningRate} and (where a schedule needs them) {@code planRun}
 * and {@code endEpoch} members, and what a step does with the rate.
 */
final class ScheduleCode {
  private ScheduleCode() {}

  /** Adds the schedule's fields and methods to the trainer. */
  static void addMembers(TypeSpec.Builder type, ScheduleSpec spec, double baseRate) {
    type.addField(FieldSpec.builder(double.class, "baseLearningRate", Modifier.PRIVATE)
        .initializer("$L", Literals.of(baseRate))
        .addJavadoc("The base rate {@code lr0} the schedule scales.\n").build());
    type.addField(FieldSpec.builder(RuntimeNames.SCHEDULE, "schedule", Modifier.PRIVATE)
        .initializer(initializer(spec, "baseLearningRate")).build());
    type.addMethod(MethodSpec.methodBuilder("learningRate").addAnnotation(Override.class)
        .addModifiers(Modifier.PUBLIC).returns(double.class)
        .addJavadoc("The learning rate the next {@code step} will use.\n")
        .addStatement("return schedule.rate(iteration)").build());
    type.addMethod(MethodSpec.methodBuilder("setBaseLearningRate").addAnnotation(Override.class)
        .addModifiers(Modifier.PUBLIC).addParameter(double.class, "learningRate")
        .addJavadoc("Replaces the base learning rate; the schedule scales the new base.\n\n"
            + "@throws IllegalArgumentException unless positive and finite\n")
        .beginControlFlow("if (!(learningRate > 0 && $T.isFinite(learningRate)))", Double.class)
        .addStatement("throw new $T($S + learningRate)", IllegalArgumentException.class,
            "learning rate must be positive and finite, got ")
        .endControlFlow()
        .addStatement("baseLearningRate = learningRate")
        .addStatement("schedule = $L", initializer(spec, "baseLearningRate")).build());
  }

  /** The rate expression a step passes to the optimizer. */
  static CodeBlock rateForStep() {
    return CodeBlock.of("schedule.rate(iteration)");
  }

  /** An expression building the schedule from the base rate held in {@code baseRateField}. */
  static CodeBlock initializer(ScheduleSpec spec, String baseRateField) {
    if (spec instanceof ScheduleSpec.Cosine c) {
      return CodeBlock.of("new $T($L, $L, $L, $L)", RuntimeNames.COSINE_DECAY_SCHEDULE,
          baseRateField, c.steps(), Literals.of(c.minimum()), c.periodic());
    }
    return CodeBlock.of("$T.constant($L)", RuntimeNames.SCHEDULE, baseRateField);
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
