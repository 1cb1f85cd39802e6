package dev.kiln.processor;

import static com.google.common.truth.Truth.assertThat;
import static dev.kiln.runtime.testing.Golden.ATOL_F32;
import static dev.kiln.runtime.testing.Golden.ATOL_LR;
import static dev.kiln.runtime.testing.Golden.RTOL_F32;
import static dev.kiln.runtime.testing.Golden.RTOL_LR;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.kiln.runtime.testing.Golden;
import dev.kiln.runtime.train.Trainer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * End-to-end parity with PyTorch for a convolutional network: the layers of {@code
 * shared/golden/cnn_trajectory.json} ({@code config.layers}) become the fields of an annotated
 * {@code @Model(inputs = {C, H, W})} <em>built from the file</em> (each {@code conv2d} or {@code
 * linear} starts a field, and the batch norm, activation and pooling after it join that field in
 * Kiln's part order), its hyper-parameters the training configuration; the generated trainer runs
 * the file's steps on its batches, fed as {@code [n, C, H, W]}. Every rate, loss, pre-clip norm,
 * the parameters after step 1 and at the end, the running statistics and both sets of eval logits
 * must match within the README's tolerances. Another file with another architecture of the same
 * layer types passes without changes here.
 */
class CnnTrajectoryTest {
  /** Kiln's part order: core, batch norm, activation, pooling. */
  private static final List<String> ORDER = List.of("core", "batchnorm2d", "relu", "pool");

  private static JsonObject golden;
  private static Compiled compiled;
  /** Golden layer name ({@code bn1}) to the Kiln field holding it ({@code conv1}). */
  private static final Map<String, String> FIELD_OF = new HashMap<>();

  @BeforeAll
  static void compileFromGoldenConfig() {
    golden = Golden.load("cnn_trajectory.json");
    compiled = Compiled.compile(Map.of("golden.GoldenCnn", modelSource(),
        "golden.GoldenCnnTraining", configSource()));
  }

  private static String slot(String type) {
    return switch (type) {
      case "conv2d", "linear" -> "core";
      case "maxpool2d", "avgpool2d" -> "pool";
      default -> type;
    };
  }

  private static String pair(JsonElement e) {
    JsonArray a = e.getAsJsonArray();
    return "{" + a.get(0).getAsInt() + ", " + a.get(1).getAsInt() + "}";
  }

  /** The {@code @Model} source: one field per core layer, parts in Kiln's order. */
  static String modelSource() {
    JsonObject config = golden.getAsJsonObject("config");
    assertThat(config.get("layer_semantics").getAsString())
        .contains("BatchNorm2d(C, eps=1e-5, momentum=0.1)");
    List<String> fields = new ArrayList<>();
    StringBuilder field = null;
    String name = null;
    int last = Integer.MAX_VALUE;
    List<String> pending = new ArrayList<>(); // golden layer names of the field being built
    for (JsonElement e : config.getAsJsonArray("layers")) {
      JsonObject layer = e.getAsJsonObject();
      String type = layer.get("type").getAsString();
      if (type.equals("flatten")) {
        continue; // @Dense flattens as torch.flatten(x, 1)
      }
      int rank = ORDER.indexOf(slot(type));
      assertThat(rank).isAtLeast(0);
      if (field == null || rank <= last) {
        if (field != null) {
          fields.add(field + " Layer " + name + ";");
          pending.forEach(g -> FIELD_OF.put(g, fieldName(fields.size() - 1, fields)));
        }
        field = new StringBuilder();
        pending = new ArrayList<>();
        name = layer.has("name") && slot(type).equals("core") ? layer.get("name").getAsString()
            : "layer" + (fields.size() + 1);
      }
      last = rank;
      if (layer.has("name")) {
        pending.add(layer.get("name").getAsString());
      }
      field.append(switch (type) {
        case "conv2d" -> String.format(Locale.ROOT,
            "@Conv2d(filters = %d, kernel = %s, stride = %s, padding = %s, bias = %s) ",
            layer.get("out").getAsInt(), pair(layer.get("k")), pair(layer.get("s")),
            pair(layer.get("p")), layer.get("bias").getAsBoolean());
        case "linear" -> String.format(Locale.ROOT, "@Dense(value = %d, bias = %s) ",
            layer.get("out").getAsInt(), layer.get("bias").getAsBoolean());
        case "batchnorm2d" -> "@BatchNorm(epsilon = 1e-5, momentum = 0.1) ";
        case "relu" -> "@Activation(ActivationFunction.RELU) ";
        case "maxpool2d", "avgpool2d" -> String.format(Locale.ROOT,
            "@%s(size = %s, stride = %s, padding = %s) ",
            type.equals("maxpool2d") ? "MaxPool" : "AvgPool", pair(layer.get("k")),
            pair(layer.get("s")), pair(layer.get("p")));
        default -> throw new AssertionError("unknown layer type " + type);
      });
    }
    fields.add(field + " Layer " + name + ";");
    pending.forEach(g -> FIELD_OF.put(g, fieldName(fields.size() - 1, fields)));
    JsonArray shape = config.getAsJsonArray("input_shape");
    return String.format(Locale.ROOT, """
        package golden;

        import dev.kiln.dsl.*;

        @Model(inputs = {%d, %d, %d})
        public abstract class GoldenCnn {
          %s
        }
        """, shape.get(0).getAsInt(), shape.get(1).getAsInt(), shape.get(2).getAsInt(),
        String.join("\n  ", fields));
  }

  private static String fieldName(int index, List<String> fields) {
    String f = fields.get(index);
    return f.substring(f.lastIndexOf(" Layer ") + 7, f.length() - 1);
  }

  private static String configSource() {
    JsonObject config = golden.getAsJsonObject("config");
    JsonObject opt = config.getAsJsonObject("optimizer");
    assertThat(opt.get("class").getAsString()).isEqualTo("torch.optim.SGD");
    JsonObject decay = opt.getAsJsonObject("weight_decay");
    assertThat(decay.get("applies_to").getAsString()).contains("weight");
    assertThat(config.get("weight_decay_kind").getAsString()).startsWith("coupled L2");
    JsonObject schedule = config.getAsJsonObject("lr_schedule");
    assertThat(schedule.get("class").getAsString()).endsWith("CosineAnnealingLR");
    JsonObject clip = config.getAsJsonObject("grad_clipping");
    assertThat(clip.get("call").getAsString()).contains("norm_type=2");
    assertThat(config.get("loss").getAsString()).contains("cross_entropy");
    assertThat(config.get("shuffle").getAsBoolean()).isFalse();
    int perEpoch = config.get("samples").getAsInt() / config.get("batch_size").getAsInt();
    int epochs = (config.get("steps").getAsInt() + perEpoch - 1) / perEpoch;
    return String.format(Locale.ROOT, """
        package golden;

        import dev.kiln.dsl.*;

        @TrainingConfig(model = GoldenCnn.class, loss = Loss.SOFTMAX_CROSS_ENTROPY,
            batchSize = %d, epochs = %d, seed = 1)
        @Sgd(learningRate = %s, momentum = %s, dampening = %s, nesterov = %s)
        @CosineDecay(steps = %d, minimum = %s, periodic = true)
        @ClipGradNorm(maxNorm = %s)
        @L2(%s)
        public interface GoldenCnnTraining {}
        """, config.get("batch_size").getAsInt(), epochs, opt.get("lr").getAsDouble(),
        opt.get("momentum").getAsDouble(), opt.get("dampening").getAsDouble(),
        opt.get("nesterov").getAsBoolean(), schedule.get("T_max").getAsInt(),
        schedule.get("eta_min").getAsDouble(), clip.get("max_norm").getAsDouble(),
        decay.get("value").getAsDouble());
  }

  /** Golden name ({@code bn1.running_mean}, {@code dense.W}) to Kiln's ({@code conv1.runningMean}). */
  private static String kilnName(String goldenName) {
    String[] parts = goldenName.split("\\.");
    String role = switch (parts[1]) {
      case "W" -> "weight";
      case "b" -> "bias";
      case "running_mean" -> "runningMean";
      case "running_var" -> "runningVar";
      default -> parts[1];
    };
    assertThat(FIELD_OF).containsKey(parts[0]);
    return FIELD_OF.get(parts[0]) + "." + role;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, INDArray> parameters(Object network) throws Exception {
    return (Map<String, INDArray>) network.getClass().getMethod("parameters").invoke(network);
  }

  private static INDArray predict(Object network, INDArray x) throws Exception {
    return (INDArray) network.getClass().getMethod("predict", INDArray.class).invoke(network, x);
  }

  @Test
  void stepsMatchPyTorch() throws Exception {
    Object network = compiled.load("golden.GoldenCnnNetwork").getMethod("initialize", long.class)
        .invoke(null, 0L);
    JsonObject initial = golden.getAsJsonObject("initial_params");
    Map<String, INDArray> params = parameters(network);
    for (String name : initial.keySet()) {
      INDArray view = params.get(kilnName(name));
      assertThat(view).isNotNull();
      assertThat(view.shape()).isEqualTo(Golden.shape(initial.get(name)));
      view.assign(Nd4j.create(Golden.floats(initial.get(name)), view.shape(), 'c'));
    }
    Trainer trainer = (Trainer) compiled.load("golden.GoldenCnnTrainingTrainer")
        .getConstructor(network.getClass()).newInstance(network);

    JsonObject dataset = golden.getAsJsonObject("dataset");
    float[] x = Golden.floats(dataset.get("x"));
    long[] xShape = Golden.shape(dataset.get("x"));
    double[] labels = Golden.doubles(dataset.get("labels"));
    int features = (int) (x.length / xShape[0]);
    int classes = (int) Golden.shape(golden.get("eval_logits_final"))[1];
    // the eval logits: once as images [n, C, H, W], once flattened [n, C·H·W]
    Golden.assertAllClose("eval_logits_initial",
        predict(network, Nd4j.create(x, xShape, 'c')).data().asFloat(),
        Golden.doubles(golden.get("eval_logits_initial")), RTOL_F32, ATOL_F32);

    JsonObject config = golden.getAsJsonObject("config");
    int batch = config.get("batch_size").getAsInt();
    int perEpoch = config.get("samples").getAsInt() / batch;
    int steps = config.get("steps").getAsInt();
    JsonObject perStep = golden.getAsJsonObject("per_step");
    double[] lr = Golden.doubles(perStep.get("lr"));
    double[] loss = Golden.doubles(perStep.get("loss"));
    double[] norm = Golden.doubles(perStep.get("grad_norm_before_clip"));
    long[] batchShape = xShape.clone();
    batchShape[0] = batch;
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
      float stepLoss = trainer.step(Nd4j.create(bx, batchShape, 'c'),
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
    assertParams(network, golden.getAsJsonObject("final_bn_running_stats"));
    Golden.assertAllClose("eval_logits_final", predict(network,
            Nd4j.create(x, new long[] {xShape[0], features}, 'c')).data().asFloat(),
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
