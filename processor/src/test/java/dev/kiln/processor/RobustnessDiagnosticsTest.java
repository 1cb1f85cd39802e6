package dev.kiln.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;

import com.google.testing.compile.Compilation;
import java.util.stream.Stream;
import javax.tools.JavaFileObject;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The diagnostics of issue 19: a class literal that names no usable class (items 2 and 11), a
 * momentum from 1 on (item 9, an error), and the warnings for configurations that compile but
 * rarely do what was meant (item 9). Each case: its tag, the source, and the line it is on.
 */
class RobustnessDiagnosticsTest {
  private static final String NET = """
      @Model(inputs = 4)
      abstract class Net {
        @Dense(8) @BatchNorm @Activation(RELU) Layer hidden;
        @Dense(3) Layer logits;
      }
      """;

  private static String config(String model, String annotations) {
    return """
        @TrainingConfig(model = %s, loss = Loss.SOFTMAX_CROSS_ENTROPY, batchSize = 4,
            epochs = 1)
        %s
        interface Training {}
        """.formatted(model, annotations);
  }

  /** Errors: exactly one, with its tag, on its line. */
  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("KilnNotAClass", NET + config("Net[].class", "@Sgd(learningRate = 0.1)"),
            "@TrainingConfig(model = Net[].class"),
        // NetNetwork is generated in round 1, so model = NetNetwork.class resolves in round 2.
        Arguments.of("KilnNamesGeneratedType", NET + config("NetNetwork.class",
            "@Sgd(learningRate = 0.1)"), "@TrainingConfig(model = NetNetwork.class"),
        Arguments.of("KilnBadMomentum", NET + config("Net.class",
            "@Sgd(learningRate = 0.1, momentum = 1.5)"), "momentum = 1.5"),
        Arguments.of("KilnDuplicateLayer", """
            abstract class Base { @Dense(16) Layer hidden; }
            @Model(inputs = 4) abstract class Net extends Base { @Dense(8) Layer hidden; }
            """, "@Model(inputs = 4) abstract class Net extends Base"),
        Arguments.of("KilnStaleGenerated", """
            @Model(inputs = 4) abstract class Small { @Dense(2) Layer a; }
            @KilnGenerated("test.Small") final class SmallNetwork {}
            """, "@Model(inputs = 4) abstract class Small"));
  }

  /** Warnings: the build succeeds with exactly one warning, with its tag, on its line. */
  static Stream<Arguments> warningCases() {
    return Stream.of(
        Arguments.of("KilnAllFrozen", """
            @Model(inputs = 4)
            abstract class Net {
              @Dense(8) @Activation(RELU) @Frozen Layer hidden;
              @Dense(3) @Frozen Layer logits;
            }
            """ + config("Net.class", "@Sgd(learningRate = 0.1)"),
            "@TrainingConfig(model = Net.class"),
        Arguments.of("KilnL2DecaysBatchNorm", NET + config("Net.class",
            "@Sgd(learningRate = 0.1)\n@L2(value = 1e-4, applyTo = ApplyTo.ALL)"),
            "applyTo = ApplyTo.ALL"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void reportsOneErrorOnTheAnnotation(String tag, String body, String line) {
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
}
