package dev.kiln.processor;

import static com.google.common.truth.Truth.assertThat;
import static com.google.testing.compile.CompilationSubject.assertThat;

import com.google.testing.compile.Compilation;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One invalid convolutional description per diagnostic: exactly one error, with its tag, on the
 * line of the annotation value that caused it. Also: the inferred shapes in the network's
 * javadoc, and {@code inputs = 784} still a flat input.
 */
class ConvDiagnosticsTest {
  /** A model on 1x8x8 images with {@code field} as its first layer, then a dense layer. */
  private static String net(String field) {
    return "@Model(inputs = {1, 8, 8}) abstract class N {\n  " + field
        + "\n  @Dense(3) Layer logits;\n}\n";
  }

  private static final String CNN = net("@Conv2d(filters = 2, kernel = 3) Layer conv;");

  private static String config(String annotation) {
    return """
        @TrainingConfig(model = N.class, loss = Loss.SOFTMAX_CROSS_ENTROPY, batchSize = 4,
            epochs = 1)
        @Sgd(learningRate = 0.1)
        """ + annotation + " interface Training {}\n";
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("KilnInputsRank", "@Model(inputs = {28, 28}) abstract class N {"
            + " @Dense(2) Layer a; }\n", "inputs = {28, 28}"),
        Arguments.of("KilnBadInputs", "@Model(inputs = {1, 0, 28}) abstract class N {"
            + " @Dense(2) Layer a; }\n", "inputs = {1, 0, 28}"),
        Arguments.of("KilnConvNeedsImage", """
            @Model(inputs = 64) abstract class N {
              @Conv2d(filters = 2, kernel = 3) Layer conv;
              @Dense(3) Layer logits;
            }
            """, "@Conv2d(filters = 2"),
        Arguments.of("KilnPoolNeedsImage", """
            @Model(inputs = {1, 8, 8}) abstract class N {
              @Dense(16) @MaxPool(size = 2) Layer hidden;
              @Dense(3) Layer logits;
            }
            """, "@MaxPool(size = 2)"),
        Arguments.of("KilnBadFilters", net("@Conv2d(filters = 0, kernel = 3) Layer conv;"),
            "filters = 0"),
        Arguments.of("KilnBadWindow", net("@Conv2d(filters = 2, kernel = 3,\n    stride = 0)"
            + " Layer conv;"), "stride = 0"),
        Arguments.of("KilnWindowArity", net("@Conv2d(filters = 2,\n    kernel = {3, 3, 3})"
            + " Layer conv;"), "kernel = {3, 3, 3}"),
        Arguments.of("KilnKernelTooLarge", net("@Conv2d(filters = 2,\n    kernel = {3, 9})"
            + " Layer conv;"), "kernel = {3, 9}"),
        Arguments.of("KilnPaddingTooLarge", net("@Conv2d(filters = 2, kernel = 3,\n"
            + "    padding = 3) Layer conv;"), "padding = 3"),
        Arguments.of("KilnPaddingTooLarge", net("@Conv2d(filters = 2, kernel = 3)\n"
            + "    @MaxPool(size = 2, padding = 2) Layer conv;"), "padding = 2"),
        Arguments.of("KilnSameEvenKernel", net("@Conv2d(filters = 2, kernel = 4,\n"
            + "    paddingMode = Padding.SAME) Layer conv;"), "paddingMode = Padding.SAME"),
        Arguments.of("KilnSamePadding", net("@Conv2d(filters = 2, kernel = 3, padding = 1,\n"
            + "    paddingMode = Padding.SAME) Layer conv;"), "padding = 1,"),
        Arguments.of("KilnBadWindow", net("@Conv2d(filters = 2, kernel = 3)\n"
            + "    @AvgPool(size = 0) Layer conv;"), "size = 0"),
        Arguments.of("KilnKernelTooLarge", net("@Conv2d(filters = 2, kernel = 3)\n"
            + "    @MaxPool(size = 8) Layer conv;"), "size = 8"),
        Arguments.of("KilnPruneLayer", net("@Conv2d(filters = 2, kernel = 3) Layer conv;\n"
            + "  @Prune(finalSparsity = 0.3)\n  @MaxPool(size = 2) Layer pool;") + config(
            "@Prune(finalSparsity = 0.5, endStep = 10, scope = PruneScope.PER_LAYER)"),
            "@Prune(finalSparsity = 0.3)"),
        Arguments.of("KilnTeacherMismatch", CNN + """
            @Model(inputs = {3, 8, 8}) abstract class Big { @Dense(3) Layer logits; }
            """ + config("@Distill(teacher = Big.class)"), "@Distill(teacher"),
        Arguments.of("KilnTeacherMismatch", CNN + """
            @Model(inputs = 64) abstract class Flat { @Dense(3) Layer logits; }
            """ + config("@Distill(teacher = Flat.class)"), "@Distill(teacher"));
  }

  @ParameterizedTest(name = "{0}: {2}")
  @MethodSource("cases")
  void reportsOneErrorWhereItIs(String tag, String body, String line) {
    DiagnosticCases.assertOneError(tag, body, line);
  }

  @Test
  void kernelTooLargeNamesInputKernelStrideAndPadding() {
    Compilation c = DiagnosticCases.compile(DiagnosticCases.source(
        "@Model(inputs = {1, 8, 8}) abstract class N {\n"
            + "  @Conv2d(filters = 2, kernel = 3, padding = 1) @MaxPool(size = 2) Layer a;\n"
            + "  @Conv2d(filters = 2, kernel = 3, padding = 1) @MaxPool(size = 2) Layer b;\n"
            + "  @Conv2d(filters = 2, kernel = 5, stride = 2) Layer c;\n"
            + "  @Dense(3) Layer logits;\n}\n"));
    assertThat(c).hadErrorCount(1);
    String message = c.errors().get(0).getMessage(Locale.ROOT);
    assertThat(message).contains("on input [2, 2, 2]");
    assertThat(message).contains("floor((2 + 2·padding 0 - kernel 5) / stride 2) + 1 < 1");
  }

  @Test
  void javadocListsEveryLayerWithItsShapeAndFlatInputsStillWork() throws Exception {
    Compilation c = DiagnosticCases.compile(DiagnosticCases.source("""
        @Model(inputs = {1, 28, 28}) abstract class N {
          @Conv2d(filters = 32, kernel = 3, paddingMode = Padding.SAME) @BatchNorm
              @Activation(RELU) @MaxPool(size = 2) Layer conv1;
          @Conv2d(filters = 8, kernel = {3, 5}, stride = {1, 2}, bias = false) @GlobalAvgPool
              @Dropout(0.25) Layer conv2;
          @Dense(10) Layer logits;
        }
        @Model(inputs = 784) abstract class Flat { @Dense(10) Layer logits; }
        """));
    assertThat(c).succeeded();
    String network = c.generatedSourceFile("test.NNetwork").orElseThrow().getCharContent(true)
        .toString();
    assertThat(network).contains("conv1            [n, 32, 14, 14]  384  Conv2d(1 -> 32, 3x3,"
        + " pad 1) BatchNorm2d RELU MaxPool(2x2)");
    assertThat(network).contains("conv2            [n, 8]           3,840  Conv2d(32 -> 8, 3x5,"
        + " stride 1x2, no bias) GlobalAvgPool Dropout(0.25)");
    assertThat(network).contains("logits           [n, 10]          90  Dense(8 -> 10)");
    assertThat(network).contains("{@code [out, in, kh, kw]}");
    assertThat(c.generatedSourceFile("test.FlatNetwork").orElseThrow().getCharContent(true)
        .toString()).contains("INPUTS = 784");
  }
}
