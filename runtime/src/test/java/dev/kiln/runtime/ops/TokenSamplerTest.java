package dev.kiln.runtime.ops;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.runtime.tensor.SplitMix64;
import org.junit.jupiter.api.Test;

/**
 * {@link TokenSampler}: nanoGPT's temperature and top-k (ties with the k-th largest kept),
 * frequencies near the softmax, greedy decoding at temperature 0, the same generator state the
 * same id, and settings refused with their ranges.
 */
class TokenSamplerTest {
  private static final float[] LOGITS = {0.5f, 2.0f, -1.0f, 2.0f, 1.0f, 0.0f};

  private static int[] counts(float[] logits, double temperature, int topK, int draws) {
    TokenSampler sampler = new TokenSampler(logits.length);
    SplitMix64 rng = new SplitMix64(11);
    int[] counts = new int[logits.length];
    for (int i = 0; i < draws; i++) {
      counts[sampler.sample(logits, temperature, topK, rng)]++;
    }
    return counts;
  }

  @Test
  void frequenciesFollowTheTemperedSoftmax() {
    int draws = 200_000;
    for (double temperature : new double[] {1.0, 0.5, 2.0}) {
      int[] counts = counts(LOGITS, temperature, 0, draws);
      double sum = 0;
      for (float l : LOGITS) {
        sum += Math.exp(l / temperature);
      }
      for (int i = 0; i < LOGITS.length; i++) {
        double p = Math.exp(LOGITS[i] / temperature) / sum;
        assertThat((double) counts[i] / draws).isWithin(4 * Math.sqrt(p / draws) + 1e-3).of(p);
      }
    }
  }

  @Test
  void topKKeepsTheLargestAndTiesWithTheLast() {
    // the two 2.0 logits
    int[] two = counts(LOGITS, 1.0, 2, 10_000);
    assertThat(two[1] + two[3]).isEqualTo(10_000);
    assertThat(two[1]).isGreaterThan(4_000);
    assertThat(two[3]).isGreaterThan(4_000);
    // k = 1 keeps both as well: they tie with the largest
    int[] one = counts(LOGITS, 1.0, 1, 1_000);
    assertThat(one[1] + one[3]).isEqualTo(1_000);
    // k = 3 adds 1.0
    int[] three = counts(LOGITS, 1.0, 3, 10_000);
    assertThat(three[0] + three[2] + three[5]).isEqualTo(0);
    assertThat(three[4]).isGreaterThan(0);
    // k = V is the whole vocabulary
    assertThat(counts(LOGITS, 1.0, LOGITS.length, 10_000)[2]).isGreaterThan(0);
  }

  @Test
  void temperatureZeroIsGreedyAndSeedsRepeat() {
    TokenSampler sampler = new TokenSampler(LOGITS.length);
    SplitMix64 rng = new SplitMix64(3);
    long state = rng.state();
    assertThat(sampler.sample(LOGITS, 0, 0, rng)).isEqualTo(1); // the first of equal largest
    assertThat(rng.state()).isEqualTo(state); // no draw
    float[] distinct = {0.1f, 0.3f, 3.0f, -2f};
    assertThat(new TokenSampler(4).sample(distinct, 1.0, 1, rng)).isEqualTo(2);
    int[] a = new int[50];
    int[] b = new int[50];
    SplitMix64 first = new SplitMix64(99);
    SplitMix64 second = new SplitMix64(99);
    for (int i = 0; i < 50; i++) {
      a[i] = sampler.sample(LOGITS, 1.0, 0, first);
      b[i] = sampler.sample(LOGITS, 1.0, 0, second);
    }
    assertThat(a).isEqualTo(b);
  }

  @Test
  void settingsAreRefusedWithTheirRanges() {
    TokenSampler sampler = new TokenSampler(LOGITS.length);
    SplitMix64 rng = new SplitMix64(1);
    assertThat(assertThrows(IllegalArgumentException.class,
        () -> sampler.sample(LOGITS, -1, 0, rng))).hasMessageThat().contains(">= 0");
    assertThat(assertThrows(IllegalArgumentException.class,
        () -> sampler.sample(LOGITS, Double.POSITIVE_INFINITY, 0, rng))).hasMessageThat()
        .contains("Infinity");
    assertThat(assertThrows(IllegalArgumentException.class,
        () -> sampler.sample(LOGITS, 1, 7, rng))).hasMessageThat().contains("to 6, got 7");
    assertThat(assertThrows(IllegalArgumentException.class,
        () -> sampler.sample(LOGITS, 1, -1, rng))).hasMessageThat().contains("got -1");
    assertThat(assertThrows(IllegalArgumentException.class,
        () -> sampler.sample(new float[3], 1, 0, rng))).hasMessageThat().contains("6 logits");
  }
}
