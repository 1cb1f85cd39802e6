package dev.kiln.runtime.optim;

import dev.kiln.runtime.tensor.Tensor;
import dev.kiln.runtime.testing.GoldenCheck;

import static com.google.common.truth.Truth.assertThat;
import static dev.kiln.runtime.testing.GoldenTensors.expected;
import static dev.kiln.runtime.testing.GoldenTensors.tensor;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.kiln.runtime.testing.Golden;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * {@link GradientClipper} and {@link Clipping#clipByValue}: the {@code GLOBAL} scope against every
 * {@code clip_grad_norm_} result of {@code clipping.json} (all norm types, NaN and infinity
 * included), value clipping against every {@code clip_grad_value_} result, {@code PER_PARAMETER}
 * against {@code clip_grad_norm_} applied to each tensor alone (the single-tensor case, and exact
 * hand-computed groups), {@code PER_LAYER} on hand-computed groups, and norms of finite gradients
 * too large for float32.
 */
class GradientClipperTest {
  private static final GoldenCheck GOLDEN = new GoldenCheck("clipping.json (GradientClipper)");
  private static final Map<String, Double> NORM_TYPES =
      Map.of("2", 2.0, "1", 1.0, "inf", Double.POSITIVE_INFINITY);

  @AfterAll
  static void summary() {
    System.out.println(GOLDEN.summary());
  }

  /** A parameter set over copies of the golden gradients; parameter {@code i} in layer {@code layers[i]}. */
  private static ParameterSet set(JsonArray grads, String... layers) {
    ParameterSet.Builder b = ParameterSet.builder();
    for (int i = 0; i < grads.size(); i++) {
      Tensor g = tensor(grads.get(i));
      b.add("p" + i, layers.length == 0 ? "layer" : layers[i], ParameterKind.WEIGHT,
          Tensor.zeros(Golden.shape(grads.get(i))), g);
    }
    return b.build();
  }

  @Test
  void globalScopeMatchesClipGradNorm() {
    JsonObject file = Golden.load("clipping.json");
    int checked = 0;
    for (JsonElement c : file.getAsJsonArray("cases")) {
      JsonObject kase = c.getAsJsonObject();
      String name = kase.get("name").getAsString();
      double maxNorm = kase.get("max_norm").getAsDouble();
      JsonArray input = kase.getAsJsonArray("grads");
      for (Map.Entry<String, JsonElement> e : kase.getAsJsonObject("clip_grad_norm_").entrySet()) {
        JsonObject result = e.getValue().getAsJsonObject();
        String at = name + " norm " + e.getKey() + " ";
        // layers differ per tensor: GLOBAL must ignore them
        String[] layers = new String[input.size()];
        for (int i = 0; i < layers.length; i++) {
          layers[i] = "layer" + i;
        }
        ParameterSet set = set(input, layers);
        GradientClipper clipper = GradientClipper.byNorm(set, maxNorm, NORM_TYPES.get(e.getKey()),
            GradientClipper.Scope.GLOBAL);
        double norm = clipper.measure();
        GOLDEN.check(at + "total_norm", norm, Golden.number(result.get("total_norm")),
            Golden.RTOL_F32, Golden.ATOL_F32);
        for (int i = 0; i < set.size(); i++) { // measuring changes nothing
          GOLDEN.check(at + "unchanged by measure " + i, set.gradient(i).toFloatArray(),
              expected(input.get(i)), 0, 0);
        }
        clipper.clip();
        JsonArray clipped = result.getAsJsonArray("clipped_grads");
        for (int i = 0; i < set.size(); i++) {
          GOLDEN.check(at + "clipped_grads " + i, set.gradient(i).toFloatArray(),
              expected(clipped.get(i)), Golden.RTOL_F32, Golden.ATOL_F32);
        }
        checked++;
      }
    }
    assertThat(checked).isAtLeast(1);
  }

  @Test
  void valueClippingMatchesClipGradValue() {
    JsonObject file = Golden.load("clipping.json");
    int checked = 0;
    for (JsonElement c : file.getAsJsonArray("cases")) {
      JsonObject kase = c.getAsJsonObject();
      if (!kase.has("clip_grad_value_")) {
        continue;
      }
      String name = kase.get("name").getAsString();
      ParameterSet set = set(kase.getAsJsonArray("grads"));
      GradientClipper clipper = GradientClipper.byValue(set, kase.get("clip_value").getAsDouble());
      clipper.measure();
      clipper.clip();
      JsonArray clipped = kase.getAsJsonArray("clip_grad_value_");
      for (int i = 0; i < set.size(); i++) {
        GOLDEN.check(name + " clip_grad_value_ " + i, set.gradient(i).toFloatArray(),
            expected(clipped.get(i)), Golden.RTOL_F32, Golden.ATOL_F32);
      }
      checked++;
    }
    assertThat(checked).isAtLeast(1);
  }

  /** Each tensor of every golden case, clipped alone, matches the single-tensor result. */
  @Test
  void perParameterScopeOnASingleTensorIsClipGradNorm() {
    JsonObject file = Golden.load("clipping.json");
    for (JsonElement c : file.getAsJsonArray("cases")) {
      JsonObject kase = c.getAsJsonObject();
      if (kase.getAsJsonArray("grads").size() != 1) {
        continue;
      }
      for (Map.Entry<String, JsonElement> e : kase.getAsJsonObject("clip_grad_norm_").entrySet()) {
        ParameterSet set = set(kase.getAsJsonArray("grads"));
        GradientClipper clipper = GradientClipper.byNorm(set, kase.get("max_norm").getAsDouble(),
            NORM_TYPES.get(e.getKey()), GradientClipper.Scope.PER_PARAMETER);
        clipper.measureAndClip();
        GOLDEN.check(kase.get("name").getAsString() + " per-parameter " + e.getKey(),
            set.gradient(0).toFloatArray(), expected(e.getValue().getAsJsonObject()
                .getAsJsonArray("clipped_grads").get(0)), Golden.RTOL_F32, Golden.ATOL_F32);
      }
    }
  }

  private static ParameterSet handSet(String[] layers, float[]... grads) {
    ParameterSet.Builder b = ParameterSet.builder();
    for (int i = 0; i < grads.length; i++) {
      Tensor g = Tensor.zeros(grads[i].length);
      g.setFrom(grads[i]);
      b.add("p" + i, layers[i], ParameterKind.WEIGHT, Tensor.zeros(grads[i].length), g);
    }
    return b.build();
  }

  /**
   * Layer {@code a}: {@code [3, 4]} (L2 5); layer {@code b}: {@code [0.6]} and {@code [0.8]}
   * (L2 1 together, 0.6 and 0.8 alone); layer {@code c}: {@code [12, 0, -5]} (L2 13). maxNorm 2.
   */
  private static ParameterSet groups() {
    return handSet(new String[] {"a", "b", "b", "c"}, new float[] {3, 4}, new float[] {0.6f},
        new float[] {0.8f}, new float[] {12, 0, -5});
  }

  @Test
  void perLayerScopeScalesEachLayerByItsOwnNorm() {
    ParameterSet set = groups();
    GradientClipper clipper = GradientClipper.byNorm(set, 2, 2, GradientClipper.Scope.PER_LAYER);
    double total = clipper.measure();
    Golden.assertAllClose("global L2 of all", new double[] {total},
        new double[] {Math.sqrt(9 + 16 + 0.36 + 0.64 + 144 + 25)}, 1e-6, 0);
    assertThat(clipper.groups()).isEqualTo(3);
    clipper.clip();
    double ca = 2 / (5 + 1e-6);
    double cc = 2 / (13 + 1e-6);
    Golden.assertAllClose("a", set.gradient(0).toFloatArray(), new double[] {3 * ca, 4 * ca},
        Golden.RTOL_F32, 0);
    Golden.assertAllClose("b unchanged (norm 1 < 2)", set.gradient(1).toFloatArray(),
        new double[] {0.6f}, 0, 0);
    Golden.assertAllClose("b unchanged", set.gradient(2).toFloatArray(), new double[] {0.8f}, 0, 0);
    Golden.assertAllClose("c", set.gradient(3).toFloatArray(),
        new double[] {12 * cc, 0, -5 * cc}, Golden.RTOL_F32, 0);
  }

  @Test
  void perParameterScopeScalesEachTensorByItsOwnNorm() {
    ParameterSet set = groups();
    GradientClipper clipper = GradientClipper.byNorm(set, 0.7, 1, GradientClipper.Scope.PER_PARAMETER);
    double total = clipper.measure();
    Golden.assertAllClose("global L1", new double[] {total},
        new double[] {3 + 4 + 0.6 + 0.8 + 12 + 5}, 1e-6, 0);
    assertThat(clipper.groups()).isEqualTo(4);
    clipper.clip();
    Golden.assertAllClose("a", set.gradient(0).toFloatArray(),
        new double[] {3 * 0.7 / (7 + 1e-6), 4 * 0.7 / (7 + 1e-6)}, Golden.RTOL_F32, 0);
    Golden.assertAllClose("b0 unchanged (0.6 < 0.7)", set.gradient(1).toFloatArray(),
        new double[] {0.6f}, 0, 0);
    Golden.assertAllClose("b1", set.gradient(2).toFloatArray(),
        new double[] {0.8 * 0.7 / (0.8 + 1e-6)}, Golden.RTOL_F32, 0);
    Golden.assertAllClose("c", set.gradient(3).toFloatArray(),
        new double[] {12 * 0.7 / (17 + 1e-6), 0, -5 * 0.7 / (17 + 1e-6)}, Golden.RTOL_F32, 0);
  }

  @Test
  void nonFiniteValuesStayInTheirGroup() {
    ParameterSet set = handSet(new String[] {"a", "b", "c"}, new float[] {3, Float.NaN},
        new float[] {Float.POSITIVE_INFINITY, -2}, new float[] {0.1f, 0.2f});
    GradientClipper clipper = GradientClipper.byNorm(set, 1, Double.POSITIVE_INFINITY,
        GradientClipper.Scope.PER_LAYER);
    assertThat(clipper.measure()).isNaN();
    clipper.clip();
    assertThat(set.gradient(0).toFloatArray()).isEqualTo(new float[] {Float.NaN, Float.NaN});
    assertThat(set.gradient(1).toFloatArray()).isEqualTo(new float[] {Float.NaN, -0f});
    assertThat(set.gradient(2).toFloatArray()).isEqualTo(new float[] {0.1f, 0.2f});
  }

  /** Finite float32 gradients whose norm exceeds Float.MAX_VALUE: finite norm, finite result. */
  @Test
  void normsOfHugeFiniteGradientsDoNotOverflow() {
    for (double normType : new double[] {1, 2}) {
      float big = 3e38f;
      ParameterSet set = handSet(new String[] {"a", "b"}, new float[] {big, -big, big},
          new float[] {big, 1f});
      GradientClipper clipper = GradientClipper.byNorm(set, 1, normType,
          GradientClipper.Scope.GLOBAL);
      double norm = clipper.measure();
      double expected = normType == 1 ? 4 * (double) big + 1
          : Math.sqrt(4 * (double) big * big + 1);
      Golden.assertAllClose("norm " + normType, new double[] {norm}, new double[] {expected},
          1e-12, 0);
      assertThat(Double.isFinite(norm)).isTrue();
      clipper.clip();
      for (int i = 0; i < set.size(); i++) {
        for (float v : set.gradient(i).toFloatArray()) {
          assertThat(Float.isFinite(v)).isTrue();
        }
      }
      Golden.assertAllClose("clipped " + normType, set.gradient(0).toFloatArray(),
          new double[] {big / expected, -big / expected, big / expected}, 1e-5, 1e-30);
    }
  }

  @Test
  void rejectsBadSettings() {
    ParameterSet set = groups();
    assertThrows(IllegalArgumentException.class,
        () -> GradientClipper.byNorm(set, 1, 3, GradientClipper.Scope.GLOBAL));
    assertThrows(IllegalArgumentException.class,
        () -> GradientClipper.byNorm(set, 0, 2, GradientClipper.Scope.GLOBAL));
    assertThrows(IllegalArgumentException.class, () -> GradientClipper.byValue(set, -1));
  }

  @Test
  void nonFiniteExceptionNamesLayerParameterAndElement() {
    ParameterSet set = handSet(new String[] {"hidden", "hidden", "logits"}, new float[] {1, 2},
        new float[] {3, Float.NEGATIVE_INFINITY, Float.NaN}, new float[] {Float.NaN});
    NonFiniteGradientException e = NonFiniteGradientException.locate(17, set);
    assertThat(e.step()).isEqualTo(17);
    assertThat(e.layer()).isEqualTo("hidden");
    assertThat(e.parameter()).isEqualTo("p1");
    assertThat(e.index()).isEqualTo(1);
    assertThat(e.value()).isEqualTo(Float.NEGATIVE_INFINITY);
    assertThat(e).hasMessageThat().contains("step 17");
    assertThat(e).hasMessageThat().contains("layer hidden, parameter p1");
    assertThrows(IllegalStateException.class,
        () -> NonFiniteGradientException.locate(0, groups()));
  }
}
