package dev.kiln.runtime.ops;

import static com.google.common.truth.Truth.assertThat;
import static dev.kiln.runtime.ops.Fixtures.assertClose;
import static dev.kiln.runtime.ops.Fixtures.block;
import static dev.kiln.runtime.ops.Fixtures.dim;
import static dev.kiln.runtime.ops.Fixtures.ints;
import static dev.kiln.runtime.ops.Fixtures.tensor;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.gson.JsonObject;
import dev.kiln.runtime.tensor.SplitMix64;
import dev.kiln.runtime.tensor.Tensor;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * {@link Embedding} against {@code transformer.json}'s {@code embedding} block (nn.Embedding, with
 * repeated ids), and the position embedding against a direct sum.
 */
class EmbeddingTest {
  @Test
  void tokenEmbeddingMatchesPyTorch() {
    JsonObject emb = block("embedding");
    int[] ids = ints(emb.get("ids"));
    int steps = dim(emb.get("ids"), 1);
    int rows = dim(emb.get("weight"), 0);
    int width = dim(emb.get("weight"), 1);
    int count = ids.length;
    // The point of the block: some id occurs more than once, so backward must accumulate.
    assertThat(Arrays.stream(ids).distinct().count()).isLessThan((long) count);
    Tensor table = tensor(emb.get("weight"));
    Tensor idTensor = Tensor.zeros(count);
    for (int i = 0; i < count; i++) {
      idTensor.set(i, ids[i]);
    }

    Tensor out = Tensor.zeros(count, width);
    Embedding.forward(idTensor, count, steps, table, rows, width, out);
    assertClose("embedding output (float ids)", out, emb.get("output"));
    out.fill(Float.NaN);
    Embedding.forward(ids, count, steps, table, rows, width, out);
    assertClose("embedding output (int ids)", out, emb.get("output"));

    Tensor dy = tensor(emb.get("upstream_grad"));
    Tensor grad = Tensor.zeros(rows, width);
    grad.fill(Float.NaN); // overwritten, rows of absent ids included
    Embedding.backward(idTensor, count, steps, dy, rows, width, grad);
    assertClose("embedding grad_weight (float ids)", grad, emb.get("grad_weight"));
    grad.fill(Float.NaN);
    Embedding.backward(ids, count, steps, dy, rows, width, grad);
    assertClose("embedding grad_weight (int ids)", grad, emb.get("grad_weight"));
  }

  @Test
  void refusesIdsOutsideTheTableNamingThePosition() {
    Tensor table = Tensor.zeros(7, 4);
    Tensor out = Tensor.zeros(6, 4);
    out.fill(3f);
    Tensor ids = Tensor.zeros(6);
    ids.set(4, 7f);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Embedding.forward(ids, 6, 3, table, 7, 4, out));
    assertThat(e.getMessage()).isEqualTo("embedding: token id 7.0 at position 4 (sample 1, step 1)"
        + " is not a whole number in [0, 7)");
    assertThat(out.get(0)).isEqualTo(3f); // nothing written
    ids.set(4, 2.5f);
    assertThat(assertThrows(IllegalArgumentException.class,
        () -> Embedding.forward(ids, 6, 3, table, 7, 4, out)).getMessage()).contains("2.5");
    ids.set(4, -1f);
    assertThat(assertThrows(IllegalArgumentException.class,
        () -> Embedding.backward(ids, 6, 3, Tensor.zeros(6, 4), 7, 4, table)).getMessage())
        .contains("token id -1.0 at position 4");
    int[] array = {0, 1, 2, 9, 0, 0};
    assertThat(assertThrows(IllegalArgumentException.class,
        () -> Embedding.forward(array, 6, 0, table, 7, 4, out)).getMessage())
        .isEqualTo("embedding: token id 9 at position 3 is outside [0, 7)");
    assertThat(assertThrows(IllegalArgumentException.class,
        () -> Embedding.forward(ids, 6, 3, table, 7, 4, Tensor.zeros(5, 4))).getMessage())
        .contains("out has 20 elements; 24 needed");
  }

  /** Position embedding at a shorter sequence than the table's context, against a direct sum. */
  @Test
  void positionEmbeddingAddsRowsAndSumsGradientsOverTheBatch() {
    SplitMix64 rng = new SplitMix64(17);
    int context = 6;
    int width = 5;
    int n = 3;
    int steps = 4;
    Tensor positions = Fixtures.random(rng, 1, context, width);
    Tensor x = Fixtures.random(rng, 1, n * steps, width);
    float[] before = x.toFloatArray();
    Embedding.addPositions(positions, context, n, steps, width, x);
    for (int s = 0; s < n; s++) {
      for (int p = 0; p < steps; p++) {
        for (int j = 0; j < width; j++) {
          int i = (s * steps + p) * width + j;
          assertThat(x.get(i)).isEqualTo(before[i] + positions.get(p * width + j));
        }
      }
    }
    Tensor dy = Fixtures.random(rng, 1, n * steps, width);
    Tensor grad = Tensor.zeros(context, width);
    grad.fill(Float.NaN);
    Embedding.positionsBackward(dy, n, steps, width, grad, context);
    for (int p = 0; p < context; p++) {
      for (int j = 0; j < width; j++) {
        double sum = 0;
        for (int s = 0; s < n && p < steps; s++) {
          sum += dy.get((s * steps + p) * width + j);
        }
        assertThat(grad.get(p * width + j)).isEqualTo((float) sum);
      }
    }
    assertThat(assertThrows(IllegalArgumentException.class,
        () -> Embedding.addPositions(positions, context, n, context + 1, width,
            Tensor.zeros(n * (context + 1) * width))).getMessage())
        .isEqualTo("position embedding: 7 steps exceed the context of 6 positions");
  }
}
