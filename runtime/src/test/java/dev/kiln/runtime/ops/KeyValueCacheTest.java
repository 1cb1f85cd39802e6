package dev.kiln.runtime.ops;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.runtime.tensor.SplitMix64;
import dev.kiln.runtime.tensor.Tensor;
import dev.kiln.runtime.testing.AllocationProbe;
import org.junit.jupiter.api.Test;

/**
 * {@link KeyValueCache}: positions run one at a time give, at each, the output of a full causal
 * {@link SelfAttention#forward} of the sequence so far (with and without biases); a new sequence
 * starts at position 0; bad positions are refused; a step allocates nothing.
 */
class KeyValueCacheTest {
  private static final int CONTEXT = 9;
  private static final int WIDTH = 12;
  private static final int HEADS = 3;

  private static Tensor random(SplitMix64 rng, long... shape) {
    Tensor t = Tensor.zeros(shape);
    for (int i = 0; i < t.length(); i++) {
      t.set(i, (float) rng.nextGaussian() * 0.5f);
    }
    return t;
  }

  private static SelfAttention.Parameters parameters(SplitMix64 rng, boolean bias) {
    return new SelfAttention.Parameters(random(rng, WIDTH, WIDTH),
        bias ? random(rng, WIDTH) : null, random(rng, WIDTH, WIDTH),
        bias ? random(rng, WIDTH) : null, random(rng, WIDTH, WIDTH),
        bias ? random(rng, WIDTH) : null, random(rng, WIDTH, WIDTH),
        bias ? random(rng, WIDTH) : null);
  }

  private static void checkSequence(KeyValueCache cache, SelfAttention.Parameters p,
      Tensor x, int t) {
    SelfAttention full = new SelfAttention(1, CONTEXT, WIDTH, HEADS, true);
    Tensor expected = Tensor.zeros(t, WIDTH);
    full.forward(x, 1, t, p, expected);
    Tensor row = Tensor.zeros(WIDTH);
    Tensor out = Tensor.zeros(WIDTH);
    for (int position = 0; position < t; position++) {
      row.data().put(0, x.data(), position * WIDTH, WIDTH);
      cache.forward(row, position, p, out);
      for (int i = 0; i < WIDTH; i++) {
        assertWithMessage("position %s, feature %s", position, i).that(
            (double) out.get(i)).isWithin(1e-5).of(expected.get(position * WIDTH + i));
      }
    }
  }

  @Test
  void stepsEqualTheFullCausalForward() {
    SplitMix64 rng = new SplitMix64(5);
    for (boolean bias : new boolean[] {true, false}) {
      SelfAttention.Parameters p = parameters(rng, bias);
      KeyValueCache cache = new KeyValueCache(CONTEXT, WIDTH, HEADS);
      checkSequence(cache, p, random(rng, CONTEXT, WIDTH), CONTEXT);
      // the same cache, a new and shorter sequence from position 0
      checkSequence(cache, p, random(rng, CONTEXT, WIDTH), 4);
    }
  }

  @Test
  void badArgumentsAreRefused() {
    KeyValueCache cache = new KeyValueCache(CONTEXT, WIDTH, HEADS);
    SelfAttention.Parameters p = parameters(new SplitMix64(1), true);
    Tensor x = Tensor.zeros(WIDTH);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> cache.forward(x, CONTEXT, p, Tensor.zeros(WIDTH)));
    assertThat(e).hasMessageThat().contains("[0, 9), got 9");
    assertThrows(IllegalArgumentException.class, () -> cache.forward(x, -1, p, x));
    assertThrows(IllegalArgumentException.class,
        () -> cache.forward(Tensor.zeros(WIDTH - 1), 0, p, Tensor.zeros(WIDTH)));
    assertThat(assertThrows(IllegalArgumentException.class, () -> new KeyValueCache(4, 10, 3)))
        .hasMessageThat().contains("3 heads do not divide the width 10");
  }

  @Test
  void aStepAllocatesNothing() {
    KeyValueCache cache = new KeyValueCache(CONTEXT, WIDTH, HEADS);
    SelfAttention.Parameters p = parameters(new SplitMix64(2), true);
    Tensor x = random(new SplitMix64(3), WIDTH);
    Tensor out = Tensor.zeros(WIDTH);
    int[] position = {0};
    AllocationProbe.assertAllocationFree("key/value cache step", () -> {
      cache.forward(x, position[0], p, out);
      position[0] = (position[0] + 1) % CONTEXT;
    }, 2000, 2000, 16);
  }
}
