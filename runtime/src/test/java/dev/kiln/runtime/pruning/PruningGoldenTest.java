package dev.kiln.runtime.pruning;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.kiln.runtime.tensor.Tensor;
import dev.kiln.runtime.testing.Golden;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link Pruning} and {@link PruningSchedule} against {@code pruning.json} (PyTorch 1.13's {@code
 * torch.nn.utils.prune} and the Zhu–Gupta formula in plain Python): masks and counts exactly,
 * pruned weights and slice norms within the float32 tolerances, sparsities within 1e-12.
 */
class PruningGoldenTest {
  private static final JsonObject GOLDEN = Golden.load("pruning.json");
  private static final double RTOL_SCHEDULE = 1e-12;
  private static final double ATOL_SCHEDULE = 1e-15;

  private static Tensor tensor(JsonElement golden) {
    Tensor t = Tensor.zeros(Golden.shape(golden));
    t.setFrom(Golden.floats(golden));
    return t;
  }

  private static Tensor ones(Tensor like) {
    Tensor t = Tensor.zeros(like.array().shape());
    t.fill(1f);
    return t;
  }

  private static float[] product(Tensor weight, Tensor mask) {
    float[] w = weight.toFloatArray();
    float[] m = mask.toFloatArray();
    for (int i = 0; i < w.length; i++) {
      w[i] = m[i] == 0f ? 0f : w[i];
    }
    return w;
  }

  private static void assertMask(String what, Tensor mask, JsonElement expected) {
    assertWithMessage("%s: shape", what).that(mask.array().shape())
        .isEqualTo(Golden.shape(expected));
    assertWithMessage("%s", what).that(mask.toFloatArray()).isEqualTo(Golden.floats(expected));
  }

  @Test
  void l1UnstructuredAtEachAmount() {
    JsonObject l1 = GOLDEN.getAsJsonObject("l1_unstructured");
    JsonArray results = l1.getAsJsonArray("results");
    assertThat(results.size()).isAtLeast(2);
    for (JsonElement e : results) {
      JsonObject r = e.getAsJsonObject();
      double amount = r.get("amount").getAsDouble();
      Tensor weight = tensor(l1.get("weight"));
      Tensor mask = ones(weight);
      int pruned = Pruning.l1Unstructured(weight, mask, amount);
      String what = "l1_unstructured amount " + amount;
      assertWithMessage("%s: n_pruned", what).that(pruned).isEqualTo(r.get("n_pruned").getAsInt());
      assertMask(what + " mask", mask, r.get("mask"));
      Golden.assertAllClose(what + " pruned_weight", product(weight, mask),
          Golden.doubles(r.get("pruned_weight")), Golden.RTOL_F32, Golden.ATOL_F32);
    }
  }

  @Test
  void l1UnstructuredTwiceAppliesTheSecondAmountToTheRemainingEntries() {
    JsonObject it = GOLDEN.getAsJsonObject("l1_unstructured_iterative");
    Tensor weight = tensor(it.get("weight"));
    Tensor mask = ones(weight);
    int first = Pruning.l1Unstructured(weight, mask, 0.3);
    int total = Pruning.l1Unstructured(weight, mask, 0.5);
    int n = weight.length();
    assertThat(first).isEqualTo(Pruning.count(0.3, n));
    assertThat(total).isEqualTo(first + Pruning.count(0.5, n - first));
    assertThat(total).isEqualTo(it.get("n_pruned_total").getAsInt());
    assertMask("iterative mask", mask, it.get("mask"));
    Golden.assertAllClose("iterative pruned_weight", product(weight, mask),
        Golden.doubles(it.get("pruned_weight")), Golden.RTOL_F32, Golden.ATOL_F32);
  }

  @Test
  void globalUnstructuredRanksBothTensorsTogether() {
    JsonObject g = GOLDEN.getAsJsonObject("global_unstructured");
    List<Tensor> weights = new ArrayList<>();
    List<Tensor> masks = new ArrayList<>();
    for (JsonElement w : g.getAsJsonArray("weights")) {
      weights.add(tensor(w));
      masks.add(ones(weights.get(weights.size() - 1)));
    }
    int pruned = Pruning.globalUnstructured(weights.toArray(new Tensor[0]),
        masks.toArray(new Tensor[0]), g.get("amount").getAsDouble());
    assertThat(pruned).isEqualTo(g.get("n_pruned_total").getAsInt());
    for (int i = 0; i < weights.size(); i++) {
      assertMask("global mask " + i, masks.get(i), g.getAsJsonArray("masks").get(i));
      Golden.assertAllClose("global pruned_weight " + i, product(weights.get(i), masks.get(i)),
          Golden.doubles(g.getAsJsonArray("pruned_weights").get(i)), Golden.RTOL_F32,
          Golden.ATOL_F32);
    }
  }

