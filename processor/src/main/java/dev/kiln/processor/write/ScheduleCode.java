package dev.kiln.processor.write;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeSpec;
import dev.kiln.processor.model.ScheduleSpec;
import java.util.stream.Collectors;
import javax.lang.model.element.Modifier;

/**
 * Generated code for the learning-rate schedule: the {@code baseLearningRate} and {@code schedule}
 * fields (plus the planned run length where the schedule needs it), a static {@code newSchedule}
 * factory holding the schedule's expression once, {@code learningRate()}, {@code schedule()},
 * {@code scheduleFor}, {@code setBaseLearningRate}, and where needed {@code planRun} (an {@code
 * AUTO} length or epoch units) and {@code endEpoch} ({@code ReduceOnPlateau}); and what a step
 * does first: read the rate (and, for {@code OneCycle}, set the momentum) before anything changes.
 */
final class ScheduleCode {
  private ScheduleCode() {}

  private static final String SCHEDULE_PACKAGE = "dev.kiln.runtime.schedule";
  private static final ClassName SCHEDULES = ClassName.get(SCHEDULE_PACKAGE, "Schedules");

  private static ClassName runtime(String simpleName) {
    return ClassName.get(SCHEDULE_PACKAGE, simpleName);
  }

  /** Adds the schedule's fields and methods to the trainer. */
  static void addMembers(TypeSpec.Builder type, ScheduleSpec spec, double optimizerRate) {
    boolean plan = spec.needsPlan();
    double base = spec instanceof ScheduleSpec.OneCycle c ? c.maxLearningRate() : optimizerRate;
    type.addField(FieldSpec.builder(double.class, "baseLearningRate", Modifier.PRIVATE)
        .initializer("$L", Literals.of(base))
        .addJavadoc(spec instanceof ScheduleSpec.OneCycle
            ? "The peak rate {@code maxLearningRate} of the cycle (the optimizer's own rate is not"
                + " used).\n" : "The base rate {@code lr0} the schedule scales.\n").build());
    if (plan) {
      type.addField(FieldSpec.builder(long.class, "plannedSteps", Modifier.PRIVATE)
          .initializer("-1")
          .addJavadoc("Optimizer steps of the planned run; -1 until {@link #planRun}.\n").build());
      type.addField(FieldSpec.builder(int.class, "plannedStepsPerEpoch", Modifier.PRIVATE)
          .addJavadoc("Optimizer steps per epoch of the planned run.\n").build());
    }
    type.addField(FieldSpec.builder(RuntimeNames.SCHEDULE, "schedule", Modifier.PRIVATE)
        .initializer(plan ? "newSchedule(baseLearningRate, -1, 0)"
            : "newSchedule(baseLearningRate)")
        .addJavadoc("The rate (and momentum) per step: $L.\n", describe(spec)).build());
    String args = plan ? "baseLearningRate, plannedSteps, plannedStepsPerEpoch"
        : "baseLearningRate";
    type.addMethod(factory(spec, plan));
    type.addMethod(MethodSpec.methodBuilder("learningRate").addAnnotation(Override.class)
        .addModifiers(Modifier.PUBLIC).returns(double.class)
        .addJavadoc("The learning rate the next {@code step} will use.\n"
            + (plan ? "\n@throws IllegalStateException before the run is planned ({@link"
                + " #planRun}, which {@code fit} calls)\n" : ""))
        .addStatement("return schedule.rate(iteration)").build());
    type.addMethod(MethodSpec.methodBuilder("schedule").addAnnotation(Override.class)
        .addModifiers(Modifier.PUBLIC).returns(RuntimeNames.SCHEDULE)
        .addJavadoc("The live schedule; reading its rates changes nothing.\n")
        .addStatement("return schedule").build());
    type.addMethod(MethodSpec.methodBuilder("scheduleFor").addAnnotation(Override.class)
        .addModifiers(Modifier.PUBLIC).returns(RuntimeNames.SCHEDULE)
        .addParameter(long.class, "totalSteps").addParameter(int.class, "stepsPerEpoch")
        .addJavadoc("A new schedule for a run of {@code totalSteps} steps with {@code"
            + " stepsPerEpoch} per epoch, from the\ncurrent base rate; this trainer is not"
            + " changed.\n\n@throws IllegalArgumentException unless both counts are at least 1\n")
        .addStatement("$T.checkPlan(totalSteps, stepsPerEpoch)", SCHEDULES)
        .addStatement(plan ? "return newSchedule(baseLearningRate, totalSteps, stepsPerEpoch)"
            : "return newSchedule(baseLearningRate)").build());
    type.addMethod(MethodSpec.methodBuilder("setBaseLearningRate").addAnnotation(Override.class)
        .addModifiers(Modifier.PUBLIC).addParameter(double.class, "learningRate")
        .addJavadoc("Replaces the base learning rate$L; the schedule scales the new base$L.\n\n"
            + "@throws IllegalArgumentException unless positive and finite\n",
            spec instanceof ScheduleSpec.OneCycle ? " (here the cycle's peak rate)" : "",
            hasPlateau(spec) ? " and\nstarts over" : "")
        .beginControlFlow("if (!(learningRate > 0 && $T.isFinite(learningRate)))", Double.class)
        .addStatement("throw new $T($S + learningRate)", IllegalArgumentException.class,
            "learning rate must be positive and finite, got ")
        .endControlFlow()
        .addStatement("baseLearningRate = learningRate")
        .addStatement("schedule = newSchedule($L)", args).build());
    if (plan) {
      type.addMethod(MethodSpec.methodBuilder("planRun").addAnnotation(Override.class)
          .addModifiers(Modifier.PUBLIC).addParameter(long.class, "totalSteps")
          .addParameter(int.class, "stepsPerEpoch")
          .addJavadoc("Builds the schedule for a run of {@code totalSteps} optimizer steps, {@code"
              + " stepsPerEpoch} per epoch\n(called by {@code fit} before its first step).\n\n"
              + "@throws IllegalArgumentException unless both counts are at least 1, or if the"
              + " run is too short\n    for the schedule\n")
          .addStatement("$T next = newSchedule(baseLearningRate, totalSteps, stepsPerEpoch)",
              RuntimeNames.SCHEDULE)
          .addStatement("plannedSteps = totalSteps")
          .addStatement("plannedStepsPerEpoch = stepsPerEpoch")
          .addStatement("schedule = $T.replan(schedule, next)", SCHEDULES).build());
    }
    if (hasPlateau(spec)) {
      type.addMethod(MethodSpec.methodBuilder("endEpoch").addAnnotation(Override.class)
          .addModifiers(Modifier.PUBLIC).addParameter(int.class, "epoch")
          .addParameter(double.class, "validationLoss")
          .addJavadoc("Lets {@code ReduceOnPlateau} see the epoch's validation loss (NaN: none,"
              + " ignored).\n")
          .addStatement("schedule.endEpoch(iteration, validationLoss)").build());
    }
  }

