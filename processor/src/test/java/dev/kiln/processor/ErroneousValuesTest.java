package dev.kiln.processor;

import static com.google.common.truth.Truth.assertThat;

import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Values the compiler cannot resolve (issue 19, items 2, 7 and 8), under javac and ECJ: each is
 * one error, the compiler's own or one precise Kiln message, never {@code [KilnInternalError]}
 * and never generated code built from the erroneous value.
 */
class ErroneousValuesTest {
  private static final String SIZES = """
      package e;
      final class Sizes {
        static final int HIDDEN = 8;
        static int hidden() { return 8; }
        private Sizes() {}
      }
      """;

  private static String model(String hiddenLayer) {
    return """
        package e;
        import dev.kiln.dsl.*;
        @Model(inputs = 4)
        public abstract class Net {
          %s
          @Dense(3) Layer logits;
        }
        """.formatted(hiddenLayer);
  }

  private static String config(String members) {
    return """
        package e;
        import dev.kiln.dsl.*;
        @TrainingConfig(%s)
        @Sgd(learningRate = 0.1)
        public interface Training {}
        """.formatted(members);
  }

  private static final String GOOD_CONFIG = config(
      "model = Net.class, loss = Loss.SOFTMAX_CROSS_ENTROPY, batchSize = 4, epochs = 1");

  private static Compilers.Outcome compileModel(Compilers compiler, String hiddenLayer) {
    return compiler.compile(Map.of("e.Sizes", SIZES, "e.Net", model(hiddenLayer),
        "e.Training", GOOD_CONFIG));
  }

  /** One error on the line containing {@code line}, nothing Kiln-internal, nothing generated. */
  private static void oneErrorNothingGenerated(Compilers.Outcome outcome, String line) {
    outcome.noInternalError().hadErrorCount(1).hadErrorOn("", line).generatedNothing();
  }

  @ParameterizedTest
  @EnumSource(Compilers.class)
  void misspeltConstantIsTheCompilersOneError(Compilers compiler) {
    Compilers.Outcome outcome =
        compileModel(compiler, "@Dense(Sizes.HIDEN) Layer hidden;");
    oneErrorNothingGenerated(outcome, "@Dense(Sizes.HIDEN)");
    assertThat(outcome.errors().get(0).text()).doesNotContain("[Kiln");
  }

  @ParameterizedTest
  @EnumSource(Compilers.class)
  void removedConstantIsTheCompilersOneError(Compilers compiler) {
    // After an edit removed Sizes.WIDE, which the model still names.
    oneErrorNothingGenerated(compileModel(compiler, "@Dense(Sizes.WIDE) Layer hidden;"),
        "@Dense(Sizes.WIDE)");
  }

  @ParameterizedTest
  @EnumSource(Compilers.class)
  void missingRequiredValueIsTheCompilersOneError(Compilers compiler) {
    oneErrorNothingGenerated(compileModel(compiler, "@Dense Layer hidden;"), "@Dense Layer");
  }

  @ParameterizedTest
  @EnumSource(Compilers.class)
  void valueOfTheWrongTypeIsTheCompilersOneError(Compilers compiler) {
    oneErrorNothingGenerated(compileModel(compiler, "@Dense(\"8\") Layer hidden;"),
        "@Dense(\"8\")");
  }

  @ParameterizedTest
  @EnumSource(Compilers.class)
  void nonConstantValueIsTheCompilersOneError(Compilers compiler) {
    oneErrorNothingGenerated(compileModel(compiler, "@Dense(Sizes.hidden()) Layer hidden;"),
        "@Dense(Sizes.hidden())");
  }

  @ParameterizedTest
  @EnumSource(Compilers.class)
  void unknownEnumConstantGeneratesNoTrainer(Compilers compiler) {
    Compilers.Outcome outcome = compiler.compile(Map.of(
        "e.Net", model("@Dense(8) @Activation(ActivationFunction.RELU) Layer hidden;"),
        "e.Training", config("model = Net.class, loss = Loss.SOFTMAX_CROSS_ENTROPYY,"
            + " batchSize = 4, epochs = 1")));
    outcome.noInternalError().hadErrorCount(1).hadErrorOn("", "Loss.SOFTMAX_CROSS_ENTROPYY");
    // javac writes no file after such an error; ECJ writes the model's network, never a trainer.
    assertThat(outcome.generated().keySet()).doesNotContain("e.TrainingTrainer");
  }

  @ParameterizedTest
  @EnumSource(Compilers.class)
  void unknownActivationGeneratesNoNetwork(Compilers compiler) {
    oneErrorNothingGenerated(compileModel(compiler,
        "@Dense(8) @Activation(ActivationFunction.RELUU) Layer hidden;"), "RELUU");
  }

  @ParameterizedTest
  @EnumSource(Compilers.class)
  void arrayClassAsModelIsOnePreciseError(Compilers compiler) {
    Compilers.Outcome outcome = compiler.compile(Map.of(
        "e.Net", model("@Dense(8) Layer hidden;"),
        "e.Training", config("model = Net[].class, loss = Loss.SOFTMAX_CROSS_ENTROPY,"
            + " batchSize = 4, epochs = 1")));
    outcome.noInternalError().hadErrorCount(1)
        .hadErrorOn("[KilnNotAClass]", "model = Net[].class")
        .hadErrorOn("model = Net.class", "model = Net[].class");
    assertThat(outcome.generated().keySet()).containsExactly("e.NetNetwork");
  }

  @ParameterizedTest
  @EnumSource(Compilers.class)
  void layerNotImportedIsTheCompilersOneError(Compilers compiler) {
    // Item 8: no "declares no layers", no "not a Layer field", no trainer cascade.
    String net = """
        package e;
        import dev.kiln.dsl.Dense;
        import dev.kiln.dsl.Model;
        @Model(inputs = 4)
        public abstract class Net {
          @Dense(3) Layer logits;
        }
        """;
    Compilers.Outcome outcome = compiler.compile(Map.of("e.Net", net, "e.Training",
        GOOD_CONFIG));
    oneErrorNothingGenerated(outcome, "@Dense(3) Layer logits;");
    assertThat(outcome.errors().get(0).text()).doesNotContain("[Kiln");
  }

  @ParameterizedTest
  @EnumSource(Compilers.class)
  void memberRemovedFromAModelInAnIncrementalEditGivesNoInternalError(Compilers compiler) {
    // Item 8: the previous build's generated sources are compiled again beside the edited model
    // (a generated-sources directory on the source path), and the model lost its hidden layer.
    Compilers.Outcome first = compiler.compile(Map.of(
        "e.Net", model("@Dense(8) Layer hidden;"), "e.Training", GOOD_CONFIG));
    first.noInternalError().hadErrorCount(0);
    Map<String, String> again = new java.util.TreeMap<>(first.generated());
    again.put("e.Net", model(""));
    again.put("e.Training", GOOD_CONFIG);
    Compilers.Outcome outcome = compiler.compile(again);
    outcome.noInternalError().hadErrorCount(1);
    outcome.hadErrorOn("[KilnStaleGenerated]", "public abstract class Net");
  }
}
