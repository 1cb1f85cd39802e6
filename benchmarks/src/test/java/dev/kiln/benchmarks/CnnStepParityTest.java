package dev.kiln.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.sun.management.ThreadMXBean;
import dev.kiln.runtime.tensor.Tensor;
import java.io.InputStreamReader;
import java.io.Reader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;

/**
 * {@link CnnStep} against PyTorch: {@code cnn_step_reference.json}, written by {@code
 * benchmarks/pytorch/cnn_step_reference.py} with the same initialisation, batch and dropout
 * masks; and its allocation after warm-up.
 */
class CnnStepParityTest {
  private static JsonObject reference() throws Exception {
    try (Reader r = new InputStreamReader(
        CnnStepParityTest.class.getResourceAsStream("/cnn_step_reference.json"),
        StandardCharsets.UTF_8)) {
      return JsonParser.parseReader(r).getAsJsonObject();
    }
  }

  static void fillBatch(CnnStep step, int n) {
    CnnWorkload.fill(step, n);
  }

  @Test
  void matchesPyTorchOverSteps() throws Exception {
    JsonObject ref = reference();
    JsonObject meta = ref.getAsJsonObject("meta");
    int n = meta.get("batch").getAsInt();
    CnnStep step = new CnnStep(n, meta.get("seed").getAsLong(),
        meta.get("total_steps").getAsLong());
    fillBatch(step, n);
    JsonObject perStep = ref.getAsJsonObject("per_step");
    int steps = meta.get("steps").getAsInt();
    for (int s = 0; s < steps; s++) {
      double rate = perStep.getAsJsonArray("lr").get(s).getAsDouble();
      assertEquals(rate, step.learningRate(), 1e-12 * rate, "rate of step " + s);
      float loss = step.step(n);
      double want = perStep.getAsJsonArray("loss").get(s).getAsDouble();
      assertEquals(want, loss, 1e-4 * Math.abs(want), "loss of step " + s);
      double norm = perStep.getAsJsonArray("grad_norm_before_clip").get(s).getAsDouble();
      assertEquals(norm, step.lastGradientNorm(), 1e-4 * norm, "pre-clip norm of step " + s);
    }
    JsonObject params = ref.getAsJsonObject("params");
    for (Map.Entry<String, com.google.gson.JsonElement> e : params.entrySet()) {
      String name = e.getKey();
      JsonObject p = e.getValue().getAsJsonObject();
      Tensor t = parameter(step, name);
      assertEquals(p.get("length").getAsInt(), t.length(), name + " length");
      // A conv bias before batch norm has a gradient of rounding noise only (batch norm removes
      // it), which Adam turns into steps of about ±lr of either sign: compare those loosely.
      double atol = name.startsWith("conv") && name.endsWith(".bias") ? 5e-3 : 2e-5;
      JsonArray idx = p.getAsJsonArray("indices");
      JsonArray values = p.getAsJsonArray("values");
      double sum = 0;
      double squares = 0;
      for (int i = 0; i < t.length(); i++) {
        sum += t.get(i);
        squares += (double) t.get(i) * t.get(i);
      }
      for (int k = 0; k < idx.size(); k++) {
        int i = idx.get(k).getAsInt();
        double want = values.get(k).getAsDouble();
        assertEquals(want, t.get(i), atol + 1e-3 * Math.abs(want), name + "[" + i + "]");
      }
      double wantSum = p.get("sum").getAsDouble();
      assertEquals(wantSum, sum, atol * t.length() + 1e-4 * Math.abs(wantSum), name + " sum");
      double wantSquares = p.get("sum_squares").getAsDouble();
      assertEquals(wantSquares, squares, 1e-3 * wantSquares + atol, name + " sum of squares");
    }
    JsonObject stats = ref.getAsJsonObject("running_stats");
    compare(stats, "conv1.runningMean", step.conv1RunningMean, 1e-3);
    compare(stats, "conv1.runningVar", step.conv1RunningVar, 1e-4);
    compare(stats, "conv2.runningMean", step.conv2RunningMean, 1e-3);
    compare(stats, "conv2.runningVar", step.conv2RunningVar, 1e-4);
  }

  private static void compare(JsonObject stats, String name, Tensor t, double atol) {
    JsonArray want = stats.getAsJsonArray(name);
    assertEquals(want.size(), t.length(), name + " length");
    for (int i = 0; i < want.size(); i++) {
      double w = want.get(i).getAsDouble();
      assertEquals(w, t.get(i), atol + 1e-4 * Math.abs(w), name + "[" + i + "]");
    }
  }

  private static Tensor parameter(CnnStep step, String name) {
    for (int i = 0; i < step.parameters.size(); i++) {
      if (step.parameters.name(i).equals(name)) {
        return step.parameters.value(i);
      }
    }
    throw new AssertionError("no parameter " + name);
  }

  @Test
  void lossFallsAndStepsAllocateNothing() {
    int n = 32;
    CnnStep step = new CnnStep(n, 42, 1000);
    fillBatch(step, n);
    float first = step.step(n);
    for (int s = 0; s < 30; s++) {
      step.step(n);
    }
    ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
    long pointerBefore = Pointer.totalBytes();
    long heapBefore = threads.getCurrentThreadAllocatedBytes();
    int steps = 40;
    float last = 0;
    for (int s = 0; s < steps; s++) {
      last = step.step(n);
    }
    long heap = threads.getCurrentThreadAllocatedBytes() - heapBefore;
    assertTrue(last < 0.5f * first, "loss " + first + " -> " + last + " on one repeated batch");
    assertTrue(heap / steps <= 64, "heap bytes per step: " + (double) heap / steps);
    assertEquals(pointerBefore, Pointer.totalBytes(), "off-heap bytes grew");
  }
}