  /** {@code newSchedule(base[, totalSteps, stepsPerEpoch])}: the schedule's one expression. */
  private static MethodSpec factory(ScheduleSpec spec, boolean plan) {
    MethodSpec.Builder m = MethodSpec.methodBuilder("newSchedule")
        .addModifiers(Modifier.PRIVATE, Modifier.STATIC).returns(RuntimeNames.SCHEDULE)
        .addParameter(double.class, "base")
        .addJavadoc("The schedule ($L) from the base rate$L.\n", describe(spec),
            plan ? " for a run of {@code totalSteps} steps,\n{@code stepsPerEpoch} per epoch;"
                + " before the run is planned ({@code totalSteps < 0}) a stand-in\nthat throws"
                : "");
    if (plan) {
      m.addParameter(long.class, "totalSteps").addParameter(int.class, "stepsPerEpoch")
          .beginControlFlow("if (totalSteps < 0)")
          .addStatement("return $T.unplanned()", SCHEDULES)
          .endControlFlow();
    }
    return m.addStatement("return $L", expression(spec, "0")).build();
  }

  /** The rate expression a step passes to the optimizer: the local read by {@link #beforeStep}. */
  static CodeBlock rateForStep() {
    return CodeBlock.of("rate");
  }

  /**
   * Statements at the start of a step, before any state changes: the rate for this step (which
   * throws for an unplanned {@code AUTO} schedule) and, for {@code OneCycle} with {@code
   * cycleMomentum}, the momentum the update will use.
   */
  static void beforeStep(MethodSpec.Builder step, ScheduleSpec spec) {
    step.addStatement("double rate = schedule.rate(iteration)");
    if (spec instanceof ScheduleSpec.OneCycle c && c.cycleMomentum()) {
      step.addStatement("optimizer.setMomentum(schedule.momentum(iteration))");
    }
  }