  @Test
  void lnStructuredPrunesWholeSlicesAlongDimZero() {
    JsonArray cases = GOLDEN.getAsJsonArray("ln_structured");
    assertThat(cases.size()).isAtLeast(1);
    for (JsonElement e : cases) {
      JsonObject c = e.getAsJsonObject();
      assertThat(c.get("n").getAsInt()).isEqualTo(2);
      assertThat(c.get("dim").getAsInt()).isEqualTo(0);
      Tensor weight = tensor(c.get("weight"));
      long[] shape = Golden.shape(c.get("weight"));
      int slices = (int) shape[0];
      int inner = weight.length() / slices;
      Tensor mask = ones(weight);
      double[] norms = new double[slices];
      double amount = c.get("amount").getAsDouble();
      int pruned = Pruning.lnStructured(weight, mask, amount, 1, slices, inner, norms);
      String what = "ln_structured " + java.util.Arrays.toString(shape) + " amount " + amount;
      assertWithMessage("%s: n_pruned_slices", what).that(pruned)
          .isEqualTo(c.get("n_pruned_slices").getAsInt());
      Golden.assertAllClose(what + " slice_l2_norms", norms,
          Golden.doubles(c.get("slice_l2_norms")), Golden.RTOL_F32, Golden.ATOL_F32);
      List<Integer> kept = new ArrayList<>();
      for (int s = 0; s < slices; s++) {
        if (mask.get(s * inner) != 0f) {
          kept.add(s);
        }
      }
      List<Integer> expectedKept = new ArrayList<>();
      c.getAsJsonArray("kept_indices").forEach(k -> expectedKept.add(k.getAsInt()));
      assertWithMessage("%s: kept_indices", what).that(kept).isEqualTo(expectedKept);
      assertMask(what + " mask", mask, c.get("mask"));
      Golden.assertAllClose(what + " pruned_weight", product(weight, mask),
          Golden.doubles(c.get("pruned_weight")), Golden.RTOL_F32, Golden.ATOL_F32);
    }
  }

  /**
   * Kiln's {@code [in, out]} weight is the transpose of {@code nn.Linear.weight [out, in]}: output
   * units are axis 1, so {@code ln_structured(dim=0)} is the view {@code [in, out, 1]}.
   */
  @Test
  void lnStructuredOnTheKilnLayoutPrunesColumns() {
    JsonObject c = GOLDEN.getAsJsonArray("ln_structured").get(0).getAsJsonObject();
    long[] shape = Golden.shape(c.get("weight"));
    assertThat(shape.length).isEqualTo(2);
    int out = (int) shape[0];
    int in = (int) shape[1];
    float[] torchLayout = Golden.floats(c.get("weight"));
    float[] torchMask = Golden.floats(c.get("mask"));
    Tensor weight = Tensor.zeros(in, out);
    float[] expectedMask = new float[in * out];
    for (int o = 0; o < out; o++) {
      for (int i = 0; i < in; i++) {
        weight.set(i * out + o, torchLayout[o * in + i]);
        expectedMask[i * out + o] = torchMask[o * in + i];
      }
    }
    Tensor mask = ones(weight);
    Pruning.lnStructured(weight, mask, c.get("amount").getAsDouble(), in, out, 1, null);
    assertThat(mask.toFloatArray()).isEqualTo(expectedMask);
  }

  @Test
  void countsRoundHalfToEvenAsPython() {
    JsonArray cases = GOLDEN.getAsJsonObject("n_pruned_rounding").getAsJsonArray("cases");
    assertThat(cases.size()).isAtLeast(4);
    for (JsonElement e : cases) {
      JsonObject c = e.getAsJsonObject();
      int size = c.get("size").getAsInt();
      double amount = c.get("amount").getAsDouble();
      assertWithMessage("amount·size = %s", c.get("amount_times_size"))
          .that(amount * size).isEqualTo(c.get("amount_times_size").getAsDouble());
      assertWithMessage("round(%s·%s)", amount, size).that(Pruning.count(amount, size))
          .isEqualTo(c.get("n_pruned").getAsInt());
      // the same count through the selection of a tensor of that size
      Tensor weight = Tensor.zeros(size);
      for (int i = 0; i < size; i++) {
        weight.set(i, (i % 2 == 0 ? 1 : -1) * (size - i) * 0.1f);
      }
      Tensor mask = ones(weight);
      assertThat(Pruning.l1Unstructured(weight, mask, amount))
          .isEqualTo(c.get("n_pruned").getAsInt());
      int zeros = 0;
      for (float m : mask.toFloatArray()) {
        zeros += m == 0f ? 1 : 0;
      }
      assertThat(zeros).isEqualTo(c.get("n_pruned").getAsInt());
    }
  }

