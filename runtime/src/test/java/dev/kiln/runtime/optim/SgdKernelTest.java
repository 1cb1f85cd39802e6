package dev.kiln.runtime.optim;

import dev.kiln.runtime.tensor.Tensor;
import dev.kiln.runtime.testing.GoldenCheck;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;
import static dev.kiln.runtime.testing.GoldenTensors.expected;
import static dev.kiln.runtime.testing.GoldenTensors.tensor;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.kiln.runtime.testing.Golden;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * {@link SgdKernel} (with {@link Regularization#addL2} for PyTorch's coupled {@code weight_decay})
 * against every {@code torch.optim.SGD} run of {@code optimizers.json}: the parameters after each of
 * the steps and the momentum buffers after the last step.
 *
 * <p>The public file holds 10 runs: 5 SGD runs (plain, momentum, momentum with dampening,
 * Nesterov, momentum with weight decay), all checked here at the kernel level; the Adam, AdamW
 * and RMSprop runs (and every run through the optimizer classes) are checked in {@link
 * OptimizersTest}.
 */
class SgdKernelTest {
  private static final GoldenCheck GOLDEN = new GoldenCheck("optimizers.json (SGD runs)");
  private static final Set<String> CHECKED_ELSEWHERE =
      Set.of("torch.optim.Adam", "torch.optim.AdamW", "torch.optim.RMSprop");

  @AfterAll
  static void summary() {
    System.out.println(GOLDEN.summary());
  }

  @Test
  void everySgdRunMatchesPyTorch() {
    JsonObject file = Golden.load("optimizers.json");
    assertThat(file.get("dtype").getAsString()).isEqualTo("float32");
    int sgdRuns = 0;
    int skipped = 0;
    for (JsonElement r : file.getAsJsonArray("runs")) {
      JsonObject run = r.getAsJsonObject();
      String cls = run.get("class").getAsString();
      if (cls.equals("torch.optim.SGD")) {
        checkRun(file, run);
        sgdRuns++;
      } else {
        assertWithMessage("optimizer class without a kernel or a test: %s", cls)
            .that(CHECKED_ELSEWHERE).contains(cls);
        skipped++;
      }
    }
    assertThat(sgdRuns).isAtLeast(1);
    System.out.println("[golden] optimizers.json: " + sgdRuns + " SGD runs checked, " + skipped
        + " Adam/AdamW/RMSprop runs left to OptimizersTest");
  }

  private static boolean flag(JsonObject args, String name) {
    return args.has(name) && !args.get(name).isJsonNull() && args.get(name).getAsBoolean();
  }

  private static double number(JsonObject args, String name) {
    return args.has(name) ? args.get(name).getAsDouble() : 0.0;
  }

  private static void checkRun(JsonObject file, JsonObject run) {
    String name = run.get("name").getAsString();
    JsonObject args = run.getAsJsonObject("args");
    double lr = args.get("lr").getAsDouble();
    double momentum = number(args, "momentum");
    double dampening = number(args, "dampening");
    double weightDecay = number(args, "weight_decay");
    boolean nesterov = flag(args, "nesterov");
    boolean maximize = flag(args, "maximize");

    JsonArray initial = file.getAsJsonArray("initial_params");
    int count = initial.size();
    Tensor[] params = new Tensor[count];
    Tensor[] buffers = new Tensor[count];
    for (int i = 0; i < count; i++) {
      params[i] = tensor(initial.get(i));
      buffers[i] = Tensor.zeros(Golden.shape(initial.get(i)));
    }
    JsonArray grads = file.getAsJsonArray("grads");
    JsonArray after = run.getAsJsonArray("params_after_step");
    assertThat(after.size()).isEqualTo(grads.size());
    for (int s = 0; s < grads.size(); s++) {
      JsonArray stepGrads = grads.get(s).getAsJsonArray();
      JsonArray expectedParams = after.get(s).getAsJsonArray();
      for (int i = 0; i < count; i++) {
        Tensor g = tensor(stepGrads.get(i)); // a fresh copy: addL2 writes into it
        int length = g.length();
        assertThat(length).isEqualTo(params[i].length());
        if (maximize) { // PyTorch negates the gradient before the weight decay
          for (int k = 0; k < length; k++) {
            g.set(k, -g.get(k));
          }
        }
        if (weightDecay != 0) {
          Regularization.addL2(params[i], g, length, weightDecay);
        }
        SgdKernel.update(params[i], g, momentum == 0 ? null : buffers[i], length, lr, momentum,
            dampening, nesterov, s == 0);
        GOLDEN.check(name + " step " + (s + 1) + " param " + i, params[i].toFloatArray(),
            expected(expectedParams.get(i)), Golden.RTOL_F32, Golden.ATOL_F32);
      }
    }
    JsonArray state = run.getAsJsonArray("state_after_last_step");
    for (int i = 0; i < count; i++) {
      JsonObject st = state.get(i).getAsJsonObject();
      JsonElement buffer = st.get("momentum_buffer");
      if (momentum == 0) {
        assertWithMessage("%s: no momentum buffer without momentum", name)
            .that(buffer == null || buffer.isJsonNull()).isTrue();
      } else {
        GOLDEN.check(name + " momentum_buffer " + i, buffers[i].toFloatArray(), expected(buffer),
            Golden.RTOL_F32, Golden.ATOL_F32);
      }
    }
  }

  /** Without momentum the buffer argument is ignored and may be null. */
  @Test
  void plainSgdIgnoresTheBuffer() {
    Tensor w = Tensor.zeros(3);
    w.setFrom(new float[] {1f, 2f, 3f});
    Tensor g = Tensor.zeros(3);
    g.setFrom(new float[] {0.5f, -1f, 0f});
    SgdKernel.update(w, g, null, 3, 0.5, 0, 0, false, true);
    assertThat(w.toFloatArray()).isEqualTo(new float[] {0.75f, 2.5f, 3f});
  }
}
