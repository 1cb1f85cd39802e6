package dev.kiln.runtime.ops;

import static com.google.common.truth.Truth.assertThat;
import static dev.kiln.runtime.ops.Fixtures.assertClose;
import static dev.kiln.runtime.ops.Fixtures.block;
import static dev.kiln.runtime.ops.Fixtures.dim;
import static dev.kiln.runtime.ops.Fixtures.padded;
import static dev.kiln.runtime.ops.Fixtures.tensor;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.gson.JsonObject;
import dev.kiln.runtime.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * {@link SelfAttention} (projections and {@link ScaledDotProductAttention}) against {@code
 * transformer.json}'s {@code attention} block end to end: the output, the input gradient and every
 * parameter gradient, with heads, causality and shapes taken from the file.
 */
class SelfAttentionTest {
  private static final String[] NAMES = {"query.W", "query.b", "key.W", "key.b", "value.W",
      "value.b", "output.W", "output.b"};

  private static SelfAttention.Parameters parameters(JsonObject source) {
    Tensor[] p = new Tensor[NAMES.length];
    for (int i = 0; i < NAMES.length; i++) {
      assertThat(source.has(NAMES[i])).isTrue();
      p[i] = tensor(source.get(NAMES[i]));
    }
    return new SelfAttention.Parameters(p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7]);
  }

  private static Tensor[] list(SelfAttention.Parameters p) {
    return new Tensor[] {p.queryWeight(), p.queryBias(), p.keyWeight(), p.keyBias(),
        p.valueWeight(), p.valueBias(), p.outputWeight(), p.outputBias()};
  }

  private static SelfAttention.Parameters zerosLike(SelfAttention.Parameters p) {
    Tensor[] t = list(p);
    Tensor[] z = new Tensor[t.length];
    for (int i = 0; i < t.length; i++) {
      z[i] = Tensor.zeros(t[i].length());
      z[i].fill(Float.NaN); // every gradient is overwritten
    }
    return new SelfAttention.Parameters(z[0], z[1], z[2], z[3], z[4], z[5], z[6], z[7]);
  }

  @Test
  void matchesPyTorch() {
    run(0, 0);
  }

  /**
   * The same with the layer's buffers sized for more samples and a longer context than the call
   * uses, and NaN past the inputs: a call at a shorter {@code t} uses the packed prefix only.
   */
  @Test
  void matchesPyTorchInLargerBuffers() {
    run(2, 3);
  }

  private static void run(int extraSamples, int extraSteps) {
    JsonObject att = block("attention");
    String semantics = att.get("semantics").getAsString();
    assertThat(semantics).contains("W stored [in, out]");
    assertThat(semantics).contains("head j takes features [j*d, (j+1)*d)");
    int heads = att.get("heads").getAsInt();
    boolean causal = att.get("causal").getAsBoolean();
    int n = dim(att.get("input"), 0);
    int t = dim(att.get("input"), 1);
    int d = dim(att.get("input"), 2);
    int capacity = (n + extraSamples) * (t + extraSteps) * d;
    String at = extraSteps > 0 ? "attention (larger buffers) " : "attention ";

    SelfAttention layer = new SelfAttention(n + extraSamples, t + extraSteps, d, heads, causal);
    SelfAttention.Parameters params = parameters(att.getAsJsonObject("params"));
    Tensor x = padded(att.get("input"), capacity, Float.NaN);
    Tensor out = Tensor.zeros(capacity);
    layer.forward(x, n, t, params, out);
    assertClose(at + "output", out, att.get("output"));
    if (causal) {
      for (int i = 0; i < n * heads * t * t; i++) {
        int row = i / t % t;
        int column = i % t;
        if (column > row) {
          assertThat(layer.probabilities().get(i)).isEqualTo(0f);
        }
      }
    }

    Tensor dOut = padded(att.get("upstream_grad"), capacity, Float.NaN);
    SelfAttention.Parameters grads = zerosLike(params);
    Tensor dx = Tensor.zeros(capacity);
    layer.backward(x, dOut, n, t, params, grads, dx);
    assertClose(at + "grad_input", dx, att.get("grad_input"));
    JsonObject expected = att.getAsJsonObject("grads");
    Tensor[] actual = list(grads);
    for (int i = 0; i < NAMES.length; i++) {
      assertClose(at + "grads." + NAMES[i], actual[i], expected.get(NAMES[i]));
    }
  }

  @Test
  void refusesBadSizes() {
    assertThat(assertThrows(IllegalArgumentException.class,
        () -> new SelfAttention(2, 4, 10, 3, true)).getMessage())
        .isEqualTo("attention: 3 heads do not divide the width 10");
    SelfAttention layer = new SelfAttention(2, 4, 8, 2, true);
    Tensor x = Tensor.zeros(2 * 5 * 8);
    SelfAttention.Parameters p = new SelfAttention.Parameters(Tensor.zeros(8, 8), null,
        Tensor.zeros(8, 8), null, Tensor.zeros(8, 8), null, Tensor.zeros(8, 8), null);
    assertThat(assertThrows(IllegalArgumentException.class,
        () -> layer.forward(x, 2, 5, p, Tensor.zeros(80))).getMessage())
        .isEqualTo("self-attention: expected a sequence length in [1, 4], got 5");
    assertThat(assertThrows(IllegalArgumentException.class,
        () -> layer.forward(x, 3, 4, p, Tensor.zeros(96))).getMessage())
        .isEqualTo("self-attention: 3 samples exceed the batch of 2");
  }
}
