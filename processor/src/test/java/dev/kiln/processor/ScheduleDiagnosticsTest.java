package dev.kiln.processor;


import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One invalid schedule per rule of {@code ScheduleRules} / {@code OneCycleRules}: exactly one
 * error, with its tag, on the line of the member (or, for a default or a rule between annotations,
 * the annotation) that caused it, and nothing generated from the broken type.
 */
class ScheduleDiagnosticsTest {
  private static final String MODEL = """
      @Model(inputs = 4)
      abstract class Net {
        @Dense(8) @Activation(RELU) Layer hidden;
        @Dense(3) Layer logits;
      }
      """;

  private static String config(String annotations) {
    return MODEL + """
        @TrainingConfig(model = Net.class, loss = Loss.SOFTMAX_CROSS_ENTROPY, batchSize = 4,
            epochs = 1)
        @Sgd(learningRate = 0.1, momentum = 0.9)
        """ + annotations + "\ninterface Training {}\n";
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("KilnMultipleSchedules",
            config("@CosineDecay(steps = 10)\n@StepDecay(stepSize = 5)"), "@StepDecay("),
        Arguments.of("KilnWarmupWithOneCycle",
            config("@Warmup(steps = 5)\n@OneCycle(maxLearningRate = 0.5)"), "@Warmup("),
        Arguments.of("KilnBadDecaySteps", config("@LinearDecay(steps = 0)"), "steps = 0"),
        Arguments.of("KilnBadDecaySteps", config("@PolynomialDecay(steps = -3)"), "steps = -3"),
        Arguments.of("KilnBadDecaySteps", config("@StepDecay(stepSize = 0)"), "stepSize = 0"),
        Arguments.of("KilnBadDecaySteps", config("@CosineRestarts(firstCycle = -1)"),
            "firstCycle = -1"),
        Arguments.of("KilnBadDecaySteps", config("@Warmup(steps = Steps.AUTO)"),
            "steps = Steps.AUTO"),
        Arguments.of("KilnBadDecaySteps",
            config("@OneCycle(maxLearningRate = 0.5, totalSteps = 0)"), "totalSteps = 0"),
        Arguments.of("KilnBadGamma", config("@ExponentialDecay(gamma = 1.5)"), "gamma = 1.5"),
        Arguments.of("KilnBadGamma", config("@StepDecay(stepSize = 3, gamma = 0)"), "gamma = 0"),
        Arguments.of("KilnBadGamma", config("@MultiStepDecay(milestones = 5, gamma = -0.1)"),
            "gamma = -0.1"),
        Arguments.of("KilnBadMilestones", config("@MultiStepDecay(milestones = {0, 5})"),
            "milestones = {0, 5}"),
        Arguments.of("KilnBadMilestones", config("@MultiStepDecay(milestones = {})"),
            "milestones = {}"),
        Arguments.of("KilnMilestonesNotIncreasing",
            config("@MultiStepDecay(milestones = {10, 20, 20})"), "milestones = {10, 20, 20}"),
        Arguments.of("KilnBadFactor", config("@LinearDecay(startFactor = -0.5)"),
            "startFactor = -0.5"),
        Arguments.of("KilnBadFactor",
            config("@LinearDecay(endFactor = Double.POSITIVE_INFINITY)"), "endFactor ="),
        Arguments.of("KilnBadFactor", config("@Warmup(steps = 5, startFactor = 1.5)"),
            "startFactor = 1.5"),
        Arguments.of("KilnBadPower", config("@PolynomialDecay(power = 0)"), "power = 0"),
        Arguments.of("KilnBadDecayMinimum", config("@CosineDecay(minimum = 0.1)"),
            "minimum = 0.1"),
        Arguments.of("KilnBadDecayMinimum",
            config("@CosineRestarts(firstCycle = 10, minimum = 0.2)"), "minimum = 0.2"),
        Arguments.of("KilnBadDecayMinimum", config("@ReduceOnPlateau(minimum = -1)"),
            "minimum = -1"),
        Arguments.of("KilnBadCycleMultiplier",
            config("@CosineRestarts(firstCycle = 10, cycleMultiplier = 0)"),
            "cycleMultiplier = 0"),
        Arguments.of("KilnBadMaxLearningRate", config("@OneCycle(maxLearningRate = 0)"),
            "maxLearningRate = 0"),
        Arguments.of("KilnBadPctStart", config("@OneCycle(maxLearningRate = 1, pctStart = 1.0)"),
            "pctStart = 1.0"),
        Arguments.of("KilnBadDivFactor", config("@OneCycle(maxLearningRate = 1, divFactor = 0.5)"),
            "divFactor = 0.5"),
        Arguments.of("KilnBadDivFactor",
            config("@OneCycle(maxLearningRate = 1,\n    finalDivFactor = 0)"),
            "finalDivFactor = 0"),
        Arguments.of("KilnBadCycleMomentum",
            config("@OneCycle(maxLearningRate = 1, baseMomentum = 0.99)"), "baseMomentum = 0.99"),
        Arguments.of("KilnBadCycleMomentum",
            config("@OneCycle(maxLearningRate = 1, maxMomentum = 1.0)"), "maxMomentum = 1.0"),
        Arguments.of("KilnOneCycleTooShort",
            config("@OneCycle(maxLearningRate = 1, totalSteps = 3)"), "totalSteps = 3"),
        Arguments.of("KilnOneCycleOptimizer", MODEL + """
            @TrainingConfig(model = Net.class, loss = Loss.SOFTMAX_CROSS_ENTROPY, batchSize = 4,
                epochs = 1)
            @Sgd(learningRate = 0.1)
            @OneCycle(maxLearningRate = 0.5)
            interface Training {}
            """, "@OneCycle("),
        Arguments.of("KilnOneCycleOptimizer", MODEL + """
            @TrainingConfig(model = Net.class, loss = Loss.SOFTMAX_CROSS_ENTROPY, batchSize = 4,
                epochs = 1)
            @Sgd(learningRate = 0.1)
            @OneCycle(maxLearningRate = 0.5,
                cycleMomentum = true)
            interface Training {}
            """, "cycleMomentum = true"),
        Arguments.of("KilnBadPlateauFactor", config("@ReduceOnPlateau(factor = 1.0)"),
            "factor = 1.0"),
        Arguments.of("KilnBadPlateauEpochs", config("@ReduceOnPlateau(patience = -1)"),
            "patience = -1"),
        Arguments.of("KilnBadPlateauEpochs", config("@ReduceOnPlateau(cooldown = -2)"),
            "cooldown = -2"),
        Arguments.of("KilnBadThreshold", config("@ReduceOnPlateau(threshold = -0.1)"),
            "threshold = -0.1"));
  }

  @ParameterizedTest(name = "{0}: {2}")
  @MethodSource("cases")
  void reportsOneErrorOnTheMember(String tag, String body, String line) {
    DiagnosticCases.assertOneError(tag, body, line);
  }
}
