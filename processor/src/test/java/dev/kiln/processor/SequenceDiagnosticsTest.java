package dev.kiln.processor;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One invalid block or sequence description per diagnostic: exactly one error, with its tag, on
 * the line of the annotation or field that caused it.
 */
class SequenceDiagnosticsTest {
  private static final String DENSE_BLOCK = """
      @Block abstract class Pair {
        @Dense(8) @Activation(RELU) Layer up;
        @Dense(8) Layer down;
      }
      """;

  private static final String TRAINING = """
      @TrainingConfig(model = Gpt.class, loss = Loss.%s, batchSize = 4, epochs = 1)
      @AdamW(learningRate = 0.001) interface Training {}
      """;

  private static String gpt(String body) {
    return "@Model(vocabulary = 10, context = 8) abstract class Gpt {\n"
        + "  @Embedding(16) @PositionEmbedding Layer embed;\n" + body
        + "  @Dense(value = 10, bias = false) Layer head;\n}\n";
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("KilnResidualShape", DENSE_BLOCK.replace("@Dense(8) Layer down",
            "@Dense(6) Layer down") + """
            @Model(inputs = 8) abstract class N {
              @Residual Pair pair;
              @Dense(2) Layer logits;
            }
            """, "@Residual Pair pair"),
        Arguments.of("KilnBadRepeat", DENSE_BLOCK + """
            @Model(inputs = 8) abstract class N {
              @Repeat(0) Pair pairs;
              @Dense(2) Layer logits;
            }
            """, "@Repeat(0)"),
        Arguments.of("KilnEmptyBlock", """
            @Block abstract class Nothing { int x; }
            @Model(inputs = 8) abstract class N {
              Nothing nothing;
              @Dense(2) Layer logits;
            }
            """, "@Block abstract class Nothing"),
        Arguments.of("KilnCyclicBlock", """
            @Block abstract class Loop {
              @Dense(8) Layer a;
              Loop again;
            }
            @Model(inputs = 8) abstract class N {
              Loop loop;
              @Dense(2) Layer logits;
            }
            """, "Loop again"),
        Arguments.of("KilnResidualOnLayer", """
            @Model(inputs = 8) abstract class N {
              @Residual @Dense(8) Layer same;
              @Dense(2) Layer logits;
            }
            """, "@Residual @Dense(8)"),
        Arguments.of("KilnHeadsDivide", gpt("  @SelfAttention(heads = 3) Layer attention;\n"),
            "heads = 3"),
        Arguments.of("KilnNeedsSequence", """
            @Model(inputs = 8) abstract class N {
              @SelfAttention(heads = 2) Layer attention;
              @Dense(2) Layer logits;
            }
            """, "@SelfAttention(heads = 2)"),
        Arguments.of("KilnEmbeddingInput", """
            @Model(inputs = 8) abstract class N {
              @Embedding(4) Layer embed;
              @Dense(2) Layer logits;
            }
            """, "@Embedding(4)"),
        Arguments.of("KilnTokenModelInput", """
            @Model(vocabulary = 10, context = 8) abstract class N {
              @LayerNorm Layer norm;
              @Dense(10) Layer head;
            }
            """, "@LayerNorm Layer norm"),
        Arguments.of("KilnBadTokenModel", """
            @Model(vocabulary = 1, context = 8) abstract class N {
              @Embedding(4) Layer embed;
              @Dense(1) Layer head;
            }
            """, "vocabulary = 1"),
        Arguments.of("KilnTokenOutput", """
            @Model(vocabulary = 10, context = 8) abstract class N {
              @Embedding(4) Layer embed;
              @Dense(9) Layer head;
            }
            """, "@Model(vocabulary = 10"),
        Arguments.of("KilnTokenLoss", gpt("") + TRAINING.formatted("MSE"), "loss = Loss.MSE"),
        Arguments.of("KilnBadEmbeddingWidth", """
            @Model(vocabulary = 10, context = 8) abstract class N {
              @Embedding(0) Layer embed;
              @Dense(10) Layer head;
            }
            """, "@Embedding(0)"),
        Arguments.of("KilnBadLayerNormEpsilon", gpt("  @LayerNorm(epsilon = 0) Layer norm;\n"),
            "epsilon = 0"),
        Arguments.of("KilnPruneNeurons", gpt("  @LayerNorm Layer norm;\n") + """
            @TrainingConfig(model = Gpt.class, loss = Loss.SOFTMAX_CROSS_ENTROPY, batchSize = 4,
                epochs = 1)
            @AdamW(learningRate = 0.001)
            @Prune(finalSparsity = 0.5, endStep = 10,
                structure = PruneStructure.NEURONS)
            interface Training {}
            """, "structure = PruneStructure.NEURONS"),
        Arguments.of("KilnPruneNeurons", DENSE_BLOCK + """
            @Model(inputs = 8) abstract class Net {
              @Dense(8) Layer in;
              @Residual @Repeat(2) Pair blocks;
              @Dense(3) Layer logits;
            }
            @TrainingConfig(model = Net.class, loss = Loss.SOFTMAX_CROSS_ENTROPY, batchSize = 4,
                epochs = 1)
            @Sgd(learningRate = 0.1)
            @Prune(finalSparsity = 0.5, endStep = 10,
                structure = PruneStructure.NEURONS)
            interface Training {}
            """, "structure = PruneStructure.NEURONS"),
        Arguments.of("KilnTeacherMismatch", gpt("") + """
            @Model(vocabulary = 10, context = 16) abstract class Big {
              @Embedding(32) @PositionEmbedding Layer embed;
              @Dense(value = 10, bias = false) Layer head;
            }
            @TrainingConfig(model = Gpt.class, loss = Loss.SOFTMAX_CROSS_ENTROPY, batchSize = 4,
                epochs = 1)
            @AdamW(learningRate = 0.001)
            @Distill(teacher = Big.class)
            interface Training {}
            """, "@Distill(teacher = Big.class)"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void reportsOneErrorOnTheAnnotation(String tag, String body, String line) {
    DiagnosticCases.assertOneError(tag, body, line);
  }
}
