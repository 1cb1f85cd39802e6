package dev.kiln.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;

import com.google.testing.compile.Compilation;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One invalid {@code @Prune} or {@code @Distill} per case: exactly one error, with its tag, on the
 * line of the member (or annotation) that caused it. Plus the valid cases that
 * must compile: field annotations without a configuration {@code @Prune}, excluding a frozen
 * layer, a teacher whose own error is reported once, on the teacher.
 */
class PruningDiagnosticsTest {
  private static final String NET = """
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
        @Sgd(learningRate = 0.1)
        """ + annotations + "\ninterface Training {}\n";
  }

  private static String teacher(int inputs, int outputs) {
    return "@Model(inputs = " + inputs + ")\nabstract class Big {\n"
        + "  @Dense(16) @BatchNorm @Activation(RELU) Layer hidden;\n"
        + "  @Dense(" + outputs + ") Layer logits;\n}\n";
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("KilnBadSparsity", NET + config(
            "@Prune(finalSparsity = 1.0, endStep = 10)"), "finalSparsity = 1.0"),
        Arguments.of("KilnBadSparsity", NET + config(
            "@Prune(finalSparsity = 0.5,\n    initialSparsity = -0.1, endStep = 10)"),
            "initialSparsity = -0.1"),
        Arguments.of("KilnBadSparsity", """
            @Model(inputs = 4)
            abstract class Net {
              @Dense(8) @Activation(RELU) @Prune(finalSparsity = 2) Layer hidden;
              @Dense(3) Layer logits;
            }
            """ + config("@Prune(finalSparsity = 0.5, endStep = 10, scope = PruneScope.PER_LAYER)"),
            "@Prune(finalSparsity = 2)"),
        Arguments.of("KilnPruneSparsityOrder", NET + config(
            "@Prune(initialSparsity = 0.5,\n    finalSparsity = 0.3, endStep = 10)"),
            "finalSparsity = 0.3"),
        Arguments.of("KilnPruneSparsityOrder", """
            @Model(inputs = 4)
            abstract class Net {
              @Dense(8) @Activation(RELU) @Prune(finalSparsity = 0.1) Layer hidden;
              @Dense(3) Layer logits;
            }
            """ + config("@Prune(finalSparsity = 0.5, initialSparsity = 0.2, endStep = 10,"
            + " scope = PruneScope.PER_LAYER)"), "@Prune(finalSparsity = 0.1)"),
        Arguments.of("KilnPruneNoTarget", NET + config("@Prune(endStep = 10)"),
            "@Prune(endStep = 10)"),
        Arguments.of("KilnBadPruneSteps", NET + config("@Prune(finalSparsity = 0.5)"),
            "@Prune(finalSparsity = 0.5)"),
        Arguments.of("KilnBadPruneSteps", NET + config(
            "@Prune(finalSparsity = 0.5,\n    beginStep = -1, endStep = 10)"), "beginStep = -1"),
        Arguments.of("KilnBadPruneSteps", NET + config(
            "@Prune(finalSparsity = 0.5, beginStep = 20,\n    endStep = 10)"), "endStep = 10"),
        Arguments.of("KilnBadPruneFrequency", NET + config(
            "@Prune(finalSparsity = 0.5, endStep = 10,\n    frequency = 0)"), "frequency = 0"),
        Arguments.of("KilnPruneMember", NET + config(
            "@Prune(finalSparsity = 0.5, endStep = 10,\n    exclude = true)"), "exclude = true"),
        Arguments.of("KilnPruneMember", """
            @Model(inputs = 4)
            abstract class Net {
              @Dense(8) @Activation(RELU) @Prune(beginStep = 3) Layer hidden;
              @Dense(3) Layer logits;
            }
            """ + config("@Prune(finalSparsity = 0.5, endStep = 10)"), "@Prune(beginStep = 3)"),
        Arguments.of("KilnPruneMember", """
            @Model(inputs = 4)
            abstract class Net {
              @Dense(8) @Activation(RELU)
              @Prune(exclude = true, finalSparsity = 0.3) Layer hidden;
              @Dense(3) Layer logits;
            }
            """ + config("@Prune(finalSparsity = 0.5, endStep = 10)"), "finalSparsity = 0.3"),
        Arguments.of("KilnPruneLayer", """
            @Model(inputs = 4)
            abstract class Net {
              @Dense(8) Layer hidden;
              @Activation(RELU) @Prune(finalSparsity = 0.3) Layer act;
              @Dense(3) Layer logits;
            }
            """ + config("@Prune(finalSparsity = 0.5, endStep = 10, scope = PruneScope.PER_LAYER)"),
            "Layer act"),
        Arguments.of("KilnPruneLayer", """
            @Model(inputs = 4)
            abstract class Net {
              @Dense(8) @Activation(RELU) @Frozen @Prune(finalSparsity = 0.3) Layer hidden;
              @Dense(3) Layer logits;
            }
            """ + config("@Prune(finalSparsity = 0.5, endStep = 10, scope = PruneScope.PER_LAYER)"),
            "Layer hidden"),
        Arguments.of("KilnPruneLayer", """
            @Model(inputs = 4)
            abstract class Net {
              @Dense(8) @Activation(RELU) Layer hidden;
              @Dense(3) @Prune(finalSparsity = 0.3) Layer logits;
            }
            """ + config("@Prune(finalSparsity = 0.5, endStep = 10, scope = PruneScope.PER_LAYER,"
            + "\n    structure = PruneStructure.NEURONS)"), "Layer logits"),
        Arguments.of("KilnPruneLayer", """
            @Model(inputs = 4)
            abstract class Net {
              @Dense(8) @Activation(RELU) Layer hidden;
              @Dense(3) Layer logits;
              @Prune(exclude = true) int notALayer;
            }
            """ + config("@Prune(finalSparsity = 0.5, endStep = 10)"), "int notALayer"),
        Arguments.of("KilnPruneLayerTarget", """
            @Model(inputs = 4)
            abstract class Net {
              @Dense(8) @Activation(RELU) @Prune(finalSparsity = 0.3) Layer hidden;
              @Dense(3) Layer logits;
            }
            """ + config("@Prune(finalSparsity = 0.5, endStep = 10)"),
            "@Prune(finalSparsity = 0.3)"),
        Arguments.of("KilnPruneNothing", """
            @Model(inputs = 4)
            abstract class Net {
              @Dense(8) @Activation(RELU) @Prune(exclude = true) Layer hidden;
              @Dense(3) @Prune(exclude = true) Layer logits;
            }
            """ + config("@Prune(finalSparsity = 0.5, endStep = 10)"),
            "@Prune(finalSparsity = 0.5, endStep = 10)"),
        Arguments.of("KilnPruneNothing", """
            @Model(inputs = 4)
            abstract class Net {
              @Dense(3) Layer logits;
            }
            """ + config("@Prune(finalSparsity = 0.5, endStep = 10,"
            + " structure = PruneStructure.NEURONS)"), "@Prune(finalSparsity = 0.5"),
        Arguments.of("KilnPruneNeurons", """
            @Block abstract class Pair {
              @Dense(8) @Activation(RELU) Layer up;
              @Dense(8) Layer down;
            }
            @Model(inputs = 4)
            abstract class Net {
              @Dense(8) Layer in;
              @Residual Pair block;
              @Dense(3) Layer logits;
            }
            """ + config("@Prune(finalSparsity = 0.5, endStep = 10,\n"
            + "    structure = PruneStructure.NEURONS)"), "structure = PruneStructure.NEURONS"),
        Arguments.of("KilnTeacherNotModel", NET + "class Plain {}\n" + config(
            "@Distill(temperature = 2,\n    teacher = Plain.class)"), "teacher = Plain.class"),
        Arguments.of("KilnTeacherMismatch", NET + teacher(4, 5) + config(
            "@Distill(\n    teacher = Big.class)"), "teacher = Big.class"),
        Arguments.of("KilnTeacherMismatch", NET + teacher(6, 3) + config(
            "@Distill(\n    teacher = Big.class)"), "teacher = Big.class"),
        Arguments.of("KilnBadTemperature", NET + teacher(4, 3) + config(
            "@Distill(teacher = Big.class,\n    temperature = 0)"), "temperature = 0"),
        Arguments.of("KilnBadDistillAlpha", NET + teacher(4, 3) + config(
            "@Distill(teacher = Big.class,\n    alpha = 1.5)"), "alpha = 1.5"),
        Arguments.of("KilnDistillLoss", NET + teacher(4, 3) + """
            @TrainingConfig(model = Net.class, loss = Loss.MSE, batchSize = 4, epochs = 1)
            @Sgd(learningRate = 0.1)
            @Distill(teacher = Big.class) interface Training {}
            """, "@Distill(teacher = Big.class)"));
  }

  private static Compilation compile(String body) {
    return DiagnosticCases.compile(DiagnosticCases.source(body));
  }

  @ParameterizedTest(name = "{0}: {2}")
  @MethodSource("cases")
  void reportsOneErrorWhereItIs(String tag, String body, String line) {
    DiagnosticCases.assertOneError(tag, body, line);
  }

  @Test
  void fieldAnnotationsDoNothingWithoutConfigurationPrune() {
    Compilation compilation = compile("""
        @Model(inputs = 4)
        abstract class Net {
          @Dense(8) @Activation(RELU) @Prune(finalSparsity = 0.3) Layer hidden;
          @Dense(3) @Prune(exclude = true) Layer logits;
        }
        """ + config(""));
    assertThat(compilation).succeededWithoutWarnings();
  }

  @Test
  void excludingAFrozenLayerIsAllowed() {
    Compilation compilation = compile("""
        @Model(inputs = 4)
        abstract class Net {
          @Dense(8) @Activation(RELU) @Frozen @Prune(exclude = true) Layer hidden;
          @Dense(3) Layer logits;
        }
        """ + config("@Prune(finalSparsity = 0.5, endStep = 10)"));
    assertThat(compilation).succeededWithoutWarnings();
    assertThat(compilation).generatedSourceFile("test.TrainingTrainer").contentsAsUtf8String()
        .contains(".add(\"logits\", \"logits.weight\"");
    assertThat(compilation).generatedSourceFile("test.TrainingTrainer").contentsAsUtf8String()
        .doesNotContain(".add(\"hidden\", \"hidden.weight\"");
  }

  @Test
  void aBrokenTeacherIsReportedOnceOnItself() {
    Compilation compilation = compile(NET + """
        @Model(inputs = 4)
        abstract class Big {
          @Dense(0) Layer logits;
        }
        """ + config("@Distill(teacher = Big.class)"));
    assertThat(compilation).hadErrorCount(1);
    assertThat(compilation).hadErrorContaining("[KilnBadUnits]")
        .inFile(compilation.sourceFiles().get(0)).onLineContaining("@Dense(0)");
  }
}
