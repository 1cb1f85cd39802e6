package dev.kiln.runtime.data;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.runtime.tensor.SplitMix64;
import dev.kiln.runtime.tensor.Tensor;
import org.junit.jupiter.api.Test;

class TokenBatchesTest {
  private static final CharCorpus CORPUS = CharCorpus.of(
      "abcdefghijklmnopqrstuvwxyz0123456789".repeat(20), "letters");

  private static float[] draw(BatchSource source, Tensor ids, Tensor targets) {
    source.next(ids, targets);
    float[] both = new float[2 * ids.length()];
    for (int i = 0; i < ids.length(); i++) {
      both[i] = ids.get(i);
      both[ids.length() + i] = targets.get(i);
    }
    return both;
  }

  @Test
  void drawsSplitWindowsWithTheirNextTokensAsSplitBatchDoes() {
    TokenBatches batches = new TokenBatches(CORPUS.train(), 3, 5, 4, 42);
    Tensor ids = Tensor.zeros(3, 5);
    Tensor targets = Tensor.zeros(3, 5);
    int[] expectedIds = new int[15];
    int[] expectedTargets = new int[15];
    SplitMix64 random = new SplitMix64(42);
    batches.startEpoch();
    for (int b = 0; b < 4; b++) {
      assertThat(batches.hasNext()).isTrue();
      assertThat(batches.next(ids, targets)).isEqualTo(3);
      CORPUS.train().batch(random, 3, 5, expectedIds, expectedTargets);
      for (int i = 0; i < 15; i++) {
        assertThat((int) ids.get(i)).isEqualTo(expectedIds[i]);
        assertThat((int) targets.get(i)).isEqualTo(expectedTargets[i]);
      }
    }
    assertThat(batches.hasNext()).isFalse();
    assertThrows(IllegalStateException.class, () -> batches.next(ids, targets));
    assertThat(batches.stepsPerEpoch()).isEqualTo(4);
  }

  @Test
  void resumeContinuesAnIntervalWithTheSameBatches() {
    Tensor ids = Tensor.zeros(3, 5);
    Tensor targets = Tensor.zeros(3, 5);
    TokenBatches straight = new TokenBatches(CORPUS.train(), 3, 5, 4, 9);
    straight.startEpoch();
    straight.next(ids, targets);
    straight.next(ids, targets);
    straight.next(ids, targets);
    straight.next(ids, targets); // interval 1 drawn
    straight.startEpoch();
    long start = straight.epochStartState();
    straight.next(ids, targets);
    straight.next(ids, targets);
    float[] third = draw(straight, ids, targets);
    float[] fourth = draw(straight, ids, targets);

    TokenBatches resumed = new TokenBatches(CORPUS.train(), 3, 5, 4, 12345);
    resumed.resume(start, 2);
    assertThat(resumed.cursor()).isEqualTo(2);
    assertThat(draw(resumed, ids, targets)).isEqualTo(third);
    assertThat(draw(resumed, ids, targets)).isEqualTo(fourth);
    assertThat(resumed.hasNext()).isFalse();
    assertThat(resumed.nextEpochState()).isEqualTo(straight.nextEpochState());
  }

  @Test
  void refusesSizesBelowOneAndASplitShorterThanAWindow() {
    assertThrows(IllegalArgumentException.class,
        () -> new TokenBatches(CORPUS.train(), 0, 5, 4, 1));
    assertThrows(IllegalArgumentException.class,
        () -> new TokenBatches(CORPUS.train(), 1, 5, 0, 1));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new TokenBatches(CORPUS.validation(), 1, 72, 4, 1));
    assertThat(e).hasMessageThat().contains("at least 73");
  }
}
