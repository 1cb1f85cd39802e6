package dev.kiln.processor;

import static com.google.common.truth.Truth.assertThat;
import static dev.kiln.runtime.testing.Golden.ATOL_F32;
import static dev.kiln.runtime.testing.Golden.ATOL_LR;
import static dev.kiln.runtime.testing.Golden.RTOL_F32;
import static dev.kiln.runtime.testing.Golden.RTOL_LR;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.kiln.runtime.train.Trainer;
import dev.kiln.runtime.testing.Golden;
import java.lang.reflect.Method;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * End-to-end parity with PyTorch: the network and training configuration of {@code
 * shared/golden/mlp_trajectory.json} are written as annotated source <em>from the file's own
 * config</em>, compiled with the Kiln processor, and the generated trainer runs the file's 12
 * steps; every loss, pre-clip gradient norm, learning rate, final parameter, running statistic and
 * eval logit must match within the README's tolerances.
 */
class MlpTrajectoryTest {
  private static JsonObject golden;
  private static Compiled compiled;

  @BeforeAll
  static void compileFromGoldenConfig() {
    golden = Golden.load("mlp_trajectory.json");
    compiled = Compiled.compile(Map.of("golden.GoldenMlp", modelSource(),
        "golden.GoldenTraining", configSource()));
  }

