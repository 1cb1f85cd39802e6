package dev.kiln.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static com.google.testing.compile.Compiler.javac;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.JavaFileObjects;
import java.util.stream.Stream;
import javax.tools.JavaFileObject;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One invalid description per diagnostic: exactly one error, with its tag, on the line of the
 * annotation that caused it, and nothing generated from the broken type.
 */
class DiagnosticsTest {
  private static final String GOOD_MODEL = """
      @Model(inputs = 4)
      abstract class Net {
        @Dense(8) @Activation(RELU) Layer hidden;
        @Dense(3) Layer logits;
      }
      """;

  private static String config(String annotations) {
    return """
        @TrainingConfig(model = Net.class, loss = Loss.SOFTMAX_CROSS_ENTROPY, batchSize = 4,
            epochs = 1)
        """ + annotations + "\ninterface Training {}\n";
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("KilnNotAModel", "class Plain {}\n" + """
            @TrainingConfig(model = Plain.class, loss = Loss.MSE, batchSize = 4, epochs = 1)
            @Sgd(learningRate = 0.1) interface Training {}
            """, "model = Plain.class"),
        Arguments.of("KilnNoLayers", "@Model(inputs = 4) abstract class Empty { int x; }\n",
            "@Model(inputs = 4)"),
        Arguments.of("KilnBadInputs", "@Model(inputs = 0) abstract class N { @Dense(2) Layer a; }\n",
            "inputs = 0"),
        Arguments.of("KilnBareLayer", """
            @Model(inputs = 4) abstract class N {
              @Dense(2) Layer a;
              Layer unused;
            }
            """, "Layer unused"),
        Arguments.of("KilnNotALayerField", """
            @Model(inputs = 4) abstract class N {
              @Dense(2) Layer a;
              @Dense(3) int wrongType;
            }
            """, "int wrongType"),
        Arguments.of("KilnBadUnits", """
            @Model(inputs = 4) abstract class N {
              @Dense(0) Layer a;
            }
            """, "@Dense(0)"),
        Arguments.of("KilnBadDropout", """
            @Model(inputs = 4) abstract class N {
              @Dense(2) @Dropout(1.0) Layer a;
            }
            """, "@Dropout(1.0)"),
        Arguments.of("KilnBadBatchNormMomentum", """
            @Model(inputs = 4) abstract class N {
              @Dense(2) @BatchNorm(momentum = 0.0) Layer a;
            }
            """, "momentum = 0.0"),
        Arguments.of("KilnBadEpsilon", """
            @Model(inputs = 4) abstract class N {
              @Dense(2) @BatchNorm(epsilon = -1) Layer a;
            }
            """, "epsilon = -1"),
        Arguments.of("KilnBadBatchSize", GOOD_MODEL + """
            @TrainingConfig(model = Net.class, loss = Loss.SOFTMAX_CROSS_ENTROPY,
                batchSize = 0, epochs = 1)
            @Sgd(learningRate = 0.1) interface Training {}
            """, "batchSize = 0"),
        Arguments.of("KilnBadEpochs", GOOD_MODEL + """
            @TrainingConfig(model = Net.class, loss = Loss.SOFTMAX_CROSS_ENTROPY, batchSize = 4,
                epochs = -2)
            @Sgd(learningRate = 0.1) interface Training {}
            """, "epochs = -2"),
        Arguments.of("KilnBadMomentum", GOOD_MODEL + config(
            "@Sgd(learningRate = 0.1, momentum = -0.5)"), "momentum = -0.5"),
        Arguments.of("KilnNesterovWithoutMomentum", GOOD_MODEL + config(
            "@Sgd(learningRate = 0.1, nesterov = true)"), "nesterov = true"),
        Arguments.of("KilnBadLearningRate", GOOD_MODEL + config("@Sgd(learningRate = 0)"),
            "learningRate = 0"),
        Arguments.of("KilnBadDampening", GOOD_MODEL + config(
            "@Sgd(learningRate = 0.1, momentum = 0.9, dampening = 2)"), "dampening = 2"),
        Arguments.of("KilnNoOptimizer", GOOD_MODEL + config(""), "@TrainingConfig("),
        Arguments.of("KilnBadDecaySteps", GOOD_MODEL + config(
            "@Sgd(learningRate = 0.1)\n@CosineDecay(steps = 0)"), "steps = 0"),
        Arguments.of("KilnBadDecayMinimum", GOOD_MODEL + config(
            "@Sgd(learningRate = 0.1)\n@CosineDecay(steps = 10, minimum = 0.5)"), "minimum = 0.5"),
        Arguments.of("KilnBadMaxNorm", GOOD_MODEL + config(
            "@Sgd(learningRate = 0.1)\n@ClipGradNorm(maxNorm = 0)"), "maxNorm = 0"),
        Arguments.of("KilnBadNormType", GOOD_MODEL + config(
            "@Sgd(learningRate = 0.1)\n@ClipGradNorm(maxNorm = 1, normType = 3)"), "normType = 3"),
        Arguments.of("KilnBadL2", GOOD_MODEL + config("@Sgd(learningRate = 0.1)\n@L2(-1e-4)"),
            "@L2(-1e-4)"),
        Arguments.of("KilnBadLabelSmoothing", GOOD_MODEL + """
            @TrainingConfig(model = Net.class, loss = Loss.SOFTMAX_CROSS_ENTROPY, batchSize = 4,
                epochs = 1, labelSmoothing = 1.5)
            @Sgd(learningRate = 0.1) interface Training {}
            """, "labelSmoothing = 1.5"),
        Arguments.of("KilnBadNegativeSlope", """
            @Model(inputs = 4) abstract class N {
              @Dense(2) @Activation(value = LEAKY_RELU, negativeSlope = -0.1) Layer a;
            }
            """, "negativeSlope = -0.1"),
        Arguments.of("KilnLabelSmoothingLoss", GOOD_MODEL + """
            @TrainingConfig(model = Net.class, loss = Loss.MSE, batchSize = 4, epochs = 1,
                labelSmoothing = 0.1)
            @Sgd(learningRate = 0.1) interface Training {}
            """, "labelSmoothing = 0.1"),
        Arguments.of("KilnModelKind", """
            @Model(inputs = 4) enum Net { A; @Dense(2) Layer a; }
            """, "@Model(inputs = 4) enum Net"),
        Arguments.of("KilnModelKind", """
            @Model(inputs = 4) record Net(int x) {}
            """, "@Model(inputs = 4) record Net"),
        Arguments.of("KilnConfigKind", GOOD_MODEL + """
            @TrainingConfig(model = Net.class, loss = Loss.SOFTMAX_CROSS_ENTROPY, batchSize = 4,
                epochs = 1)
            @Sgd(learningRate = 0.1) enum Training { A }
            """, "@TrainingConfig(model = Net.class"),
        Arguments.of("KilnTypeNotReachable", """
            class Outer {
              @Model(inputs = 4) private abstract static class Hidden { @Dense(2) Layer a; }
            }
            """, "@Model(inputs = 4) private"),
        Arguments.of("KilnNameClash", """
            @Model(inputs = 4) abstract class Net { @Dense(2) Layer a; }
            class NetNetwork {}
            """, "@Model(inputs = 4) abstract class Net"),
        Arguments.of("KilnStaticLayer", """
            @Model(inputs = 4) abstract class Net {
              @Dense(2) Layer a;
              @Dense(2) static Layer b;
            }
            """, "static Layer b"),
        Arguments.of("KilnLayerTooLarge", """
            @Model(inputs = 100000) abstract class Net { @Dense(100000) Layer a; }
            """, "@Dense(100000)"),
        Arguments.of("KilnUnusedNegativeSlope", """
            @Model(inputs = 4) abstract class Net {
              @Dense(2) @Activation(value = RELU, negativeSlope = 0.2) Layer a;
            }
            """, "negativeSlope = 0.2"),
        Arguments.of("KilnBatchNormBatchSize", """
            @Model(inputs = 4) abstract class Net { @Dense(3) @BatchNorm Layer a; }
            @TrainingConfig(model = Net.class, loss = Loss.SOFTMAX_CROSS_ENTROPY, batchSize = 1,
                epochs = 1)
            @Sgd(learningRate = 0.1) interface Training {}
            """, "batchSize = 1"),
        Arguments.of("KilnBinaryLossOutputs", GOOD_MODEL + """
            @TrainingConfig(model = Net.class, loss = Loss.SIGMOID_BINARY_CROSS_ENTROPY,
                batchSize = 4, epochs = 1)
            @Sgd(learningRate = 0.1) interface Training {}
            """, "loss = Loss.SIGMOID_BINARY_CROSS_ENTROPY"),
        Arguments.of("KilnMultiLabelLoss", GOOD_MODEL + """
            @TrainingConfig(model = Net.class, loss = Loss.MSE, batchSize = 4, epochs = 1,
                multiLabel = true)
            @Sgd(learningRate = 0.1) interface Training {}
            """, "multiLabel = true"),
        Arguments.of("KilnNoParameters", """
            @Model(inputs = 4) abstract class Net { @Activation(RELU) Layer a; }
            @TrainingConfig(model = Net.class, loss = Loss.MSE, batchSize = 4, epochs = 1)
            @Sgd(learningRate = 0.1) interface Training {}
            """, "model = Net.class"),
        Arguments.of("KilnLossOutputMismatch", """
            @Model(inputs = 4) abstract class Net { @Dense(1) Layer out; }
            @TrainingConfig(model = Net.class, loss = Loss.SOFTMAX_CROSS_ENTROPY, batchSize = 4,
                epochs = 1)
            @Sgd(learningRate = 0.1) interface Training {}
            """, "loss = Loss.SOFTMAX_CROSS_ENTROPY"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void reportsOneErrorOnTheAnnotation(String tag, String body, String line) {
    DiagnosticCases.assertOneError(tag, body, line);
  }

  @org.junit.jupiter.api.Test
  void independentErrorsOfOneTypeAreAllReportedInOneCompile() {
    JavaFileObject source = JavaFileObjects.forSourceString("test.Many", """
        package test;
        import static dev.kiln.dsl.ActivationFunction.*;
        import dev.kiln.dsl.*;
        @Model(inputs = 4)
        abstract class Net {
          @Dense(0) Layer a;
          @Dense(3) @Dropout(1.5) Layer b;
          @Dense(2) @BatchNorm(epsilon = 0) Layer c;
        }
        """);
    Compilation compilation = javac().withProcessors(new KilnProcessor()).compile(source);
    assertThat(compilation).hadErrorCount(3);
    assertThat(compilation).hadErrorContaining("[KilnBadUnits]").inFile(source)
        .onLineContaining("@Dense(0)");
    assertThat(compilation).hadErrorContaining("[KilnBadDropout]").inFile(source)
        .onLineContaining("@Dropout(1.5)");
    assertThat(compilation).hadErrorContaining("[KilnBadEpsilon]").inFile(source)
        .onLineContaining("epsilon = 0");
  }
}
