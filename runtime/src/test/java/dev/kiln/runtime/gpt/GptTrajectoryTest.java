package dev.kiln.runtime.gpt;

import static com.google.common.truth.Truth.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.kiln.runtime.ops.Gelu;
import dev.kiln.runtime.optim.ParameterSet;
import dev.kiln.runtime.testing.Golden;
import dev.kiln.runtime.testing.GoldenTensors;
import dev.kiln.runtime.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * {@link HandGpt} against {@code gpt_trajectory.json} end to end: per step the learning rate, the
 * loss and the gradient norm before clipping, the parameters after step 1 and at the end, and the
 * final logits of step 0's batch. Every size and hyper-parameter is read from the file's {@code
 * config}, so another file of the same schema passes without code changes.
 */
class GptTrajectoryTest {
  @Test
  void reproducesPyTorchTrajectory() {
    JsonObject golden = Golden.load("gpt_trajectory.json");
    JsonObject c = golden.getAsJsonObject("config");
    GptConfig config = config(c);
    JsonObject opt = c.getAsJsonObject("optimizer");
    JsonObject schedule = c.getAsJsonObject("lr_schedule");
    assertThat(opt.get("class").getAsString()).isEqualTo("torch.optim.AdamW");
    assertThat(opt.get("amsgrad").getAsBoolean()).isFalse();
    assertThat(c.get("dropout").getAsDouble()).isEqualTo(0.0);
    JsonArray betas = opt.getAsJsonArray("betas");
    GptTraining training = new GptTraining(opt.get("lr").getAsDouble(),
        betas.get(0).getAsDouble(), betas.get(1).getAsDouble(), opt.get("eps").getAsDouble(),
        decayOfMatrices(opt), schedule.get("warmup").getAsLong(),
        schedule.get("start_factor").getAsDouble(), schedule.get("steps").getAsLong(),
        schedule.get("min_lr").getAsDouble(),
        c.getAsJsonObject("grad_clipping").get("max_norm").getAsDouble());

    int[] corpus = GoldenTensors.classIndices(golden.get("corpus"));
    long[] offsetShape = Golden.shape(golden.get("batch_offsets"));
    int[] offsets = GoldenTensors.classIndices(golden.get("batch_offsets"));
    int steps = (int) offsetShape[0];
    int n = (int) offsetShape[1];
    int t = config.context();

    HandGpt gpt = new HandGpt(config, n, training);
    ParameterSet parameters = gpt.parameters();
    assertThat(names(parameters)).containsExactlyElementsIn(
        strings(c.getAsJsonObject("grad_clipping").getAsJsonArray("param_order"))).inOrder();
    load(parameters, golden.getAsJsonObject("initial_params"));

    JsonObject perStep = golden.getAsJsonObject("per_step");
    double[] lr = Golden.doubles(perStep.get("lr"));
    double[] loss = Golden.doubles(perStep.get("loss"));
    double[] norm = Golden.doubles(perStep.get("grad_norm_before_clip"));
    assertThat(lr.length).isEqualTo(steps);
    int[] ids = new int[n * t];
    int[] targets = new int[n * t];
    double[] gotLr = new double[steps];
    double[] gotLoss = new double[steps];
    double[] gotNorm = new double[steps];
    for (int s = 0; s < steps; s++) {
      window(corpus, offsets, s, n, t, ids, targets);
      gotLr[s] = gpt.learningRate();
      gotLoss[s] = gpt.step(ids, targets, n, t);
      gotNorm[s] = gpt.lastGradientNorm();
      if (s == 0) {
        compare("params_after_step_1", parameters, golden.getAsJsonObject("params_after_step_1"));
      }
    }
    Golden.assertAllClose("lr", gotLr, lr, Golden.RTOL_LR, Golden.ATOL_LR);
    Golden.assertAllClose("loss", gotLoss, loss, Golden.RTOL_F32, Golden.ATOL_F32);
    Golden.assertAllClose("grad_norm_before_clip", gotNorm, norm, Golden.RTOL_F32,
        Golden.ATOL_F32);
    compare("final_params", parameters, golden.getAsJsonObject("final_params"));

    window(corpus, offsets, 0, n, t, ids, targets);
    Tensor logits = gpt.forward(ids, n, t);
    double[] expected = Golden.doubles(golden.get("final_logits"));
    Golden.assertAllClose("final_logits", GoldenTensors.head(logits, expected.length), expected,
        Golden.RTOL_F32, Golden.ATOL_F32);
    System.out.printf(Locale.ROOT, "gpt_trajectory: %d steps, loss %.6f -> %.6f, final norm %.6f%n",
        steps, gotLoss[0], gotLoss[steps - 1], gotNorm[steps - 1]);
  }

  /** The model in the file's {@code config}. */
  static GptConfig config(JsonObject c) {
    String gelu = c.get("gelu_approximate").getAsString();
    return new GptConfig(c.get("vocab").getAsInt(), c.get("context").getAsInt(),
        c.get("d_model").getAsInt(), c.get("heads").getAsInt(), c.get("blocks").getAsInt(),
        c.get("mlp_hidden").getAsInt(),
        gelu.equals("tanh") ? Gelu.Approximation.TANH : Gelu.Approximation.NONE,
        attentionBias(c));
  }

  /** Whether the attention projections have biases: named in {@code param_order}. */
  private static boolean attentionBias(JsonObject c) {
    return strings(c.getAsJsonObject("grad_clipping").getAsJsonArray("param_order")).stream()
        .anyMatch(name -> name.matches(".*\\.attn\\.[a-z]+\\.b"));
  }

  /**
   * The decay of the first group (matrices and embeddings); the file's second group (biases and
   * LayerNorm) must have none, as {@link HandGpt} applies.
   */
  private static double decayOfMatrices(JsonObject opt) {
    JsonArray groups = opt.getAsJsonArray("param_groups");
    assertThat(groups.size()).isEqualTo(2);
    assertThat(groups.get(1).getAsJsonObject().get("weight_decay").getAsDouble()).isEqualTo(0.0);
    return groups.get(0).getAsJsonObject().get("weight_decay").getAsDouble();
  }

  /** Step {@code s}'s batch: {@code corpus[o : o+t]} and {@code corpus[o+1 : o+t+1]} per offset. */
  private static void window(int[] corpus, int[] offsets, int s, int n, int t, int[] ids,
      int[] targets) {
    for (int i = 0; i < n; i++) {
      int o = offsets[s * n + i];
      System.arraycopy(corpus, o, ids, i * t, t);
      System.arraycopy(corpus, o + 1, targets, i * t, t);
    }
  }

  private static void load(ParameterSet parameters, JsonObject values) {
    for (int i = 0; i < parameters.size(); i++) {
      String name = parameters.name(i);
      assertThat(values.has(name)).isTrue();
      float[] data = Golden.floats(values.get(name));
      assertThat(data.length).isEqualTo(parameters.value(i).length());
      parameters.value(i).setFrom(data);
    }
  }

  private static void compare(String what, ParameterSet parameters, JsonObject expected) {
    for (int i = 0; i < parameters.size(); i++) {
      String name = parameters.name(i);
      Golden.assertAllClose(what + " " + name, parameters.value(i).toFloatArray(),
          Golden.doubles(expected.get(name)), Golden.RTOL_F32, Golden.ATOL_F32);
    }
  }

  private static List<String> names(ParameterSet parameters) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < parameters.size(); i++) {
      out.add(parameters.name(i));
    }
    return out;
  }

  private static List<String> strings(JsonArray array) {
    List<String> out = new ArrayList<>();
    array.forEach(e -> out.add(e.getAsString()));
    return out;
  }
}
