package dev.kiln.processor;

import static com.google.common.truth.Truth.assertThat;
import static dev.kiln.runtime.testing.Golden.ATOL_F32;
import static dev.kiln.runtime.testing.Golden.ATOL_LR;
import static dev.kiln.runtime.testing.Golden.RTOL_F32;
import static dev.kiln.runtime.testing.Golden.RTOL_LR;

import com.google.gson.JsonObject;
import dev.kiln.runtime.testing.Golden;
import dev.kiln.runtime.train.Trainer;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * End-to-end parity of a transformer with PyTorch: the pre-LayerNorm decoder of {@code
 * shared/golden/gpt_trajectory.json} is written as annotated source (blocks, {@code @Residual},
 * {@code @Repeat}, embeddings, layer norm, self-attention, GELU) from the file's own {@code
 * config}, with AdamW, warm-up then cosine and global-norm clipping; the generated trainer runs the
 * file's 12 batches and every rate, loss and pre-clip norm, the parameters after step 1 and at the
 * end, and the final logits must match within the README's tolerances.
 */
class GptTrajectoryTest {
  private static JsonObject golden;
  private static JsonObject config;
  private static Compiled compiled;

  @BeforeAll
  static void compileFromGoldenConfig() {
    golden = Golden.load("gpt_trajectory.json");
    config = golden.getAsJsonObject("config");
    compiled = Compiled.compile(Map.of("golden.GoldenGpt", modelSource(),
        "golden.GoldenGptTraining", configSource()));
  }

  static String modelSource() {
    String gelu = switch (config.get("gelu_approximate").getAsString()) {
      case "none" -> "GELU";
      case "tanh" -> "GELU_TANH";
      default -> throw new AssertionError(config.get("gelu_approximate"));
    };
    assertThat(config.get("attention").getAsString()).contains("NO bias");
    assertThat(config.get("layernorm").getAsString()).contains("eps=1e-5");
    assertThat(config.get("dropout").getAsDouble()).isEqualTo(0.0);
    return String.format(Locale.ROOT, """
        package golden;

        import static dev.kiln.dsl.ActivationFunction.*;

        import dev.kiln.dsl.*;

        @Block
        abstract class Attention {
          @LayerNorm(epsilon = 1e-5) Layer ln1;
          @SelfAttention(heads = %1$d, causal = true, bias = false) Layer attn;
        }

        @Block
        abstract class FeedForward {
          @LayerNorm(epsilon = 1e-5) Layer ln2;
          @Dense(%2$d) @Activation(%3$s) Layer up;
          @Dense(%4$d) Layer down;
        }

        @Block
        abstract class Decoder {
          @Residual Attention attention;
          @Residual FeedForward mlp;
        }

        @Model(vocabulary = %5$d, context = %6$d)
        public abstract class GoldenGpt {
          @Embedding(%4$d) @PositionEmbedding Layer embed;
          @Repeat(%7$d) Decoder blocks;
          @LayerNorm(epsilon = 1e-5) Layer lnF;
          @Dense(value = %5$d, bias = false) Layer head;
        }
        """, config.get("heads").getAsInt(), config.get("mlp_hidden").getAsInt(), gelu,
        config.get("d_model").getAsInt(), config.get("vocab").getAsInt(),
        config.get("context").getAsInt(), config.get("blocks").getAsInt());
  }

  private static String configSource() {
    JsonObject opt = config.getAsJsonObject("optimizer");
    assertThat(opt.get("class").getAsString()).isEqualTo("torch.optim.AdamW");
    assertThat(opt.get("amsgrad").getAsBoolean()).isFalse();
    JsonObject decayed = opt.getAsJsonArray("param_groups").get(0).getAsJsonObject();
    assertThat(decayed.get("params").getAsString()).contains("2 or more dimensions");
    assertThat(opt.getAsJsonArray("param_groups").get(1).getAsJsonObject().get("weight_decay")
        .getAsDouble()).isEqualTo(0.0);
    JsonObject schedule = config.getAsJsonObject("lr_schedule");
    assertThat(schedule.get("class").getAsString()).startsWith("SequentialLR([LinearLR");
    int warmup = schedule.get("warmup").getAsInt();
    JsonObject clip = config.getAsJsonObject("grad_clipping");
    assertThat(clip.get("call").getAsString()).contains("norm_type=2");
    return String.format(Locale.ROOT, """
        package golden;

        import dev.kiln.dsl.*;

        @TrainingConfig(model = GoldenGpt.class, loss = Loss.SOFTMAX_CROSS_ENTROPY,
            batchSize = %d, epochs = 1, seed = 1)
        @AdamW(learningRate = %s, beta1 = %s, beta2 = %s, epsilon = %s, weightDecay = %s)
        @Warmup(steps = %d, startFactor = %s)
        @CosineDecay(steps = %d, minimum = %s)
        @ClipGradNorm(maxNorm = %s)
        public interface GoldenGptTraining {}
        """, Golden.shape(golden.get("batch_offsets"))[1], opt.get("lr").getAsDouble(),
        opt.getAsJsonArray("betas").get(0).getAsDouble(),
        opt.getAsJsonArray("betas").get(1).getAsDouble(), opt.get("eps").getAsDouble(),
        decayed.get("weight_decay").getAsDouble(), warmup,
        schedule.get("start_factor").getAsDouble(),
        schedule.get("steps").getAsInt() - warmup, schedule.get("min_lr").getAsDouble(),
        clip.get("max_norm").getAsDouble());
  }

