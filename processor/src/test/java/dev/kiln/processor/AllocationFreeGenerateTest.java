package dev.kiln.processor;

import dev.kiln.runtime.testing.AllocationProbe;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * DESIGN.md's allocation measure for a token model's {@code generate} and {@code predict(tokens,
 * output)} (the 2-block GPT with dropout of {@link GptGenerateTest}): after warm-up, calls
 * allocate at most 64 heap bytes each (so less per generated token) and JavaCPP's off-heap bytes
 * do not grow, while the sequence fits the context (key/value caches), past it (cropped windows)
 * and from a prompt longer than the context. The calls go through a compiled {@code Runnable}, not
 * reflection, which would box the arguments.
 */
class AllocationFreeGenerateTest {
  private static final int WARM_UP = 200;
  private static final int CALLS = 300;
  private static final long MAX_BYTES_PER_CALL = 64;

  private static Compiled compiled;

  @BeforeAll
  static void compile() {
    AllocationProbe.assertAccounting();
    compiled = Compiled.compile(Map.of("gen.GenGpt", GptGenerateTest.MODEL,
        "gen.Calls", GptGenerateTest.CALLS));
  }

  private Object network() throws Exception {
    return compiled.load("gen.GenGptNetwork").getMethod("initialize", long.class)
        .invoke(null, 3L);
  }

  private Runnable generate(Object network, int[] prompt, int maxNewTokens, double temperature,
      int topK) throws Exception {
    Class<?> calls = compiled.load("gen.Calls");
    return (Runnable) calls.getMethod("generate", network.getClass(), int[].class, int.class,
        double.class, int.class, int[].class)
        .invoke(null, network, prompt, maxNewTokens, temperature, topK,
            new int[prompt.length + maxNewTokens]);
  }

  @Test
  void generateAllocatesNothingPerToken() throws Exception {
    Object network = network();
    // 3 + 12 = 15 tokens: every new token one cached step
    AllocationProbe.assertAllocationFree("generate within the context (12 tokens)",
        generate(network, new int[] {1, 2, 3}, 12, 1.0, 5), WARM_UP, CALLS, MAX_BYTES_PER_CALL);
    // 3 + 30 tokens: 13 cached steps, then 17 cropped windows
    AllocationProbe.assertAllocationFree("generate past the context (30 tokens)",
        generate(network, new int[] {1, 2, 3}, 30, 0.8, 0), WARM_UP / 2, CALLS / 3,
        MAX_BYTES_PER_CALL);
    int[] longPrompt = new int[GptGenerateTest.CONTEXT + 3];
    java.util.Arrays.setAll(longPrompt, i -> i % GptGenerateTest.VOCABULARY);
    AllocationProbe.assertAllocationFree("generate greedy from a long prompt (4 tokens)",
        generate(network, longPrompt, 4, 0, 0), WARM_UP, CALLS, MAX_BYTES_PER_CALL);
  }

  @Test
  void predictIntoAllocatesNothing() throws Exception {
    Object network = network();
    INDArray tokens = Nd4j.createFromArray(new int[][] {{1, 2, 3, 4, 5, 6}, {7, 8, 9, 10, 11, 12},
        {0, 0, 1, 1, 2, 2}});
    INDArray output = Nd4j.create(DataType.FLOAT, 3, 6, GptGenerateTest.VOCABULARY);
    Runnable predict = (Runnable) compiled.load("gen.Calls").getMethod("predict",
        network.getClass(), INDArray.class, INDArray.class).invoke(null, network, tokens, output);
    // some kernels allocate until the JIT has compiled them (escape analysis): a longer warm-up
    AllocationProbe.assertAllocationFree("predict(tokens, output) [3, 6]", predict, 10 * WARM_UP,
        CALLS, MAX_BYTES_PER_CALL);
  }
}
