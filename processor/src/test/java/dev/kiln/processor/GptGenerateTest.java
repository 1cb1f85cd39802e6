package dev.kiln.processor;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A token model's generated {@code generate}: with the key/value caches, the logits every new
 * token is drawn from equal a full forward pass ({@code predict}) of the sequence so far, cropped to
 * the last {@code CONTEXT} tokens past it (nanoGPT); greedy tokens are the argmax of those; seeds
 * reproduce and differ; {@code topK = 1} is greedy; bad arguments are refused before anything
 * changes; a model with non-causal attention generates through the window alone.
 */
class GptGenerateTest {
  static final int VOCABULARY = 24;
  static final int CONTEXT = 16;
  private static final double TOLERANCE = 1e-5;

  static final String MODEL = """
      package gen;

      import static dev.kiln.dsl.ActivationFunction.*;

      import dev.kiln.dsl.*;

      @Block abstract class Attention {
        @LayerNorm Layer norm;
        @SelfAttention(heads = 4) @Dropout(0.1) Layer attention;
      }

      @Block abstract class FeedForward {
        @LayerNorm Layer norm;
        @Dense(64) @Activation(GELU) Layer up;
        @Dense(32) @Dropout(0.1) Layer down;
      }

      @Block abstract class Decoder {
        @Residual Attention attention;
        @Residual FeedForward mlp;
      }

      @Model(vocabulary = 24, context = 16)
      public abstract class GenGpt {
        @Embedding(32) @PositionEmbedding @Dropout(0.1) Layer embed;
        @Repeat(2) Decoder blocks;
        @LayerNorm Layer norm;
        @Dense(value = 24, bias = false) Layer head;
      }
      """;

  /** Calls on the network without reflection, for the allocation probe. */
  static final String CALLS = """
      package gen;

      public final class Calls {
        private Calls() {}

        /** generate into one array, a new seed per call. */
        public static Runnable generate(GenGptNetwork network, int[] prompt, int maxNewTokens,
            double temperature, int topK, int[] output) {
          long[] seed = {0};
          return () -> network.generate(prompt, maxNewTokens, temperature, topK, seed[0]++,
              output);
        }

        /** predict into one array. */
        public static Runnable predict(GenGptNetwork network,
            org.nd4j.linalg.api.ndarray.INDArray tokens,
            org.nd4j.linalg.api.ndarray.INDArray output) {
          return () -> network.predict(tokens, output);
        }
      }
      """;

  private static final String BIDIRECTIONAL = """
      package gen;

      import dev.kiln.dsl.*;

      @Model(vocabulary = 11, context = 6)
      public abstract class Bidirectional {
        @Embedding(8) @PositionEmbedding Layer embed;
        @LayerNorm Layer norm;
        @SelfAttention(heads = 2, causal = false) Layer attention;
        @Dense(value = 11) Layer head;
      }
      """;

  static Compiled compiled;

  @BeforeAll
  static void compile() {
    compiled = Compiled.compile(Map.of("gen.GenGpt", MODEL, "gen.Calls", CALLS,
        "gen.Bidirectional", BIDIRECTIONAL));
  }

  static Object network(String name, long seed) throws Exception {
    return compiled.load("gen." + name + "Network").getMethod("initialize", long.class)
        .invoke(null, seed);
  }

  static int generate(Object network, int[] prompt, int maxNewTokens, double temperature,
      int topK, long seed, int[] output, float[] logits) throws Exception {
    try {
      return (int) network.getClass().getMethod("generate", int[].class, int.class, double.class,
          int.class, long.class, int[].class, float[].class)
          .invoke(network, prompt, maxNewTokens, temperature, topK, seed, output, logits);
    } catch (java.lang.reflect.InvocationTargetException e) {
      if (e.getCause() instanceof Exception cause) {
        throw cause;
      }
      throw e;
    }
  }

  static int[] generate(Object network, int[] prompt, int maxNewTokens, double temperature,
      int topK, long seed) throws Exception {
    return (int[]) network.getClass().getMethod("generate", int[].class, int.class, double.class,
        int.class, long.class).invoke(network, prompt, maxNewTokens, temperature, topK, seed);
  }