  /** Golden name ({@code blocks.1.attn.query.W}) to Kiln's ({@code blocks.1.attention.attn.query.weight}). */
  static String kilnName(String name) {
    String kiln = name.replaceFirst("^tokens\\.weight$", "embed.weight")
        .replaceFirst("^positions\\.weight$", "embed.positions")
        .replaceFirst("^ln_f\\.", "lnF.")
        .replaceFirst("^(blocks\\.\\d+)\\.(ln1|attn)\\.", "$1.attention.$2.")
        .replaceFirst("^(blocks\\.\\d+)\\.(ln2|up|down)\\.", "$1.mlp.$2.");
    return kiln.replaceFirst("\\.W$", ".weight").replaceFirst("\\.b$", ".bias");
  }

  @SuppressWarnings("unchecked")
  static Map<String, INDArray> parameters(Object network) throws Exception {
    return (Map<String, INDArray>) network.getClass().getMethod("parameters").invoke(network);
  }

  private Object newNetwork() throws Exception {
    Object network = compiled.load("golden.GoldenGptNetwork").getMethod("initialize", long.class)
        .invoke(null, 0L);
    Map<String, INDArray> params = parameters(network);
    JsonObject initial = golden.getAsJsonObject("initial_params");
    assertThat(params.keySet()).containsExactlyElementsIn(
        initial.keySet().stream().map(GptTrajectoryTest::kilnName).toList()).inOrder();
    for (String name : initial.keySet()) {
      INDArray view = params.get(kilnName(name));
      assertThat(view.shape()).isEqualTo(Golden.shape(initial.get(name)));
      view.assign(Nd4j.create(Golden.floats(initial.get(name)), view.shape(), 'c'));
    }
    return network;
  }

  /** Step {@code s}'s inputs ({@code target = false}) or targets, {@code [batch, context]} int64. */
  private static INDArray batch(int s, boolean target) {
    double[] corpus = Golden.doubles(golden.get("corpus"));
    double[] offsets = Golden.doubles(golden.get("batch_offsets"));
    int batch = (int) Golden.shape(golden.get("batch_offsets"))[1];
    int t = config.get("context").getAsInt();
    long[] ids = new long[batch * t];
    for (int r = 0; r < batch; r++) {
      int o = (int) offsets[s * batch + r] + (target ? 1 : 0);
      for (int p = 0; p < t; p++) {
        ids[r * t + p] = (long) corpus[o + p];
      }
    }
    return Nd4j.createFromArray(ids).reshape(batch, t);
  }

  @Test
  void twelveStepsMatchPyTorch() throws Exception {
    Object network = newNetwork();
    Trainer trainer = (Trainer) compiled.load("golden.GoldenGptTrainingTrainer")
        .getConstructor(network.getClass()).newInstance(network);
    JsonObject perStep = golden.getAsJsonObject("per_step");
    double[] lr = Golden.doubles(perStep.get("lr"));
    double[] loss = Golden.doubles(perStep.get("loss"));
    double[] norm = Golden.doubles(perStep.get("grad_norm_before_clip"));
    int steps = lr.length;
    assertThat(steps).isEqualTo(config.getAsJsonObject("lr_schedule").get("steps").getAsInt());
    for (int s = 0; s < steps; s++) {
      Golden.assertAllClose("lr[" + s + "]", new double[] {trainer.learningRate()},
          new double[] {lr[s]}, RTOL_LR, ATOL_LR);
      float stepLoss = trainer.step(batch(s, false), batch(s, true));
      Golden.assertAllClose("loss[" + s + "]", new double[] {stepLoss}, new double[] {loss[s]},
          RTOL_F32, ATOL_F32);
      Golden.assertAllClose("grad_norm[" + s + "]", new double[] {trainer.lastGradientNorm()},
          new double[] {norm[s]}, RTOL_F32, ATOL_F32);
      if (s == 0) {
        assertParams(network, golden.getAsJsonObject("params_after_step_1"));
      }
    }
    assertParams(network, golden.getAsJsonObject("final_params"));
    INDArray logits = (INDArray) network.getClass().getMethod("predict", INDArray.class)
        .invoke(network, batch(0, false).castTo(DataType.FLOAT));
    assertThat(logits.shape()).isEqualTo(Golden.shape(golden.get("final_logits")));
    Golden.assertAllClose("final_logits", logits.dup('c').data().asFloat(),
        Golden.doubles(golden.get("final_logits")), RTOL_F32, ATOL_F32);
  }

  private static void assertParams(Object network, JsonObject expected) throws Exception {
    Map<String, INDArray> params = parameters(network);
    for (String name : expected.keySet()) {
      Golden.assertAllClose(name, params.get(kilnName(name)).data().asFloat(),
          Golden.doubles(expected.get(name)), RTOL_F32, ATOL_F32);
    }
  }
}
