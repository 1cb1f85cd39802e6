package dev.kiln.runtime.ops;

import dev.kiln.runtime.tensor.Tensor;
import dev.kiln.runtime.testing.GoldenCheck;

import static com.google.common.truth.Truth.assertThat;
import static dev.kiln.runtime.testing.GoldenTensors.classIndices;
import static dev.kiln.runtime.testing.GoldenTensors.expected;
import static dev.kiln.runtime.testing.GoldenTensors.head;
import static dev.kiln.runtime.testing.GoldenTensors.oneHot;
import static dev.kiln.runtime.testing.GoldenTensors.padded;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.kiln.runtime.testing.Golden;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * {@link Losses} against {@code losses.json}: the value and the gradient of each loss that has a
 * kernel. {@code knowledge_distillation} is checked by {@link DistillationLossTest}.
 *
 * <p>Every tensor is sized for two more rows than the golden batch, filled with NaN, and the
 * kernels get {@code n} = the golden batch: a kernel that reads past row {@code n} fails.
 */
class LossesTest {
  private static final GoldenCheck GOLDEN = new GoldenCheck("losses.json");
  private static final double RTOL = Golden.RTOL_F32;
  private static final double ATOL = Golden.ATOL_F32;
  private static final int EXTRA_ROWS = 2;

  @AfterAll
  static void summary() {
    System.out.println(GOLDEN.summary());
  }

  private static JsonObject entry(String name) {
    for (JsonElement e : Golden.load("losses.json").getAsJsonArray("losses")) {
      if (e.getAsJsonObject().get("name").getAsString().equals(name)) {
        return e.getAsJsonObject();
      }
    }
    throw new AssertionError("losses.json has no entry " + name);
  }

  @Test
  void crossEntropy() {
    checkCrossEntropy("cross_entropy");
  }

  @Test
  void crossEntropyWithLabelSmoothing() {
    checkCrossEntropy("cross_entropy_label_smoothing");
  }

  @Test
  void crossEntropyWithLargeLogits() {
    checkCrossEntropy("cross_entropy_large_logits");
  }

  @Test
  void meanSquaredError() {
    JsonObject e = entry("mse");
    assertThat(e.get("grad_wrt").getAsString()).isEqualTo("pred");
    JsonElement pred = e.getAsJsonObject("inputs").get("pred");
    long[] shape = Golden.shape(pred);
    int n = (int) shape[0];
    int width = (int) shape[1];
    Tensor p = padded(pred, EXTRA_ROWS, Float.NaN);
    Tensor t = padded(e.getAsJsonObject("inputs").get("target"), EXTRA_ROWS, Float.NaN);
    Tensor grad = Tensor.zeros(n + EXTRA_ROWS, width);
    double value = Losses.meanSquaredError(p, t, n, width, grad);
    GOLDEN.check("mse value", value, e.get("value").getAsDouble(), RTOL, ATOL);
    GOLDEN.check("mse grad", head(grad, n * width), expected(e.get("grad")), RTOL, ATOL);
  }

  @Test
  void binaryCrossEntropyWithLogits() {
    JsonObject e = entry("bce_with_logits");
    assertThat(e.get("grad_wrt").getAsString()).isEqualTo("logits");
    JsonElement logits = e.getAsJsonObject("inputs").get("logits");
    long[] shape = Golden.shape(logits);
    int n = (int) shape[0];
    int width = (int) shape[1];
    Tensor z = padded(logits, EXTRA_ROWS, Float.NaN);
    Tensor t = padded(e.getAsJsonObject("inputs").get("target"), EXTRA_ROWS, Float.NaN);
    Tensor grad = Tensor.zeros(n + EXTRA_ROWS, width);
    double value = Losses.sigmoidBinaryCrossEntropy(z, t, n, width, grad);
    GOLDEN.check("bce_with_logits value", value, e.get("value").getAsDouble(), RTOL, ATOL);
    GOLDEN.check("bce_with_logits grad", head(grad, n * width), expected(e.get("grad")), RTOL,
        ATOL);
  }

  /** Every entry of the file is either checked here or knowingly skipped. */
  @Test
  void everyEntryIsCoveredOrKnowinglySkipped() {
    Set<String> covered = Set.of("cross_entropy", "cross_entropy_label_smoothing",
        "cross_entropy_large_logits", "mse", "bce_with_logits");
    Set<String> skipped = Set.of("knowledge_distillation"); // in DistillationLossTest
    Set<String> seen = new HashSet<>();
    for (JsonElement e : Golden.load("losses.json").getAsJsonArray("losses")) {
      seen.add(e.getAsJsonObject().get("name").getAsString());
    }
    assertThat(seen).containsAtLeastElementsIn(covered);
    Set<String> unknown = new HashSet<>(seen);
    unknown.removeAll(covered);
    unknown.removeAll(skipped);
    assertThat(unknown).isEmpty();
  }

  private static void checkCrossEntropy(String name) {
    JsonObject e = entry(name);
    assertThat(e.get("grad_wrt").getAsString()).isEqualTo("logits");
    JsonElement logits = e.getAsJsonObject("inputs").get("logits");
    long[] shape = Golden.shape(logits);
    int n = (int) shape[0];
    int classes = (int) shape[1];
    int[] target = classIndices(e.getAsJsonObject("inputs").get("target"));
    assertThat(target).hasLength(n);
    double smoothing = e.has("label_smoothing") ? e.get("label_smoothing").getAsDouble() : 0.0;

    Tensor z = padded(logits, EXTRA_ROWS, Float.NaN);
    Tensor labels = oneHot(target, classes, EXTRA_ROWS, Float.NaN);
    Tensor grad = Tensor.zeros(n + EXTRA_ROWS, classes);
    double value = Losses.softmaxCrossEntropy(z, labels, n, classes, smoothing, grad);
    GOLDEN.check(name + " value", value, e.get("value").getAsDouble(), RTOL, ATOL);
    GOLDEN.check(name + " grad", head(grad, n * classes), expected(e.get("grad")), RTOL, ATOL);
    // the rows past n are left alone
    float[] all = grad.toFloatArray();
    for (int i = n * classes; i < all.length; i++) {
      assertThat(all[i]).isEqualTo(0f);
    }
  }
}
