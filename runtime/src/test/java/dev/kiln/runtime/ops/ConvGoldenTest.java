package dev.kiln.runtime.ops;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.kiln.runtime.tensor.Tensor;
import dev.kiln.runtime.testing.Golden;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every case of {@code conv.json} (PyTorch 1.13's {@code Conv2d}, {@code MaxPool2d}, {@code
 * AvgPool2d} and global average pooling): forward output and every gradient, with shapes,
 * kernels, strides, paddings and bias taken from the file. Each convolution runs with one
 * sample per product, two, and the default grouping; and each kernel also on tensors with two
 * more samples of NaN after the batch, which must be neither read nor written.
 */
class ConvGoldenTest {
  private static final OpsGolden GOLDEN = new OpsGolden("conv.json");
  private static final JsonObject FILE = Golden.load("conv.json");
  private static final int EXTRA = 2;

  @AfterAll
  static void summary() {
    System.out.println(GOLDEN.summary());
  }

  @Test
  void fileHasTheDocumentedCases() {
    assertThat(FILE.get("dtype").getAsString()).isEqualTo("float32");
    assertThat(FILE.getAsJsonArray("conv2d").size()).isAtLeast(1);
    assertThat(FILE.getAsJsonArray("pool2d").size()).isAtLeast(1);
    assertThat(FILE.getAsJsonObject("global_avg_pool").has("input")).isTrue();
  }