  private static PruningSchedule schedule(JsonObject z) {
    JsonObject c = z.getAsJsonObject("config");
    long t0 = c.get("t0").getAsLong();
    long dt = c.get("dt").getAsLong();
    long n = c.get("n").getAsLong();
    return new PruningSchedule(c.get("s_i").getAsDouble(), c.get("s_f").getAsDouble(), t0,
        t0 + n * dt, dt);
  }

  @Test
  void zhuGuptaAtPruningSteps() {
    JsonObject z = GOLDEN.getAsJsonObject("zhu_gupta_schedule");
    PruningSchedule s = schedule(z);
    JsonArray points = z.getAsJsonArray("at_pruning_steps");
    assertThat(points.size()).isEqualTo(z.getAsJsonObject("config").get("n").getAsInt() + 1);
    for (JsonElement e : points) {
      JsonObject p = e.getAsJsonObject();
      long t = p.get("t").getAsLong();
      assertWithMessage("pruning step t = %s", t).that(s.updatesAt(t)).isTrue();
      Golden.assertAllClose("at_pruning_steps k = " + p.get("k"), new double[] {s.continuous(t)},
          new double[] {p.get("sparsity").getAsDouble()}, RTOL_SCHEDULE, ATOL_SCHEDULE);
      Golden.assertAllClose("held at k = " + p.get("k"), new double[] {s.held(t)},
          new double[] {p.get("sparsity").getAsDouble()}, RTOL_SCHEDULE, ATOL_SCHEDULE);
    }
  }

  @Test
  void zhuGuptaPerStepContinuousAndHeld() {
    JsonObject z = GOLDEN.getAsJsonObject("zhu_gupta_schedule");
    PruningSchedule s = schedule(z);
    for (String rule : new String[] {"per_step_continuous", "per_step_held"}) {
      JsonObject r = z.getAsJsonObject(rule);
      long from = r.get("t_from").getAsLong();
      double[] expected = Golden.doubles(r.getAsJsonArray("sparsity"));
      assertThat(expected.length).isEqualTo((int) (r.get("t_to").getAsLong() - from + 1));
      double[] actual = new double[expected.length];
      for (int i = 0; i < actual.length; i++) {
        long t = from + i;
        actual[i] = rule.equals("per_step_held") ? s.held(t) : s.continuous(t);
      }
      Golden.assertAllClose(rule, actual, expected, RTOL_SCHEDULE, ATOL_SCHEDULE);
    }
    // masks change exactly where the held sparsity may change
    double[] held = Golden.doubles(z.getAsJsonObject("per_step_held").getAsJsonArray("sparsity"));
    for (int t = 1; t < held.length; t++) {
      if (held[t] != held[t - 1]) {
        assertWithMessage("held sparsity changes at %s", t).that(s.updatesAt(t)).isTrue();
      }
    }
  }

  @Test
  void scheduleEdges() {
    PruningSchedule oneShot = new PruningSchedule(0, 0.5, 7, 7, 100);
    assertThat(oneShot.held(6)).isEqualTo(0.0);
    assertThat(oneShot.held(7)).isEqualTo(0.5);
    assertThat(oneShot.updatesAt(7)).isTrue();
    assertThat(oneShot.updatesAt(107)).isFalse();
    PruningSchedule uneven = new PruningSchedule(0.1, 0.9, 0, 25, 10);
    assertThat(uneven.updatesAt(20)).isTrue();
    assertThat(uneven.updatesAt(25)).isTrue();
    assertThat(uneven.updatesAt(30)).isFalse();
    assertThat(uneven.held(24)).isEqualTo(uneven.continuous(20));
    assertThat(uneven.held(25)).isEqualTo(0.9);
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> new PruningSchedule(0.5, 0.4, 0, 10, 1));
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> new PruningSchedule(0, 1.0, 0, 10, 1));
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> new PruningSchedule(0, 0.5, 10, 9, 1));
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> new PruningSchedule(0, 0.5, 0, 10, 0));
  }

  @Test
  void quickselectHandlesDuplicatesAndEveryRank() {
    java.util.Random r = new java.util.Random(5);
    for (int trial = 0; trial < 50; trial++) {
      int n = 1 + r.nextInt(300);
      double[] a = new double[n];
      for (int i = 0; i < n; i++) {
        a[i] = r.nextInt(4) == 0 ? -1 : r.nextInt(20);
      }
      double[] sorted = a.clone();
      java.util.Arrays.sort(sorted);
      for (int k = 0; k < n; k += 1 + n / 17) {
        assertThat(Pruning.Selection.kth(a.clone(), n, k)).isEqualTo(sorted[k]);
      }
    }
  }
}
