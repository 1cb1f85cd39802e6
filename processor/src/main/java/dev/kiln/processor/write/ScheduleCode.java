package dev.kiln.processor.write;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import dev.kiln.processor.model.ScheduleSpec;
import dev.kiln.processor.model.Specs.TrainingSpec;
import java.util.stream.Collectors;
import javax.lang.model.element.Modifier;

/**
 * Generated code for the learning-rate schedule: the trainer's {@code newSchedule} (the
 * schedule's one expression, which the runtime's {@code AbstractTrainer} calls to build, rebuild
 * and plan it), and what a step does first: read the rate (and, for {@code OneCycle}, set the
 * momentum) before anything changes. Everything else about schedules (base rate, planned run,
 * checkpoint state) is the same in every trainer and lives in {@code AbstractTrainer}.
 */
final class ScheduleCode {
  private ScheduleCode() {}

  /** The base rate the schedule scales: the optimizer's, or OneCycle's peak. */
  static double baseRate(TrainingSpec spec) {
    return spec.schedule() instanceof ScheduleSpec.OneCycle c ? c.maxLearningRate()
        : spec.optimizer().learningRate();
  }

  /** {@code newSchedule(base, totalSteps, stepsPerEpoch)}: the schedule's one expression. */
  static MethodSpec factory(ScheduleSpec spec) {
    boolean plan = spec.needsPlan();
    MethodSpec.Builder m = MethodSpec.methodBuilder("newSchedule")
        .addAnnotation(Override.class).addModifiers(Modifier.PROTECTED)
        .returns(RuntimeNames.SCHEDULE)
        .addParameter(double.class, "base").addParameter(long.class, "totalSteps")
        .addParameter(int.class, "stepsPerEpoch")
        .addJavadoc("The schedule ($L) from the base rate$L.\n", describe(spec),
            plan ? " for a run of {@code totalSteps} steps,\n{@code stepsPerEpoch} per epoch;"
                + " before the run is planned ({@code totalSteps < 0}) a stand-in\nthat throws"
                : " (it does not depend on the run's length)");
    if (plan) {
      m.beginControlFlow("if (totalSteps < 0)")
          .addStatement("return $T.unplanned()", RuntimeNames.SCHEDULES)
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
    step.addStatement("double rate = schedule().rate(iteration)");
    if (spec instanceof ScheduleSpec.OneCycle c && c.cycleMomentum()) {
      step.addStatement("optimizer.setMomentum(schedule().momentum(iteration))");
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
      inner = CodeBlock.of("new $T(base,$W$L,$W$L)", RuntimeNames.STEP_DECAY_SCHEDULE, s.stepSize(),
          Literals.of(s.gamma()));
      perEpoch = s.perEpoch();
    } else if (spec instanceof ScheduleSpec.MultiStepDecay s) {
      inner = CodeBlock.of("new $T(base,$Wnew long[] {$L},$W$L)", RuntimeNames.MULTI_STEP_DECAY_SCHEDULE,
          s.milestones().stream().map(String::valueOf).collect(Collectors.joining(", ")),
          Literals.of(s.gamma()));
      perEpoch = s.perEpoch();
    } else if (spec instanceof ScheduleSpec.Exponential s) {
      inner = CodeBlock.of("new $T(base,$W$L)", RuntimeNames.EXPONENTIAL_DECAY_SCHEDULE,
          Literals.of(s.gamma()));
      perEpoch = s.perEpoch();
    } else if (spec instanceof ScheduleSpec.Linear s) {
      inner = CodeBlock.of("new $T(base,$W$L,$W$L,$W$L)", RuntimeNames.LINEAR_DECAY_SCHEDULE,
          Literals.of(s.startFactor()), Literals.of(s.endFactor()),
          length(s.steps(), warmupSteps, s.perEpoch()));
      perEpoch = s.perEpoch();
    } else if (spec instanceof ScheduleSpec.Polynomial s) {
      inner = CodeBlock.of("new $T(base,$W$L,$W$L)", RuntimeNames.POLYNOMIAL_DECAY_SCHEDULE,
          length(s.steps(), warmupSteps, s.perEpoch()), Literals.of(s.power()));
      perEpoch = s.perEpoch();
    } else if (spec instanceof ScheduleSpec.Cosine s) {
      inner = CodeBlock.of("new $T(base,$W$L,$W$L,$W$L)", RuntimeNames.COSINE_DECAY_SCHEDULE,
          length(s.steps(), warmupSteps, s.perEpoch()), Literals.of(s.minimum()), s.periodic());
      perEpoch = s.perEpoch();
    } else if (spec instanceof ScheduleSpec.CosineRestarts s) {
      inner = CodeBlock.of("new $T(base,$W$L,$W$L,$W$L)", RuntimeNames.COSINE_RESTARTS_SCHEDULE,
          s.firstCycle(), s.cycleMultiplier(), Literals.of(s.minimum()));
      perEpoch = s.perEpoch();
    } else if (spec instanceof ScheduleSpec.OneCycle s) {
      ClassName oneCycle = RuntimeNames.ONE_CYCLE_SCHEDULE;
      inner = CodeBlock.of("new $T(base,$W$L,$W$L,$W$T.$L,$W$L,$W$L,$W$L,$W$L,$W$L)", oneCycle,
          s.totalSteps() == ScheduleSpec.AUTO ? "totalSteps" : s.totalSteps(),
          Literals.of(s.pctStart()), oneCycle.nestedClass("Annealing"),
          s.linear() ? "LINEAR" : "COSINE", Literals.of(s.divFactor()),
          Literals.of(s.finalDivFactor()), s.cycleMomentum(), Literals.of(s.baseMomentum()),
          Literals.of(s.maxMomentum()));
    } else if (spec instanceof ScheduleSpec.Plateau s) {
      inner = CodeBlock.of("new $T(base,$W$L,$W$L,$W$L,$W$L,$W$L,$W$L,$W$L)",
          RuntimeNames.REDUCE_ON_PLATEAU_SCHEDULE, Literals.of(s.factor()), s.patience(),
          Literals.of(s.threshold()), s.relative(), s.cooldown(), Literals.of(s.minimum()),
          s.maximize());
    } else if (spec instanceof ScheduleSpec.Warmup w) {
      String steps = w.perEpoch() ? w.steps() + "L * stepsPerEpoch" : String.valueOf(w.steps());
      return CodeBlock.of("new $T(base,$W$L,$W$L,$W$L,$W$L,$W$L)", RuntimeNames.WARMUP_SCHEDULE,
          w.steps(), w.perEpoch() ? "stepsPerEpoch" : "1", Literals.of(w.startFactor()),
          w.constant(), expression(w.after(), steps));
    } else {
      inner = CodeBlock.of("$T.constant(base)", RuntimeNames.SCHEDULE);
    }
    return perEpoch ? CodeBlock.of("new $T($L,$WstepsPerEpoch)", RuntimeNames.PER_EPOCH_SCHEDULE, inner)
        : inner;
  }

  /** A length: the literal, or for AUTO the rest of the run after {@code warmupSteps}. */
  private static CodeBlock length(int steps, String warmupSteps, boolean perEpoch) {
    return steps == ScheduleSpec.AUTO
        ? CodeBlock.of("$T.autoLength(totalSteps,$WstepsPerEpoch,$W$L,$W$L)", RuntimeNames.SCHEDULES,
            warmupSteps, perEpoch)
        : CodeBlock.of("$L", steps);
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
