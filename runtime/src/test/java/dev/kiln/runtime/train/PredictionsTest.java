package dev.kiln.runtime.train;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.runtime.ops.LossKind;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Issue 18, item 8: class probabilities and predicted classes, with names, from logits. */
class PredictionsTest {
  private static final INDArray LOGITS = Nd4j.create(new float[] {1, 2, 3, 5, 1, 0},
      new long[] {2, 3}, 'c');

  @Test
  void softmaxProbabilitiesArgmaxAndNames() {
    Predictions p = Predictions.ofLogits(LOGITS, LossKind.SOFTMAX_CROSS_ENTROPY)
        .withClassNames(List.of("cat", "dog", "bird"));
    assertThat(p.size()).isEqualTo(2);
    assertThat(p.predictedClasses()).asList().containsExactly(2, 0).inOrder();
    assertThat(p.predictedName(0)).isEqualTo("bird");
    assertThat(p.predictedName(1)).isEqualTo("cat");
    double e1 = Math.exp(1);
    double e2 = Math.exp(2);
    double e3 = Math.exp(3);
    assertThat(p.probability(0)).isWithin(1e-6).of(e3 / (e1 + e2 + e3));
    for (int r = 0; r < 2; r++) {
      assertThat(p.probabilities().getRow(r).sumNumber().doubleValue()).isWithin(1e-6).of(1);
    }
  }

  @Test
  void sigmoidForBinaryCrossEntropyAndMseRefused() {
    Predictions p = Predictions.ofLogits(LOGITS, LossKind.SIGMOID_BINARY_CROSS_ENTROPY);
    assertThat(p.probabilities().getDouble(0, 0)).isWithin(1e-6).of(1 / (1 + Math.exp(-1)));
    assertThat(p.predictedName(1)).isEqualTo("0");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Predictions.ofLogits(LOGITS, LossKind.MSE));
    assertThat(e).hasMessageThat().contains("regression");
    assertThrows(IllegalArgumentException.class,
        () -> Predictions.ofLogits(LOGITS, LossKind.SOFTMAX_CROSS_ENTROPY)
            .withClassNames(List.of("a")));
  }
}
