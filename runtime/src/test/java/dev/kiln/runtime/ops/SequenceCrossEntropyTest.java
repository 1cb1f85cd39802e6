package dev.kiln.runtime.ops;

import static com.google.common.truth.Truth.assertThat;
import static dev.kiln.runtime.ops.Fixtures.assertClose;
import static dev.kiln.runtime.ops.Fixtures.block;
import static dev.kiln.runtime.ops.Fixtures.dim;
import static dev.kiln.runtime.ops.Fixtures.ints;
import static dev.kiln.runtime.ops.Fixtures.tensor;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.gson.JsonObject;
import dev.kiln.runtime.tensor.Tensor;
import dev.kiln.runtime.testing.Golden;
import org.junit.jupiter.api.Test;

/** {@link SequenceCrossEntropy} against {@code transformer.json}'s {@code sequence_cross_entropy}. */
class SequenceCrossEntropyTest {
  @Test
  void matchesPyTorch() {
    JsonObject ce = block("sequence_cross_entropy");
    assertThat(ce.get("call").getAsString()).contains("mean over all N*T positions");
    int[] targets = ints(ce.get("targets"));
    int steps = dim(ce.get("logits"), 1);
    int classes = dim(ce.get("logits"), 2);
    int rows = dim(ce.get("logits"), 0) * steps;
    assertThat(targets.length).isEqualTo(rows);
    double expectedLoss = Golden.number(ce.get("loss"));
    Tensor targetTensor = Tensor.zeros(rows);
    for (int i = 0; i < rows; i++) {
      targetTensor.set(i, targets[i]);
    }

    Tensor logits = tensor(ce.get("logits"));
    Tensor grad = Tensor.zeros(rows, classes);
    double loss = SequenceCrossEntropy.compute(logits, targetTensor, rows, classes, steps, grad);
    assertClose("sequence_cross_entropy loss", new float[] {(float) loss},
        new double[] {expectedLoss});
    assertClose("sequence_cross_entropy grad_logits", grad, ce.get("grad_logits"));

    // int[] targets, gradient written over the logits.
    loss = SequenceCrossEntropy.compute(logits, targets, rows, classes, steps, logits);
    assertClose("sequence_cross_entropy loss (int targets)", new float[] {(float) loss},
        new double[] {expectedLoss});
    assertClose("sequence_cross_entropy grad in place", logits, ce.get("grad_logits"));
  }

  @Test
  void refusesTargetsOutsideTheVocabulary() {
    Tensor logits = Tensor.zeros(4, 3);
    Tensor grad = Tensor.zeros(4, 3);
    grad.fill(5f);
    Tensor targets = Tensor.zeros(4);
    targets.set(3, 3f);
    assertThat(assertThrows(IllegalArgumentException.class,
        () -> SequenceCrossEntropy.compute(logits, targets, 4, 3, 2, grad)).getMessage())
        .isEqualTo("sequence cross-entropy: target 3.0 at position 3 (sample 1, step 1) is not a"
            + " whole number in [0, 3)");
    assertThat(grad.get(0)).isEqualTo(5f);
    assertThat(assertThrows(IllegalArgumentException.class,
        () -> SequenceCrossEntropy.compute(logits, new int[] {0, 1}, 4, 3, 2, grad)).getMessage())
        .contains("targets has 2 elements; 4 needed");
  }
}