  /**
   * The schedule's expression over {@code base}, {@code totalSteps} and {@code stepsPerEpoch};
   * {@code warmupSteps} is the code for the steps a warm-up before it takes.
   */
  private static CodeBlock expression(ScheduleSpec spec, String warmupSteps) {
    CodeBlock inner;
    boolean perEpoch = false;
    if (spec instanceof ScheduleSpec.StepDecay s) {
      inner = CodeBlock.of("new $T(base,$W$L,$W$L)", runtime("StepDecaySchedule"), s.stepSize(),
          Literals.of(s.gamma()));
      perEpoch = s.perEpoch();
    } else if (spec instanceof ScheduleSpec.MultiStepDecay s) {
      inner = CodeBlock.of("new $T(base,$Wnew long[] {$L},$W$L)", runtime("MultiStepDecaySchedule"),
          s.milestones().stream().map(String::valueOf).collect(Collectors.joining(", ")),
          Literals.of(s.gamma()));
      perEpoch = s.perEpoch();
    } else if (spec instanceof ScheduleSpec.Exponential s) {
      inner = CodeBlock.of("new $T(base,$W$L)", runtime("ExponentialDecaySchedule"),
          Literals.of(s.gamma()));
      perEpoch = s.perEpoch();
    } else if (spec instanceof ScheduleSpec.Linear s) {
      inner = CodeBlock.of("new $T(base,$W$L,$W$L,$W$L)", runtime("LinearDecaySchedule"),
          Literals.of(s.startFactor()), Literals.of(s.endFactor()),
          length(s.steps(), warmupSteps, s.perEpoch()));
      perEpoch = s.perEpoch();
    } else if (spec instanceof ScheduleSpec.Polynomial s) {
      inner = CodeBlock.of("new $T(base,$W$L,$W$L)", runtime("PolynomialDecaySchedule"),
          length(s.steps(), warmupSteps, s.perEpoch()), Literals.of(s.power()));
      perEpoch = s.perEpoch();
    } else if (spec instanceof ScheduleSpec.Cosine s) {
      inner = CodeBlock.of("new $T(base,$W$L,$W$L,$W$L)", RuntimeNames.COSINE_DECAY_SCHEDULE,
          length(s.steps(), warmupSteps, s.perEpoch()), Literals.of(s.minimum()), s.periodic());
      perEpoch = s.perEpoch();
    } else if (spec instanceof ScheduleSpec.CosineRestarts s) {
      inner = CodeBlock.of("new $T(base,$W$L,$W$L,$W$L)", runtime("CosineRestartsSchedule"),
          s.firstCycle(), s.cycleMultiplier(), Literals.of(s.minimum()));
      perEpoch = s.perEpoch();
    } else if (spec instanceof ScheduleSpec.OneCycle s) {
      ClassName oneCycle = runtime("OneCycleSchedule");
      inner = CodeBlock.of("new $T(base,$W$L,$W$L,$W$T.$L,$W$L,$W$L,$W$L,$W$L,$W$L)", oneCycle,
          s.totalSteps() == ScheduleSpec.AUTO ? "totalSteps" : s.totalSteps(),
          Literals.of(s.pctStart()), oneCycle.nestedClass("Annealing"),
          s.linear() ? "LINEAR" : "COSINE", Literals.of(s.divFactor()),
          Literals.of(s.finalDivFactor()), s.cycleMomentum(), Literals.of(s.baseMomentum()),
          Literals.of(s.maxMomentum()));
    } else if (spec instanceof ScheduleSpec.Plateau s) {
      inner = CodeBlock.of("new $T(base,$W$L,$W$L,$W$L,$W$L,$W$L,$W$L,$W$L)",
          runtime("ReduceOnPlateauSchedule"), Literals.of(s.factor()), s.patience(),
          Literals.of(s.threshold()), s.relative(), s.cooldown(), Literals.of(s.minimum()),
          s.maximize());
    } else if (spec instanceof ScheduleSpec.Warmup w) {
      String steps = w.perEpoch() ? w.steps() + "L * stepsPerEpoch" : String.valueOf(w.steps());
      return CodeBlock.of("new $T(base,$W$L,$W$L,$W$L,$W$L,$W$L)", runtime("WarmupSchedule"),
          w.steps(), w.perEpoch() ? "stepsPerEpoch" : "1", Literals.of(w.startFactor()),
          w.constant(), expression(w.after(), steps));
    } else {
      inner = CodeBlock.of("$T.constant(base)", RuntimeNames.SCHEDULE);
    }
    return perEpoch ? CodeBlock.of("new $T($L,$WstepsPerEpoch)", runtime("PerEpochSchedule"), inner)
        : inner;
  }

