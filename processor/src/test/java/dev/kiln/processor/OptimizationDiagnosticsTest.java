package dev.kiln.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static com.google.testing.compile.Compiler.javac;

import com.google.testing.compile.Compilation;
import java.util.stream.Stream;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every invalid optimizer, clipping, regularization, accumulation and non-finite-policy setting is
 * one compile error, with its tag, on the line of the annotation member (or annotation) that
 * caused it; and the valid combinations compile without warnings.
 */
class OptimizationDiagnosticsTest {
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
        """ + annotations + "\ninterface Training {}\n";
  }

  private static String model(String hiddenAnnotations) {
    return "@Model(inputs = 4)\nabstract class Net {\n  @Dense(8) " + hiddenAnnotations
        + " Layer hidden;\n  @Dense(3) Layer logits;\n}\n";
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("KilnTwoOptimizers", config("@Sgd(learningRate = 0.1)\n@Adam()"), "@Adam("),
        Arguments.of("KilnTwoOptimizers", config("@RmsProp\n@AdamW(learningRate = 0.1)"),
            "@AdamW("),
        Arguments.of("KilnBadLearningRate", config("@Adam(learningRate = -1e-3)"),
            "learningRate = -1e-3"),
        Arguments.of("KilnBadLearningRate", config("@RmsProp(learningRate = 0)"),
            "learningRate = 0"),
        Arguments.of("KilnBadBeta", config("@Adam(beta1 = 1.0)"), "beta1 = 1.0"),
        Arguments.of("KilnBadBeta", config("@AdamW(beta2 = -0.1)"), "beta2 = -0.1"),
        Arguments.of("KilnBadBeta", config("@Adam(beta2 = Double.NaN)"), "beta2 = Double.NaN"),
        Arguments.of("KilnBadOptimizerEpsilon", config("@Adam(epsilon = 0)"), "epsilon = 0"),
        Arguments.of("KilnBadOptimizerEpsilon", config("@RmsProp(epsilon = -1e-8)"),
            "epsilon = -1e-8"),
        Arguments.of("KilnBadAlpha", config("@RmsProp(alpha = 1.0)"), "alpha = 1.0"),
        Arguments.of("KilnBadMomentum", config("@RmsProp(momentum = -0.9)"), "momentum = -0.9"),
        Arguments.of("KilnBadL1", config("@Sgd(learningRate = 0.1)\n@L1(-1e-4)"), "@L1(-1e-4)"),
        Arguments.of("KilnBadL2", config("@Sgd(learningRate = 0.1)\n@L2(Double.NaN)"),
            "@L2(Double.NaN)"),
        Arguments.of("KilnBadWeightDecay", config("@Adam\n@WeightDecay(-0.01)"),
            "@WeightDecay(-0.01)"),
        Arguments.of("KilnBadWeightDecay", config("@AdamW(weightDecay = -0.01)"),
            "weightDecay = -0.01"),
        Arguments.of("KilnWeightDecayTwice", config("@AdamW(weightDecay = 0.01)\n@WeightDecay(0.1)"),
            "weightDecay = 0.01"),
        Arguments.of("KilnBadClipValue", config("@Sgd(learningRate = 0.1)\n@ClipGradValue(0)"),
            "@ClipGradValue(0)"),
        Arguments.of("KilnBadClipValue",
            config("@Sgd(learningRate = 0.1)\n@ClipGradValue(Double.POSITIVE_INFINITY)"),
            "@ClipGradValue(Double.POSITIVE_INFINITY)"),
        Arguments.of("KilnTwoClippings",
            config("@Sgd(learningRate = 0.1)\n@ClipGradNorm(maxNorm = 1)\n@ClipGradValue(0.5)"),
            "@ClipGradValue(0.5)"),
        Arguments.of("KilnBadNormType", config("@Sgd(learningRate = 0.1)\n"
            + "@ClipGradNorm(maxNorm = 1, normType = 0.5, scope = ClipScope.PER_LAYER)"),
            "normType = 0.5"),
        Arguments.of("KilnBadMaxNorm", config("@Sgd(learningRate = 0.1)\n"
            + "@ClipGradNorm(maxNorm = -1, scope = ClipScope.PER_PARAMETER)"), "maxNorm = -1"),
        Arguments.of("KilnNonFinitePolicyTwice", MODEL + """
            @TrainingConfig(model = Net.class, loss = Loss.SOFTMAX_CROSS_ENTROPY, batchSize = 4,
                epochs = 1, onNonFinite = NonFinitePolicy.SKIP_STEP)
            @Sgd(learningRate = 0.1)
            @ClipGradNorm(maxNorm = 1, onNonFinite = NonFinitePolicy.PROPAGATE)
            interface Training {}
            """, "onNonFinite = NonFinitePolicy.PROPAGATE"),
        Arguments.of("KilnBadAccumulationSteps", MODEL + """
            @TrainingConfig(model = Net.class, loss = Loss.SOFTMAX_CROSS_ENTROPY, batchSize = 4,
                epochs = 1, accumulationSteps = 0)
            @Sgd(learningRate = 0.1)
            interface Training {}
            """, "accumulationSteps = 0"),
        Arguments.of("KilnBadL2", model("@L2(-0.5)"), "@L2(-0.5)"),
        Arguments.of("KilnBadL1", model("@L1(value = -1, applyTo = ApplyTo.ALL)"),
            "value = -1"),
        Arguments.of("KilnBadWeightDecay", model("@WeightDecay(Double.NEGATIVE_INFINITY)"),
            "@WeightDecay(Double.NEGATIVE_INFINITY)"),
        Arguments.of("KilnFrozenRegularized", "@Model(inputs = 4)\nabstract class Net {\n"
            + "  @Dense(8) @Frozen\n  @WeightDecay(0.1) Layer hidden;\n  @Dense(3) Layer logits;\n"
            + "}\n", "@WeightDecay(0.1) Layer hidden"),
        Arguments.of("KilnNotALayerField", """
            @Model(inputs = 4)
            abstract class Net {
              @Dense(3) Layer logits;
              @Frozen int notALayer;
            }
            """, "int notALayer"));
  }

  private static JavaFileObject source(String body) {
    return DiagnosticCases.source(body);
  }

  @ParameterizedTest(name = "{0}: {2}")
  @MethodSource("cases")
  void reportsOneErrorOnTheMember(String tag, String body, String line) {
    DiagnosticCases.assertOneError(tag, body, line);
  }

  /** Every optimizer, clipping mode, regularizer, override and policy together compiles clean. */
  @Test
  void validCombinationsCompileWithoutWarnings() {
    String[] configs = {
        "@Adam(learningRate = 1e-3, beta1 = 0, amsgrad = true)\n@ClipGradNorm(maxNorm = 1,"
            + " normType = Double.POSITIVE_INFINITY, scope = ClipScope.PER_LAYER)\n@L1(1e-5)",
        "@AdamW\n@ClipGradValue(value = 0.5, onNonFinite = NonFinitePolicy.SKIP_STEP)",
        "@AdamW(weightDecay = 0)\n@WeightDecay(value = 0.01, applyTo = ApplyTo.ALL)",
        "@RmsProp(momentum = 0.9, centered = true)\n@L2(value = 1e-4, applyTo = ApplyTo.ALL)",
        "@Sgd(learningRate = 0.1, momentum = 0.9)",
        "@Sgd(learningRate = 0.1)\n@WeightDecay(5e-4)\n@ClipGradNorm(maxNorm = 2, normType = 1,"
            + " scope = ClipScope.PER_PARAMETER, onNonFinite = NonFinitePolicy.PROPAGATE)"};
    for (String annotations : configs) {
      String body = """
          @Model(inputs = 4)
          abstract class Net {
            @Dense(8) @BatchNorm @Activation(RELU) @Frozen Layer hidden;
            @Dense(8) @Activation(TANH) @L2(0) @WeightDecay(value = 0.1, applyTo = ApplyTo.ALL)
            Layer middle;
            @Dense(3) @L1(1e-4) Layer logits;
          }
          @TrainingConfig(model = Net.class, loss = Loss.SOFTMAX_CROSS_ENTROPY, batchSize = 4,
              epochs = 1, accumulationSteps = 3)
          """ + annotations + "\ninterface Training {}\n";
      Compilation compilation = javac().withProcessors(new KilnProcessor())
          .withOptions("-Xlint:all,-processing", "-Werror").compile(source(body));
      assertThat(compilation).succeededWithoutWarnings();
      assertThat(compilation).generatedSourceFile("test.TrainingTrainer");
    }
  }
}
