package dev.kiln.runtime.optim;

import dev.kiln.runtime.tensor.Tensor;
import dev.kiln.runtime.testing.GoldenCheck;

import static com.google.common.truth.Truth.assertThat;
import static dev.kiln.runtime.testing.GoldenTensors.expected;
import static dev.kiln.runtime.testing.GoldenTensors.tensor;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.kiln.runtime.testing.Golden;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * {@link Clipping} against {@code clipping.json}'s {@code clip_grad_norm_} results for every case
 * and every norm type it records ("2", "1", "inf"): the total norm, both from {@link
 * Clipping#globalNorm} and as returned by {@link Clipping#clipByGlobalNorm}, and the clipped
 * gradients, including PyTorch's propagation of NaN and infinity. {@code clip_grad_value_} and
 * the scoped clipper are checked in {@link GradientClipperTest}; {@code error_if_nonfinite=True}
 * corresponds to the trainers' {@code onNonFinite = ERROR} (processor tests).
 */
class ClippingTest {
  private static final GoldenCheck GOLDEN = new GoldenCheck("clipping.json clip_grad_norm_");
  private static final Map<String, Double> NORM_TYPES =
      Map.of("2", 2.0, "1", 1.0, "inf", Double.POSITIVE_INFINITY);

  @AfterAll
  static void summary() {
    System.out.println(GOLDEN.summary());
  }

  private static Tensor[] grads(JsonArray golden) {
    Tensor[] out = new Tensor[golden.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = tensor(golden.get(i));
    }
    return out;
  }

  @Test
  void clipGradNormMatchesPyTorch() {
    JsonObject file = Golden.load("clipping.json");
    assertThat(file.get("dtype").getAsString()).isEqualTo("float32");
    int checked = 0;
    boolean sawNaN = false;
    boolean sawInfinity = false;
    for (JsonElement c : file.getAsJsonArray("cases")) {
      JsonObject kase = c.getAsJsonObject();
      String name = kase.get("name").getAsString();
      double maxNorm = kase.get("max_norm").getAsDouble();
      JsonArray input = kase.getAsJsonArray("grads");
      for (Map.Entry<String, JsonElement> e : kase.getAsJsonObject("clip_grad_norm_").entrySet()) {
        Double normType = NORM_TYPES.get(e.getKey());
        assertThat(normType).isNotNull();
        JsonObject result = e.getValue().getAsJsonObject();
        String at = name + " norm " + e.getKey() + " ";
        double expectedNorm = Golden.number(result.get("total_norm"));
        sawNaN |= Double.isNaN(expectedNorm);
        sawInfinity |= Double.isInfinite(expectedNorm);

        Tensor[] fresh = grads(input);
        float norm = Clipping.globalNorm(fresh, normType);
        GOLDEN.check(at + "globalNorm", norm, expectedNorm, Golden.RTOL_F32, Golden.ATOL_F32);
        for (int i = 0; i < fresh.length; i++) { // computing the norm changes nothing
          GOLDEN.check(at + "grads untouched by globalNorm " + i, fresh[i].toFloatArray(),
              expected(input.get(i)), 0, 0);
        }

        Tensor[] clipped = grads(input);
        float returned = Clipping.clipByGlobalNorm(clipped, maxNorm, normType);
        GOLDEN.check(at + "total_norm", returned, expectedNorm, Golden.RTOL_F32, Golden.ATOL_F32);
        JsonArray expectedGrads = result.getAsJsonArray("clipped_grads");
        assertThat(expectedGrads.size()).isEqualTo(clipped.length);
        for (int i = 0; i < clipped.length; i++) {
          GOLDEN.check(at + "clipped_grads " + i, clipped[i].toFloatArray(),
              expected(expectedGrads.get(i)), Golden.RTOL_F32, Golden.ATOL_F32);
        }
        checked++;
      }
    }
    assertThat(checked).isAtLeast(1);
    // the public file has NaN and infinity cases; a consumer config without them is fine too
    System.out.println("[golden] clipping.json: " + checked + " (case, norm type) results checked"
        + (sawNaN ? ", with NaN" : "") + (sawInfinity ? ", with Infinity" : ""));
  }

  /** The infinity norm must propagate a NaN wherever it is, not only as the last element. */
  @Test
  void infinityNormPropagatesNaNAtAnyPosition() {
    for (int position = 0; position < 4; position++) {
      Tensor a = Tensor.zeros(4);
      a.setFrom(new float[] {0.5f, -2f, 1f, 0.25f});
      a.set(position, Float.NaN);
      Tensor b = Tensor.zeros(2);
      b.setFrom(new float[] {3f, -1f});
      Tensor[] grads = {a, b};
      assertThat(Clipping.globalNorm(grads, Double.POSITIVE_INFINITY)).isNaN();
      assertThat(Clipping.globalNorm(new Tensor[] {b, a}, Double.POSITIVE_INFINITY)).isNaN();
      assertThat(Clipping.globalNorm(grads, 2)).isNaN();
      assertThat(Clipping.globalNorm(grads, 1)).isNaN();
    }
  }
}
