package dev.kiln.runtime.ops;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.runtime.tensor.SplitMix64;
import dev.kiln.runtime.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * {@link SequenceDistillationLoss}: over {@code n·T} positions it is {@link DistillationLoss} on
 * the same rows with one-hot labels (loss, both terms, gradient); {@code α = 0} is {@link
 * SequenceCrossEntropy}; one position by hand; a bad target is refused before anything is written.
 */
class SequenceDistillationLossTest {
  private static final int ROWS = 2 * 5;
  private static final int V = 7;

  private static Tensor random(long seed, int... shape) {
    SplitMix64 rng = new SplitMix64(seed);
    long[] s = new long[shape.length];
    for (int i = 0; i < shape.length; i++) {
      s[i] = shape[i];
    }
    Tensor t = Tensor.zeros(s);
    for (int i = 0; i < t.length(); i++) {
      t.set(i, (float) (2 * rng.nextGaussian()));
    }
    return t;
  }

  private static Tensor targets() {
    Tensor y = Tensor.zeros(2, 5);
    for (int r = 0; r < ROWS; r++) {
      y.set(r, (r * 3 + 1) % V);
    }
    return y;
  }

  @Test
  void equalsTheRowDistillationLossOnOneHotTargets() {
    Tensor s = random(1, 2, 5, V);
    Tensor t = random(2, 2, 5, V);
    Tensor y = targets();
    Tensor oneHot = Tensor.zeros(ROWS, V);
    for (int r = 0; r < ROWS; r++) {
      oneHot.set(r * V + (int) y.get(r), 1f);
    }
    Tensor g = Tensor.zeros(2, 5, V);
    Tensor expectedG = Tensor.zeros(ROWS, V);
    double[] terms = new double[2];
    double[] expectedTerms = new double[2];
    double loss = SequenceDistillationLoss.loss(s, t, y, ROWS, V, 5, 2.5, 0.4, g, terms);
    double expected = DistillationLoss.loss(s, t, oneHot, ROWS, V, 2.5, 0.4, 0, expectedG,
        expectedTerms);
    assertThat(loss).isWithin(1e-12).of(expected);
    assertThat(terms[0]).isWithin(1e-12).of(expectedTerms[0]);
    assertThat(terms[1]).isWithin(1e-12).of(expectedTerms[1]);
    for (int i = 0; i < ROWS * V; i++) {
      assertWithMessage("grad[%s]", i).that((double) g.get(i))
          .isWithin(1e-7).of(expectedG.get(i));
    }
  }

  @Test
  void alphaZeroIsTheSequenceCrossEntropy() {
    Tensor s = random(3, 2, 5, V);
    Tensor t = random(4, 2, 5, V);
    Tensor g = Tensor.zeros(ROWS, V);
    Tensor expectedG = Tensor.zeros(ROWS, V);
    double loss = SequenceDistillationLoss.loss(s, t, targets(), ROWS, V, 5, 3, 0, g, null);
    double expected = SequenceCrossEntropy.compute(s, targets(), ROWS, V, 5, expectedG);
    // that kernel takes the row maximum in float: equal up to double rounding of its shift
    assertThat(loss).isWithin(1e-9).of(expected);
    for (int i = 0; i < ROWS * V; i++) {
      assertThat((double) g.get(i)).isWithin(1e-8).of(expectedG.get(i));
    }
  }

  @Test
  void onePositionByHand() {
    // student (0, ln 3), teacher (ln 3, 0), target 1, τ = 1, α = 0.5:
    // q = (1/4, 3/4), p = (3/4, 1/4); KL = 3/4·ln 3 + 1/4·ln(1/3) = ln 3 / 2; CE = −ln(3/4)
    Tensor s = Tensor.zeros(1, 2);
    s.set(1, (float) Math.log(3));
    Tensor t = Tensor.zeros(1, 2);
    t.set(0, (float) Math.log(3));
    Tensor y = Tensor.zeros(1);
    y.set(0, 1f);
    Tensor g = Tensor.zeros(1, 2);
    double loss = SequenceDistillationLoss.loss(s, t, y, 1, 2, 1, 1, 0.5, g, null);
    assertThat(loss).isWithin(1e-6).of(0.5 * Math.log(3) / 2 - 0.5 * Math.log(0.75));
    // 0.5·(q − p) + 0.5·(softmax − onehot) = 0.5·(−1/2, 1/2) + 0.5·(1/4, −1/4)
    assertThat((double) g.get(0)).isWithin(1e-6).of(-0.125);
    assertThat((double) g.get(1)).isWithin(1e-6).of(0.125);
  }

  @Test
  void badTargetIsRefusedBeforeAnyWrite() {
    Tensor y = targets();
    y.set(7, V);
    Tensor g = Tensor.zeros(ROWS, V);
    g.fill(5f);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SequenceDistillationLoss.loss(random(1, ROWS, V), random(2, ROWS, V), y, ROWS, V,
            5, 2, 0.5, g, null));
    assertThat(e).hasMessageThat().contains("target 7.0 at position");
    assertThat(g.get(0)).isEqualTo(5f);
  }
}
