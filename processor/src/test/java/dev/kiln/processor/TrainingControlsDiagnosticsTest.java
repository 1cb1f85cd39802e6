package dev.kiln.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;

import com.google.testing.compile.Compilation;
import java.util.stream.Stream;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 18, items 13, 17 and 18 at compile time: a pruning schedule in fractions of the run
 * ({@code beginFraction}, {@code endFraction}), {@code @LearningRateScale}, {@code @Freeze}, and
 * the optimizer's learning rate beside {@code @OneCycle} (optional; a warning where it differs
 * from the cycle's peak). Each error case: exactly one error, with its tag, on its line.
 */
class TrainingControlsDiagnosticsTest {
  private static final String NET = """
      @Model(inputs = 4)
      abstract class Net {
        @Dense(8) @Activation(RELU) Layer hidden;
        @Dropout(0.5) Layer drop;
        @Dense(3) Layer logits;
      }
      """;

  private static String config(String annotations) {
    return """
        @TrainingConfig(model = Net.class, loss = Loss.SOFTMAX_CROSS_ENTROPY, batchSize = 4,
            epochs = 1)
        """ + annotations + "\ninterface Training {}\n";
  }

  private static String sgd(String annotations) {
    return config("@Sgd(learningRate = 0.1)\n" + annotations);
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("KilnNoLearningRate", NET + config("@Sgd(momentum = 0.9)"),
            "@Sgd(momentum = 0.9)"),
        Arguments.of("KilnBadPruneFractions", NET + sgd(
            "@Prune(finalSparsity = 0.5, beginFraction = 0.2,\n    endFraction = 1.5)"),
            "endFraction = 1.5"),
        Arguments.of("KilnBadPruneFractions", NET + sgd(
            "@Prune(finalSparsity = 0.5, endFraction = 0.5,\n    beginFraction = -0.1)"),
            "beginFraction = -0.1"),
        Arguments.of("KilnBadPruneFractions", NET + sgd(
            "@Prune(finalSparsity = 0.5, beginFraction = 0.8,\n    endFraction = 0.5)"),
            "endFraction = 0.5"),
        Arguments.of("KilnBadPruneFractions", NET + sgd(
            "@Prune(finalSparsity = 0.5,\n    beginFraction = 0.1)"), "beginFraction = 0.1"),
        Arguments.of("KilnPruneStepsAndFractions", NET + sgd(
            "@Prune(finalSparsity = 0.5, endFraction = 0.7,\n    endStep = 10)"), "endStep = 10"),
        Arguments.of("KilnPruneStepsAndFractions", NET + sgd(
            "@Prune(finalSparsity = 0.5, endFraction = 0.7,\n    beginStep = 3)"), "beginStep = 3"),
        Arguments.of("KilnBadLearningRateScale", """
            @Model(inputs = 4)
            abstract class Net {
              @Dense(8) @Activation(RELU)
              @LearningRateScale(-0.5) Layer hidden;
              @Dense(3) Layer logits;
            }
            """ + sgd(""), "@LearningRateScale(-0.5)"),
        Arguments.of("KilnFrozenRegularized", """
            @Model(inputs = 4)
            abstract class Net {
              @Dense(8) @Activation(RELU) @Frozen
              @LearningRateScale(0.1) Layer hidden;
              @Dense(3) Layer logits;
            }
            """ + sgd(""), "@LearningRateScale(0.1)"),
        Arguments.of("KilnScaleWithoutParameters", """
            @Model(inputs = 4)
            abstract class Net {
              @Dense(8) Layer hidden;
              @Activation(RELU)
              @LearningRateScale(2) Layer act;
              @Dense(3) Layer logits;
            }
            """ + sgd(""), "@LearningRateScale(2)"),
        Arguments.of("KilnFreezeLayer", NET + sgd("@Freeze(\"hiden\")"), "@Freeze(\"hiden\")"),
        Arguments.of("KilnFreezeLayer", NET + sgd("@Freeze({\"logits\",\n    \"drop\"})"),
            "\"drop\"})"),
        Arguments.of("KilnFreezeLayer", NET + sgd("@Freeze({})"), "@Freeze({})"),
        Arguments.of("KilnFreezeLayer", """
            @Model(inputs = 4)
            abstract class Net {
              @Dense(8) @Activation(RELU) @Frozen Layer hidden;
              @Dense(3) Layer logits;
            }
            """ + sgd("@Freeze(\"hidden\")"), "@Freeze(\"hidden\")"),
        Arguments.of("KilnFreezeLayer", NET + sgd(
            "@Prune(finalSparsity = 0.5, endFraction = 0.5)\n@Freeze(\"hidden\")"),
            "@Freeze(\"hidden\")"));
  }

  static Stream<Arguments> warningCases() {
    return Stream.of(Arguments.of("KilnOneCycleRate",
        NET + config("@Sgd(momentum = 0.9,\n    learningRate = 0.1)\n"
            + "@OneCycle(maxLearningRate = 0.5)"), "learningRate = 0.1)"),
        Arguments.of("KilnAllFrozen", NET + sgd("@Freeze({\"hidden\", \"logits\"})"),
            "model = Net.class"));
  }

  @ParameterizedTest(name = "{0}: {2}")
  @MethodSource("cases")
  void reportsOneErrorOnItsLine(String tag, String body, String line) {
    DiagnosticCases.assertOneError(tag, body, line);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("warningCases")
  void warnsOnceAndStillGenerates(String tag, String body, String line) {
    JavaFileObject source = DiagnosticCases.source(body);
    Compilation compilation = DiagnosticCases.compile(source);
    assertThat(compilation).succeeded();
    assertThat(compilation).hadWarningCount(1);
    assertThat(compilation).hadWarningContaining("[" + tag + "]").inFile(source)
        .onLineContaining(line);
    assertThat(compilation).generatedSourceFile("test.TrainingTrainer");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("warningCases")
  void suppressWarningsWithTheTagSilencesIt(String tag, String body, String line) {
    Compilation compilation = DiagnosticCases.compile(DiagnosticCases.source(
        body.replace("interface Training {}",
            "@SuppressWarnings(\"" + tag + "\") interface Training {}")));
    assertThat(compilation).succeededWithoutWarnings();
  }

  /** Valid: OneCycle without the optimizer's rate, or with the same one; fractions; scales. */
  @Test
  void validConfigurationsCompileWithoutWarnings() {
    for (String body : new String[] {
        config("@Sgd(momentum = 0.9)\n@OneCycle(maxLearningRate = 0.5)"),
        config("@Sgd(learningRate = 0.5, momentum = 0.9)\n@OneCycle(maxLearningRate = 0.5)"),
        config("@Adam\n@OneCycle(maxLearningRate = 0.01)"),
        sgd("@Prune(finalSparsity = 0.5, beginFraction = 0.1, endFraction = 0.7)"),
        sgd("@Prune(finalSparsity = 0.5, endFraction = 0)"),
        sgd("@Freeze({\"hidden\"})")}) {
      assertThat(DiagnosticCases.compile(DiagnosticCases.source(NET + body)))
          .succeededWithoutWarnings();
    }
    assertThat(DiagnosticCases.compile(DiagnosticCases.source("""
        @Model(inputs = 4)
        abstract class Net {
          @Dense(8) @Activation(RELU) @LearningRateScale(0) Layer hidden;
          @Dense(3) @LearningRateScale(2.5) Layer logits;
        }
        """ + sgd("")))).succeededWithoutWarnings();
  }
}