  /** The last position's logits of a no-cache forward pass of {@code ids[0, length)}, cropped. */
  private static float[] fullForwardLast(Object network, int[] ids, int length, int context,
      int vocabulary) throws Exception {
    int start = Math.max(0, length - context);
    int window = length - start;
    INDArray tokens = Nd4j.createFromArray(Arrays.copyOfRange(ids, start, length))
        .reshape(1, window);
    INDArray logits = Nd4j.create(DataType.FLOAT, 1, window, vocabulary);
    network.getClass().getMethod("predict", INDArray.class, INDArray.class)
        .invoke(network, tokens, logits);
    return logits.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0),
        org.nd4j.linalg.indexing.NDArrayIndex.point(window - 1),
        org.nd4j.linalg.indexing.NDArrayIndex.all()).dup().toFloatVector();
  }

  private static int argmax(float[] values, int from, int count) {
    int best = 0;
    for (int i = 1; i < count; i++) {
      if (values[from + i] > values[from + best]) {
        best = i;
      }
    }
    return best;
  }

  /** Checks every new token's logits against a full forward pass; returns the largest error. */
  private static double checkAgainstFullForward(Object network, int[] prompt, int maxNew,
      double temperature, int topK, int context, int vocabulary) throws Exception {
    int[] output = new int[prompt.length + maxNew];
    float[] logits = new float[maxNew * vocabulary];
    assertThat(generate(network, prompt, maxNew, temperature, topK, 5, output, logits))
        .isEqualTo(prompt.length + maxNew);
    assertThat(Arrays.copyOf(output, prompt.length)).isEqualTo(prompt);
    double worst = 0;
    for (int i = 0; i < maxNew; i++) {
      int length = prompt.length + i;
      float[] full = fullForwardLast(network, output, length, context, vocabulary);
      for (int v = 0; v < vocabulary; v++) {
        double error = Math.abs(full[v] - logits[i * vocabulary + v]);
        worst = Math.max(worst, error);
        assertWithMessage("logit %s of new token %s (sequence length %s)", v, i, length)
            .that(error).isAtMost(TOLERANCE);
      }
      if (temperature == 0) {
        assertWithMessage("greedy token %s is the argmax of the full forward pass", i)
            .that(output[length]).isEqualTo(argmax(full, 0, vocabulary));
      }
    }
    return worst;
  }

  @Test
  void cachedLogitsEqualFullForwardBeforeAndPastTheContext() throws Exception {
    Object network = network("GenGpt", 3);
    // greedy from a 3-token prompt to 34 tokens: 13 cached steps, then 18 cropped windows
    double greedy = checkAgainstFullForward(network, new int[] {1, 5, 7}, 31, 0, 0, CONTEXT,
        VOCABULARY);
    // sampled, so the path leaves the greedy one; and a prompt longer than the context
    double sampled = checkAgainstFullForward(network, new int[] {2, 3, 4, 9}, 20, 1.0, 6,
        CONTEXT, VOCABULARY);
    int[] longPrompt = new int[CONTEXT + 4];
    Arrays.setAll(longPrompt, i -> (i * 5 + 1) % VOCABULARY);
    double cropped = checkAgainstFullForward(network, longPrompt, 5, 0.8, 0, CONTEXT, VOCABULARY);
    System.out.printf("generate vs full forward: max |logit error| greedy %.2e, sampled %.2e,"
        + " long prompt %.2e%n", greedy, sampled, cropped);
  }

  @Test
  void nonCausalModelGeneratesThroughTheWindow() throws Exception {
    Object network = network("Bidirectional", 11);
    checkAgainstFullForward(network, new int[] {3}, 12, 0, 0, 6, 11);
    checkAgainstFullForward(network, new int[] {3, 4, 10}, 9, 1.5, 3, 6, 11);
  }

  @Test
  void predictIntoEqualsPredict() throws Exception {
    Object network = network("GenGpt", 4);
    INDArray tokens = Nd4j.createFromArray(new int[][] {{1, 2, 3, 4, 5}, {23, 0, 7, 7, 9}});
    INDArray expected = (INDArray) network.getClass().getMethod("predict", INDArray.class)
        .invoke(network, tokens);
    INDArray into = Nd4j.create(DataType.FLOAT, 2, 5, VOCABULARY);
    network.getClass().getMethod("predict", INDArray.class, INDArray.class)
        .invoke(network, tokens, into);
    assertThat(Arrays.equals(into.dup().data().asFloat(), expected.dup().data().asFloat()))
        .isTrue();
  }

  @Test
  void seedsReproduceAndTopOneIsGreedy() throws Exception {
    Object network = network("GenGpt", 3);
    int[] prompt = {4, 8, 15};
    int[] first = generate(network, prompt, 40, 1.0, 0, 42);
    int[] again = generate(network, prompt, 40, 1.0, 0, 42);
    int[] other = generate(network, prompt, 40, 1.0, 0, 43);
    assertThat(first).hasLength(43);
    assertThat(again).isEqualTo(first);
    assertThat(other).isNotEqualTo(first);
    int[] greedy = generate(network, prompt, 40, 0, 0, 1);
    assertThat(generate(network, prompt, 40, 0, 0, 99)).isEqualTo(greedy);
    assertThat(generate(network, prompt, 40, 1.0, 1, 7)).isEqualTo(greedy);
    assertThat(generate(network, prompt, 40, 2.5, 1, 8)).isEqualTo(greedy);
    assertThat(greedy).isNotEqualTo(first);
    // the array form writes the same tokens and returns their count
    int[] output = new int[50];
    Arrays.fill(output, -1);
    assertThat(generate(network, prompt, 40, 1.0, 0, 42, output, null)).isEqualTo(43);
    assertThat(Arrays.copyOf(output, 43)).isEqualTo(first);
    assertThat(output[43]).isEqualTo(-1);
    assertThat(generate(network, prompt, 0, 1.0, 0, 42)).isEqualTo(prompt);
  }

  @Test
  void badArgumentsAreRefusedBeforeAnythingChanges() throws Exception {
    Object network = network("GenGpt", 3);
    int[] output = new int[20];
    Arrays.fill(output, -1);
    int[] prompt = {1, 2};
    assertRefused(network, prompt, 5, -0.5, 0, output, "temperature", "-0.5", ">= 0");
    assertRefused(network, prompt, 5, Double.NaN, 0, output, "temperature", "NaN", ">= 0");
    assertRefused(network, prompt, 5, 1.0, -1, output, "topK", "-1", "24");
    assertRefused(network, prompt, 5, 1.0, 25, output, "topK", "25", "24");
    assertRefused(network, new int[0], 5, 1.0, 0, output, "prompt", "empty", "[0, 24)");
    assertRefused(network, null, 5, 1.0, 0, output, "prompt", "null", "[0, 24)");
    assertRefused(network, new int[] {1, 24}, 5, 1.0, 0, output, "prompt", "24", "[0, 24)");
    assertRefused(network, new int[] {-3}, 5, 1.0, 0, output, "prompt", "-3", "[0, 24)");
    assertRefused(network, prompt, -1, 1.0, 0, output, "maxNewTokens", "-1", ">= 0");
    assertRefused(network, prompt, 19, 1.0, 0, output, "output", "21", "20");
    assertRefused(network, prompt, 5, 1.0, 0, null, "output", "7", "null");
    IllegalArgumentException logits = assertThrows(IllegalArgumentException.class,
        () -> generate(network, prompt, 5, 1.0, 0, 1, output, new float[5 * 24 - 1]));
    assertThat(logits).hasMessageThat().contains("120");
    assertThat(logits).hasMessageThat().contains("119");
    assertThat(output).isEqualTo(filled(20, -1));
    // and the convenience form checks before it allocates
    java.lang.reflect.InvocationTargetException wrapped = assertThrows(
        java.lang.reflect.InvocationTargetException.class,
        () -> generate(network, prompt, -2, 1.0, 0, 1));
    assertThat(wrapped).hasCauseThat().hasMessageThat().contains("maxNewTokens");
  }

  private static int[] filled(int length, int value) {
    int[] a = new int[length];
    Arrays.fill(a, value);
    return a;
  }

  private static void assertRefused(Object network, int[] prompt, int maxNew, double temperature,
      int topK, int[] output, String... named) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> generate(network, prompt, maxNew, temperature, topK, 1, output, null));
    for (String s : named) {
      assertThat(e).hasMessageThat().contains(s);
    }
    if (output != null) {
      assertWithMessage("output untouched after %s", e.getMessage()).that(output)
          .isEqualTo(filled(output.length, -1));
    }
  }
}
