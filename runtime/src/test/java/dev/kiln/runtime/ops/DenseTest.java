package dev.kiln.runtime.ops;

import dev.kiln.runtime.tensor.Tensor;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Dense.forward refuses bad arguments before writing anything, on every path. */
class DenseTest {
  private final Tensor x = Tensor.zeros(8, 16);
  private final Tensor w = Tensor.zeros(16, 4);
  private final Tensor b = Tensor.zeros(4);
  private final Tensor y = Tensor.zeros(8, 4);

  @Test
  void shortTensorsAreNamedAndNothingIsWritten() {
    b.fill(1f);
    y.fill(7f);
    Object[][] cases = {{"x", Tensor.zeros(7, 16)}, {"weight", Tensor.zeros(15, 4)},
        {"bias", Tensor.zeros(3)}, {"y", Tensor.zeros(7, 4)}};
    for (Object[] c : cases) {
      Tensor[] args = {x, w, b, y};
      int k = java.util.Arrays.asList("x", "weight", "bias", "y").indexOf(c[0]);
      args[k] = (Tensor) c[1];
      if (k == 3) {
        args[3].fill(7f);
      }
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> Dense.forward(args[0], 8, 16, args[1], args[2], 4, args[3]));
      assertThat(e).hasMessageThat().contains(c[0] + " has");
      for (int i = 0; i < args[3].length(); i++) {
        assertThat(args[3].get(i)).isEqualTo(7f);
      }
    }
  }

  @Test
  void sizesBelowOneAndOverlapsAreRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Dense.forward(x, 8, -1, w, b, 4, y));
    assertThat(e).hasMessageThat().contains("in=-1");
    assertThrows(IllegalArgumentException.class, () -> Dense.forward(x, 0, 16, w, b, 4, y));
    Tensor square = Tensor.zeros(8, 8);
    Tensor w8 = Tensor.zeros(8, 8);
    e = assertThrows(IllegalArgumentException.class,
        () -> Dense.forward(square, 8, 8, w8, null, 8, square));
    assertThat(e).hasMessageThat().contains("overlap");
  }

  @Test
  void theProductIsRight() {
    for (int i = 0; i < x.length(); i++) {
      x.set(i, i % 5 - 2);
    }
    for (int i = 0; i < w.length(); i++) {
      w.set(i, i % 3 - 1);
    }
    b.fill(0.5f);
    Dense.forward(x, 8, 16, w, b, 4, y);
    for (int r = 0; r < 8; r++) {
      for (int j = 0; j < 4; j++) {
        float expected = 0.5f;
        for (int p = 0; p < 16; p++) {
          expected += x.get(r * 16 + p) * w.get(p * 4 + j);
        }
        assertThat(y.get(r * 4 + j)).isEqualTo(expected);
      }
    }
  }
}
