package dev.kiln.runtime.data;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class NormalizerTest {
  /** Feature 0: 1, 2, 3, 6; feature 1: constant 5. */
  private static final Dataset TRAIN = Dataset.ofClassIndices(
      new float[] {1, 5, 2, 5, 3, 5, 6, 5}, 2, new int[] {0, 1, 0, 1}, 2, "train");
  private static final Dataset TEST = Dataset.ofClassIndices(
      new float[] {4, 5, 11, 7}, 2, new int[] {1, 0}, 2, "test");

  @Test
  void minMaxScalesTheTrainingRangeToUnitAndKeepsItForTestData() {
    Normalizer n = Normalizer.minMax().fit(TRAIN);
    assertThat(n.offsets()).usingExactEquality().containsExactly(1f, 5f).inOrder();
    assertThat(n.scales()).usingExactEquality().containsExactly(5f, 1f).inOrder();
    assertThat(n.apply(TRAIN).features()).usingTolerance(1e-7)
        .containsExactly(0f, 0f, 0.2f, 0f, 0.4f, 0f, 1f, 0f).inOrder();
    assertThat(n.apply(TEST).features()).usingTolerance(1e-7)
        .containsExactly(0.6f, 0f, 2f, 2f).inOrder();
    assertThat(n.apply(TEST).labels()).isSameInstanceAs(TEST.labels());
    assertThat(TRAIN.features()[0]).isEqualTo(1f); // the input is not changed
  }

  @Test
  void standardizeUsesTheTrainingMeanAndPopulationStd() {
    Normalizer n = Normalizer.standardize().fit(TRAIN);
    // mean 3, population variance (4 + 1 + 0 + 9) / 4 = 3.5 (numpy.std, StandardScaler)
    double std = Math.sqrt(3.5);
    assertThat(n.offsets()).usingTolerance(1e-7).containsExactly(3f, 5f).inOrder();
    assertThat(n.scales()).usingTolerance(1e-6).containsExactly((float) std, 1f).inOrder();
    float[] out = n.apply(TRAIN).features();
    double mean = 0;
    double sq = 0;
    for (int r = 0; r < 4; r++) {
      mean += out[2 * r];
      sq += out[2 * r] * out[2 * r];
    }
    assertThat(mean / 4).isWithin(1e-6).of(0);
    assertThat(sq / 4).isWithin(1e-6).of(1);
    assertThat(n.apply(TEST).features()[2]).isWithin(1e-6f).of((float) ((11 - 3) / std));
  }

  @Test
  void storedArraysRestoreTheSameNormalizer() {
    Normalizer n = Normalizer.standardize().fit(TRAIN);
    Normalizer back = Normalizer.restore(n.kind(), n.offsets(), n.scales());
    assertThat(back.apply(TEST).features()).isEqualTo(n.apply(TEST).features());
    float[] x = TEST.features().clone();
    back.applyInPlace(x, 2);
    assertThat(x).isEqualTo(n.apply(TEST).features());
  }

  @Test
  void misuseIsRefused() {
    IllegalStateException unfitted = assertThrows(IllegalStateException.class,
        () -> Normalizer.minMax().apply(TEST));
    assertThat(unfitted).hasMessageThat().contains("call fit(train) first");
    Dataset wide = Dataset.ofClassIndices(new float[3], 3, new int[] {0}, 2, "wide");
    assertThrows(IllegalArgumentException.class,
        () -> Normalizer.minMax().fit(TRAIN).apply(wide));
    assertThrows(IllegalArgumentException.class,
        () -> Normalizer.restore(Normalizer.Kind.MIN_MAX, new float[] {0}, new float[] {0}));
    Dataset nan = Dataset.ofClassIndices(new float[] {Float.NaN}, 1, new int[] {0}, 2, "nan");
    assertThrows(IllegalArgumentException.class, () -> Normalizer.standardize().fit(nan));
  }
}