  @TestFactory
  List<DynamicTest> conv2d() {
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonElement e : FILE.getAsJsonArray("conv2d")) {
      JsonObject c = e.getAsJsonObject();
      String name = c.get("name").getAsString();
      for (int group : new int[] {1, 2, -1}) {
        for (int extra : new int[] {0, EXTRA}) {
          tests.add(DynamicTest.dynamicTest(name + " group " + group + " extra " + extra,
              () -> conv2dCase(c, group, extra)));
        }
      }
    }
    return tests;
  }

  private static void conv2dCase(JsonObject c, int group, int extra) {
    String at = c.get("name").getAsString() + " (group " + group + ", extra " + extra + ") ";
    long[] in = Golden.shape(c.get("input"));
    long[] wShape = Golden.shape(c.get("weight"));
    int[] k = OpsGolden.pair(c.get("kernel"));
    int[] s = OpsGolden.pair(c.get("stride"));
    int[] p = OpsGolden.pair(c.get("padding"));
    boolean hasBias = c.get("bias").getAsBoolean();
    int n = (int) in[0];
    int out = c.get("out_channels").getAsInt();
    assertThat(in[1]).isEqualTo(c.get("in_channels").getAsLong());
    assertThat(wShape).isEqualTo(new long[] {out, in[1], k[0], k[1]});
    assertThat(c.has("bias_value")).isEqualTo(hasBias);
    assertThat(c.has("grad_bias")).isEqualTo(hasBias);

    Window2d window = new Window2d("conv2d", (int) in[1], (int) in[2], (int) in[3], k[0], k[1],
        s[0], s[1], p[0], p[1]);
    Conv2d conv = new Conv2d(window, out, group);
    long[] outShape = Golden.shape(c.get("output"));
    assertWithMessage(at + "output shape").that(
        new long[] {n, out, conv.outHeight(), conv.outWidth()}).isEqualTo(outShape);

    float fill = extra > 0 ? Float.NaN : 0f;
    Tensor x = OpsGolden.padded(c.get("input"), extra, fill);
    Tensor weight = OpsGolden.tensor(c.get("weight"));
    Tensor bias = hasBias ? OpsGolden.tensor(c.get("bias_value")) : null;
    Tensor y = OpsGolden.padded(c.get("output"), extra, fill); // overwritten
    Tensor workspace = Tensor.zeros(conv.workspaceElements(n + extra));
    conv.forward(x, n, weight, bias, y, workspace);
    GOLDEN.check(at + "output", y, c.get("output"));

    Tensor dy = OpsGolden.padded(c.get("upstream_grad"), extra, fill);
    Tensor dx = OpsGolden.padded(c.get("input"), extra, fill); // overwritten
    Tensor dw = Tensor.zeros(wShape);
    dw.fill(Float.NaN); // overwritten, not accumulated into
    Tensor db = hasBias ? Tensor.zeros(out) : null;
    workspace.fill(Float.NaN); // scratch: nothing may be read before it is written
    conv.backward(x, dy, n, weight, dw, db, dx, workspace);
    GOLDEN.check(at + "grad_input", dx, c.get("grad_input"));
    GOLDEN.check(at + "grad_weight", dw, c.get("grad_weight"));
    if (hasBias) {
      GOLDEN.check(at + "grad_bias", db, c.get("grad_bias"));
    }
    if (extra > 0) {
      assertNaNAfter(at + "y", y, n * out * conv.outHeight() * conv.outWidth());
      assertNaNAfter(at + "dx", dx, (int) (n * in[1] * in[2] * in[3]));
    }
    // Without dx (a first layer): the same weight gradient.
    Tensor dw2 = Tensor.zeros(wShape);
    conv.backward(x, dy, n, weight, dw2, null, null, workspace);
    GOLDEN.check(at + "grad_weight without dx", dw2, c.get("grad_weight"));
  }

  private static void assertNaNAfter(String what, Tensor t, int from) {
    for (int i = from; i < t.length(); i++) {
      assertWithMessage("%s[%s] past the batch", what, i).that(Float.isNaN(t.get(i))).isTrue();
    }
  }

  @TestFactory
  List<DynamicTest> pool2d() {
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonElement e : FILE.getAsJsonArray("pool2d")) {
      JsonObject c = e.getAsJsonObject();
      for (int extra : new int[] {0, EXTRA}) {
        tests.add(DynamicTest.dynamicTest(c.get("name").getAsString() + " extra " + extra,
            () -> pool2dCase(c, extra)));
      }
    }
    return tests;
  }

  private static void pool2dCase(JsonObject c, int extra) {
    String kind = c.get("kind").getAsString();
    String at = c.get("name").getAsString() + " (extra " + extra + ") ";
    long[] in = Golden.shape(c.get("input"));
    int[] k = OpsGolden.pair(c.get("kernel"));
    int[] s = OpsGolden.pair(c.get("stride"));
    int[] p = OpsGolden.pair(c.get("padding"));
    int n = (int) in[0];
    int ch = (int) in[1];
    long[] outShape = Golden.shape(c.get("output"));
    float fill = extra > 0 ? Float.NaN : 0f;
    Tensor x = OpsGolden.padded(c.get("input"), extra, fill);
    Tensor y = OpsGolden.padded(c.get("output"), extra, fill);
    Tensor dy = OpsGolden.padded(c.get("upstream_grad"), extra, fill);
    Tensor dx = OpsGolden.padded(c.get("input"), extra, fill);
    int outH;
    int outW;
    switch (kind) {
      case "max" -> {
        MaxPool2d pool = new MaxPool2d(ch, (int) in[2], (int) in[3], k[0], k[1], s[0], s[1], p[0],
            p[1]);
        outH = pool.outHeight();
        outW = pool.outWidth();
        int[] argmax = new int[(n + extra) * ch * outH * outW];
        pool.forward(x, n, y, argmax);
        GOLDEN.check(at + "output", y, c.get("output"));
        pool.backward(dy, n, argmax, dx);
      }
      case "avg" -> {
        assertWithMessage(at + "count_include_pad").that(
            c.get("count_include_pad").getAsBoolean()).isTrue();
        AvgPool2d pool = new AvgPool2d(ch, (int) in[2], (int) in[3], k[0], k[1], s[0], s[1], p[0],
            p[1]);
        outH = pool.outHeight();
        outW = pool.outWidth();
        pool.forward(x, n, y);
        GOLDEN.check(at + "output", y, c.get("output"));
        pool.backward(dy, n, dx);
      }
      default -> throw new AssertionError("unknown pooling kind " + kind);
    }
    assertWithMessage(at + "output shape").that(new long[] {n, ch, outH, outW})
        .isEqualTo(outShape);
    GOLDEN.check(at + "grad_input", dx, c.get("grad_input"));
    if (extra > 0) {
      assertNaNAfter(at + "y", y, n * ch * outH * outW);
      assertNaNAfter(at + "dx", dx, (int) (n * ch * in[2] * in[3]));
    }
  }

  @Test
  void globalAvgPool() {
    JsonObject c = FILE.getAsJsonObject("global_avg_pool");
    long[] in = Golden.shape(c.get("input"));
    assertThat(Golden.shape(c.get("output"))).isEqualTo(new long[] {in[0], in[1]});
    for (int extra : new int[] {0, EXTRA}) {
      float fill = extra > 0 ? Float.NaN : 0f;
      int n = (int) in[0];
      Tensor x = OpsGolden.padded(c.get("input"), extra, fill);
      Tensor y = OpsGolden.padded(c.get("output"), extra, fill);
      GlobalAvgPool.forward(x, n, (int) in[1], (int) in[2], (int) in[3], y);
      GOLDEN.check("global_avg_pool output", y, c.get("output"));
      Tensor dy = OpsGolden.padded(c.get("upstream_grad"), extra, fill);
      Tensor dx = OpsGolden.padded(c.get("input"), extra, fill);
      GlobalAvgPool.backward(dy, n, (int) in[1], (int) in[2], (int) in[3], dx);
      GOLDEN.check("global_avg_pool grad_input", dx, c.get("grad_input"));
      if (extra > 0) {
        assertNaNAfter("global_avg_pool y", y, (int) (n * in[1]));
        assertNaNAfter("global_avg_pool dx", dx, (int) (n * in[1] * in[2] * in[3]));
      }
    }
  }

  /** The ties case really has ties, so that the first-maximum rule is what it checks. */
  @Test
  void tiesCaseHasEqualMaximaInAWindow() {
    JsonArray pools = FILE.getAsJsonArray("pool2d");
    boolean found = false;
    for (JsonElement e : pools) {
      JsonObject c = e.getAsJsonObject();
      if (c.get("name").getAsString().contains("ties")) {
        found = true;
        assertThat(c.get("kind").getAsString()).isEqualTo("max");
      }
    }
    assertThat(found).isTrue();
  }
}
