package dev.kiln.runtime.ops;

import dev.kiln.runtime.tensor.SplitMix64;
import dev.kiln.runtime.tensor.Tensor;
import java.util.Arrays;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * A quick timing, not a test: one causal attention forward and backward at nanoGPT's CPU size
 * ({@code n = 12, T = 64, D = 128}, 4 heads), the core alone and the whole layer with its four
 * projections; the median of {@value #ROUNDS} rounds of {@value #CALLS} calls each, after a
 * warm-up. Run with {@code -Dkiln.timing=true -Dtest=AttentionTiming}; docs/performance.md
 * ("Attention") reports the figures.
 */
@EnabledIfSystemProperty(named = "kiln.timing", matches = "true")
class AttentionTiming {
  private static final int ROUNDS = 15;
  private static final int CALLS = 20;
  private static final int N = 12;
  private static final int T = 64;
  private static final int D = 128;
  private static final int HEADS = 4;

  private static void time(String name, Runnable step) {
    for (int i = 0; i < 200; i++) {
      step.run();
    }
    double[] perCall = new double[ROUNDS];
    for (int r = 0; r < ROUNDS; r++) {
      long start = System.nanoTime();
      for (int i = 0; i < CALLS; i++) {
        step.run();
      }
      perCall[r] = (System.nanoTime() - start) / 1e3 / CALLS;
    }
    Arrays.sort(perCall);
    System.out.printf(Locale.ROOT, "[timing] %-50s median %8.1f µs (min %8.1f, max %8.1f)%n",
        name, perCall[ROUNDS / 2], perCall[0], perCall[ROUNDS - 1]);
  }

  @Test
  void attentionAtNanoGptCpuSize() {
    SplitMix64 rng = new SplitMix64(7);
    int rows = N * T;
    Tensor x = Fixtures.random(rng, 1, rows, D);
    Tensor q = Fixtures.random(rng, 1, rows, D);
    Tensor k = Fixtures.random(rng, 1, rows, D);
    Tensor v = Fixtures.random(rng, 1, rows, D);
    Tensor dy = Fixtures.random(rng, 1, rows, D);
    Tensor y = Tensor.alignedZeros(rows, D);
    Tensor dq = Tensor.alignedZeros(rows, D);
    Tensor dk = Tensor.alignedZeros(rows, D);
    Tensor dv = Tensor.alignedZeros(rows, D);
    Tensor p = Tensor.alignedZeros((long) N * HEADS * T, T);
    ScaledDotProductAttention core = new ScaledDotProductAttention(T, D, HEADS, true);
    time("core forward", () -> core.forward(q, k, v, N, T, p, y));
    time("core backward", () -> core.backward(q, k, v, p, dy, N, T, dq, dk, dv));
    time("core forward + backward", () -> {
      core.forward(q, k, v, N, T, p, y);
      core.backward(q, k, v, p, dy, N, T, dq, dk, dv);
    });

    SelfAttention layer = new SelfAttention(N, T, D, HEADS, true);
    SelfAttention.Parameters params = new SelfAttention.Parameters(
        Fixtures.random(rng, 0.1, D, D), Fixtures.random(rng, 0.1, D),
        Fixtures.random(rng, 0.1, D, D), Fixtures.random(rng, 0.1, D),
        Fixtures.random(rng, 0.1, D, D), Fixtures.random(rng, 0.1, D),
        Fixtures.random(rng, 0.1, D, D), Fixtures.random(rng, 0.1, D));
    SelfAttention.Parameters grads = new SelfAttention.Parameters(
        Tensor.zeros(D, D), Tensor.zeros(D), Tensor.zeros(D, D), Tensor.zeros(D),
        Tensor.zeros(D, D), Tensor.zeros(D), Tensor.zeros(D, D), Tensor.zeros(D));
    Tensor dx = Tensor.alignedZeros(rows, D);
    time("layer (4 projections + core) forward + backward", () -> {
      layer.forward(x, N, T, params, y);
      layer.backward(x, dy, N, T, params, grads, dx);
    });
  }
}