  /** A length: the literal, or for AUTO the rest of the run after {@code warmupSteps}. */
  private static CodeBlock length(int steps, String warmupSteps, boolean perEpoch) {
    return steps == ScheduleSpec.AUTO
        ? CodeBlock.of("$T.autoLength(totalSteps,$WstepsPerEpoch,$W$L,$W$L)", SCHEDULES,
            warmupSteps, perEpoch)
        : CodeBlock.of("$L", steps);
  }

  private static boolean hasPlateau(ScheduleSpec spec) {
    return spec instanceof ScheduleSpec.Plateau
        || spec instanceof ScheduleSpec.Warmup w && w.after() instanceof ScheduleSpec.Plateau;
  }

  /** One line describing the schedule, for javadoc and messages. */
  static String describe(ScheduleSpec spec) {
    if (spec instanceof ScheduleSpec.Warmup w) {
      return (w.constant() ? "constant" : "linear") + " warm-up over " + w.steps()
          + unit(w.perEpoch()) + " from " + w.startFactor() + "·lr0, then " + describe(w.after());
    } else if (spec instanceof ScheduleSpec.StepDecay s) {
      return "step decay by " + s.gamma() + " every " + s.stepSize() + unit(s.perEpoch());
    } else if (spec instanceof ScheduleSpec.MultiStepDecay s) {
      return "decay by " + s.gamma() + " at " + s.milestones() + unit(s.perEpoch());
    } else if (spec instanceof ScheduleSpec.Exponential s) {
      return "exponential decay by " + s.gamma() + " per" + (s.perEpoch() ? " epoch" : " step");
    } else if (spec instanceof ScheduleSpec.Linear s) {
      return "linear factor " + s.startFactor() + " to " + s.endFactor() + " over "
          + length(s.steps(), s.perEpoch());
    } else if (spec instanceof ScheduleSpec.Polynomial s) {
      return "polynomial decay (power " + s.power() + ") over "
          + length(s.steps(), s.perEpoch());
    } else if (spec instanceof ScheduleSpec.Cosine s) {
      return "cosine decay over " + length(s.steps(), s.perEpoch()) + " to " + s.minimum()
          + (s.periodic() ? ", periodic" : ", then held");
    } else if (spec instanceof ScheduleSpec.CosineRestarts s) {
      return "cosine with warm restarts, first cycle " + s.firstCycle() + unit(s.perEpoch())
          + ", multiplier " + s.cycleMultiplier() + ", minimum " + s.minimum();
    } else if (spec instanceof ScheduleSpec.OneCycle s) {
      return "one cycle to " + s.maxLearningRate() + " over " + (s.totalSteps()
          == ScheduleSpec.AUTO ? "the whole run" : s.totalSteps() + " steps") + " ("
          + (s.linear() ? "linear" : "cosine") + (s.cycleMomentum()
          ? ", momentum " + s.maxMomentum() + " to " + s.baseMomentum() : "") + ")";
    } else if (spec instanceof ScheduleSpec.Plateau s) {
      return "reduce by " + s.factor() + " after " + s.patience() + " epochs without"
          + " improvement of the validation loss, minimum " + s.minimum();
    }
    return "constant";
  }

  /** A length in its unit, for descriptions. */
  private static String length(int steps, boolean perEpoch) {
    return steps == ScheduleSpec.AUTO ? "the rest of the run" + (perEpoch ? " in epochs" : "")
        : steps + unit(perEpoch);
  }

  private static String unit(boolean perEpoch) {
    return perEpoch ? " epochs" : " steps";
  }
}