  /** Source of the @Model, with sizes and BN settings parsed from the file's architecture. */
  private static String modelSource() {
    JsonArray arch = golden.getAsJsonObject("config").getAsJsonArray("architecture");
    assertThat(arch.size()).isEqualTo(7);
    int[][] dense = new int[3][];
    double[][] bn = new double[2][];
    Pattern densePattern = Pattern.compile("Dense\\((\\d+)->(\\d+)\\)");
    Pattern bnPattern = Pattern.compile("BatchNorm1d\\((\\d+), eps=([0-9.e-]+), momentum=([0-9.]+)\\)");
    int d = 0;
    int b = 0;
    for (JsonElement e : arch) {
      String s = e.getAsString();
      Matcher m = densePattern.matcher(s);
      Matcher n = bnPattern.matcher(s);
      if (m.matches()) {
        dense[d++] = new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))};
      } else if (n.matches()) {
        bn[b++] = new double[] {Double.parseDouble(n.group(2)), Double.parseDouble(n.group(3))};
      } else {
        assertThat(s).isEqualTo("ReLU");
      }
    }
    assertThat(arch.get(0).getAsString()).startsWith("Dense");
    assertThat(arch.get(1).getAsString()).startsWith("BatchNorm1d");
    assertThat(arch.get(2).getAsString()).isEqualTo("ReLU");
    assertThat(arch.get(6).getAsString()).startsWith("Dense");
    return String.format(Locale.ROOT, """
        package golden;

        import static dev.kiln.dsl.ActivationFunction.RELU;

        import dev.kiln.dsl.*;

        @Model(inputs = %d)
        public abstract class GoldenMlp {
          @Dense(%d) @BatchNorm(epsilon = %s, momentum = %s) @Activation(RELU) Layer layer1;
          @Dense(%d) @BatchNorm(epsilon = %s, momentum = %s) @Activation(RELU) Layer layer2;
          @Dense(%d) Layer layer3;
        }
        """, dense[0][0], dense[0][1], bn[0][0], bn[0][1], dense[1][1], bn[1][0], bn[1][1],
        dense[2][1]);
  }

  private static String configSource() {
    JsonObject config = golden.getAsJsonObject("config");
    JsonObject opt = config.getAsJsonObject("optimizer");
    JsonArray groups = opt.getAsJsonArray("param_groups");
    double weightDecay = groups.get(0).getAsJsonObject().get("weight_decay").getAsDouble();
    for (JsonElement p : groups.get(0).getAsJsonObject().getAsJsonArray("params")) {
      assertThat(p.getAsString()).endsWith(".W");
    }
    assertThat(groups.get(1).getAsJsonObject().get("weight_decay").getAsDouble()).isEqualTo(0.0);
    JsonObject schedule = config.getAsJsonObject("lr_schedule");
    assertThat(schedule.get("class").getAsString()).endsWith("CosineAnnealingLR");
    JsonObject clip = config.getAsJsonObject("grad_clipping");
    assertThat(clip.get("call").getAsString()).contains("norm_type=2.0");
    assertThat(config.get("loss").getAsString()).contains("cross_entropy");
    assertThat(config.get("shuffle").getAsBoolean()).isFalse();
    return String.format(Locale.ROOT, """
        package golden;

        import dev.kiln.dsl.*;

        @TrainingConfig(model = GoldenMlp.class, loss = Loss.SOFTMAX_CROSS_ENTROPY,
            batchSize = %d, epochs = %d, seed = 1)
        @Sgd(learningRate = %s, momentum = %s, dampening = %s, nesterov = %s)
        @CosineDecay(steps = %d, minimum = %s, periodic = true)
        @ClipGradNorm(maxNorm = %s)
        @L2(%s)
        public interface GoldenTraining {}
        """, config.get("batch_size").getAsInt(), config.get("epochs").getAsInt(),
        opt.get("lr").getAsDouble(), opt.get("momentum").getAsDouble(),
        opt.get("dampening").getAsDouble(), opt.get("nesterov").getAsBoolean(),
        schedule.get("T_max").getAsInt(), schedule.get("eta_min").getAsDouble(),
        clip.get("max_norm").getAsDouble(), weightDecay);
  }

  /** Golden name ({@code dense1.W}, {@code bn2.gamma}) to Kiln's ({@code layer1.weight}). */
  private static String kilnName(String goldenName) {
    String[] parts = goldenName.split("\\.");
    String layer = "layer" + parts[0].replaceAll("\\D", "");
    String role = switch (parts[1]) {
      case "W" -> "weight";
      case "b" -> "bias";
      case "running_mean" -> "runningMean";
      case "running_var" -> "runningVar";
      default -> parts[1];
    };
    return layer + "." + role;
  }

  private Object newNetwork() throws Exception {
    Method initialize = compiled.load("golden.GoldenMlpNetwork").getMethod("initialize", long.class);
    Object network = initialize.invoke(null, 0L);
    Map<String, INDArray> params = parameters(network);
    JsonObject initial = golden.getAsJsonObject("initial_params");
    assertThat(params.keySet()).containsAtLeastElementsIn(
        initial.keySet().stream().map(MlpTrajectoryTest::kilnName).toList());
    for (String name : initial.keySet()) {
      INDArray view = params.get(kilnName(name));
      assertThat(view.shape()).isEqualTo(Golden.shape(initial.get(name)));
      view.assign(Nd4j.create(Golden.floats(initial.get(name)), view.shape(), 'c'));
    }
    return network;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, INDArray> parameters(Object network) throws Exception {
    return (Map<String, INDArray>) network.getClass().getMethod("parameters").invoke(network);
  }

  private static INDArray predict(Object network, INDArray x) throws Exception {
    return (INDArray) network.getClass().getMethod("predict", INDArray.class).invoke(network, x);
  }

  @Test
  void twelveStepsMatchPyTorch() throws Exception {
    Object network = newNetwork();
    Trainer trainer = (Trainer) compiled.load("golden.GoldenTrainingTrainer")
        .getConstructor(network.getClass()).newInstance(network);

    JsonObject dataset = golden.getAsJsonObject("dataset");
    float[] x = Golden.floats(dataset.get("x"));
    double[] labels = Golden.doubles(dataset.get("labels"));
    int features = (int) Golden.shape(dataset.get("x"))[1];
    int classes = (int) Golden.shape(golden.get("eval_logits_final"))[1];
    int samples = labels.length;
    INDArray allX = Nd4j.create(x, new long[] {samples, features}, 'c');
    Golden.assertAllClose("eval_logits_initial", predict(network, allX).data().asFloat(),
        Golden.doubles(golden.get("eval_logits_initial")), RTOL_F32, ATOL_F32);

    JsonObject config = golden.getAsJsonObject("config");
    int batch = config.get("batch_size").getAsInt();
    int perEpoch = config.get("batches_per_epoch").getAsInt();
    int steps = config.get("steps").getAsInt();
    JsonObject perStep = golden.getAsJsonObject("per_step");
    double[] lr = Golden.doubles(perStep.get("lr"));
    double[] loss = Golden.doubles(perStep.get("loss"));
    double[] norm = Golden.doubles(perStep.get("grad_norm_before_clip"));
    for (int s = 0; s < steps; s++) {
      int start = batch * (s % perEpoch);
      float[] bx = new float[batch * features];
      System.arraycopy(x, start * features, bx, 0, bx.length);
      float[] by = new float[batch * classes];
      for (int r = 0; r < batch; r++) {
        by[r * classes + (int) labels[start + r]] = 1f;
      }
      assertThat(trainer.iteration()).isEqualTo(s);
      Golden.assertAllClose("lr[" + s + "]", new double[] {trainer.learningRate()},
          new double[] {lr[s]}, RTOL_LR, ATOL_LR);
      float stepLoss = trainer.step(Nd4j.create(bx, new long[] {batch, features}, 'c'),
          Nd4j.create(by, new long[] {batch, classes}, 'c'));
      Golden.assertAllClose("loss[" + s + "]", new double[] {stepLoss}, new double[] {loss[s]},
          RTOL_F32, ATOL_F32);
      Golden.assertAllClose("grad_norm[" + s + "]", new double[] {trainer.lastGradientNorm()},
          new double[] {norm[s]}, RTOL_F32, ATOL_F32);
      if (s == 0) {
        assertParams(network, golden.getAsJsonObject("params_after_step_1"));
      }
    }
    assertParams(network, golden.getAsJsonObject("final_params"));
    JsonObject stats = golden.getAsJsonObject("final_bn_running_stats");
    Map<String, INDArray> params = parameters(network);
    for (String name : List.of("bn1.running_mean", "bn1.running_var", "bn2.running_mean",
        "bn2.running_var")) {
      Golden.assertAllClose(name, params.get(kilnName(name)).data().asFloat(),
          Golden.doubles(stats.get(name)), RTOL_F32, ATOL_F32);
    }
    Golden.assertAllClose("eval_logits_final", predict(network, allX).data().asFloat(),
        Golden.doubles(golden.get("eval_logits_final")), RTOL_F32, ATOL_F32);
  }

  private static void assertParams(Object network, JsonObject expected) throws Exception {
    Map<String, INDArray> params = parameters(network);
    for (String name : expected.keySet()) {
      Golden.assertAllClose(name, params.get(kilnName(name)).data().asFloat(),
          Golden.doubles(expected.get(name)), RTOL_F32, ATOL_F32);
    }
  }
}
