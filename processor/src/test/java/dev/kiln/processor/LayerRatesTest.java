package dev.kiln.processor;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.runtime.tensor.Tensor;
import dev.kiln.runtime.train.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Issue 18, item 17: {@code @LearningRateScale} on a layer or block field multiplies the
 * scheduled rate for that layer in every optimizer (a layer's update equals that of a trainer
 * whose rate is {@code scale × lr}, bitwise, for SGD with momentum and decoupled decay, Adam and
 * RMSprop); a scale of 0 keeps the layer's values without a NaN anywhere, also on the guarded
 * (copy-and-check) update path; {@code @Freeze} on a configuration keeps a layer bitwise unchanged
 * with its optimizer buffers untouched; and a checkpoint of the frozen configuration restores into
 * the unfrozen one (buffers and step count kept) while a different architecture is refused.
 */
class LayerRatesTest {
  private static Compiled compiled;
  @TempDir Path dir;

  private static String model(String name, String hiddenAnnotations) {
    return "package rates;\nimport static dev.kiln.dsl.ActivationFunction.*;\n"
        + "import dev.kiln.dsl.*;\n@Model(inputs = 4)\npublic abstract class " + name + " {\n"
        + "  @Dense(6) @Activation(TANH) " + hiddenAnnotations + " Layer hidden;\n"
        + "  @Dense(3) Layer logits;\n}\n";
  }

  private static String config(String name, String model, String annotations) {
    return "package rates;\nimport dev.kiln.dsl.*;\n@TrainingConfig(model = " + model
        + ".class, loss = Loss.SOFTMAX_CROSS_ENTROPY, batchSize = 8, epochs = 1)\n"
        + annotations + "\npublic interface " + name + " {}\n";
  }

  /** The three optimizers, each at rate {@code lr}. */
  private static final Map<String, String> OPTIMIZERS = Map.of(
      "Sgd", "@Sgd(learningRate = %s, momentum = 0.9)\n@WeightDecay(0.01)",
      "Adam", "@Adam(learningRate = %s)\n@WeightDecay(0.01)",
      "Rms", "@RmsProp(learningRate = %s, momentum = 0.5)");

  @BeforeAll
  static void compile() {
    Map<String, String> sources = new LinkedHashMap<>();
    sources.put("rates.Net", model("Net", ""));
    sources.put("rates.Half", model("Half", "@LearningRateScale(0.5)"));
    sources.put("rates.Zero", model("Zero", "@LearningRateScale(0)"));
    sources.put("rates.Wide", "package rates;\nimport dev.kiln.dsl.*;\n@Model(inputs = 4)\n"
        + "public abstract class Wide {\n  @Dense(7) Layer hidden;\n  @Dense(3) Layer logits;\n}\n");
    sources.put("rates.Pair", "package rates;\nimport static dev.kiln.dsl.ActivationFunction.*;\n"
        + "import dev.kiln.dsl.*;\n@Block\npublic abstract class Pair {\n"
        + "  @Dense(6) @Activation(TANH) Layer inner;\n}\n");
    sources.put("rates.BlockNet", "package rates;\nimport dev.kiln.dsl.*;\n@Model(inputs = 4)\n"
        + "public abstract class BlockNet {\n  @LearningRateScale(0.5) Pair body;\n"
        + "  @Dense(3) Layer logits;\n}\n");
    OPTIMIZERS.forEach((name, optimizer) -> {
      sources.put("rates." + name + "Full", config(name + "Full", "Net",
          optimizer.formatted("0.1")));
      sources.put("rates." + name + "Slow", config(name + "Slow", "Net",
          optimizer.formatted("0.05")));
      sources.put("rates." + name + "Half", config(name + "Half", "Half",
          optimizer.formatted("0.1")));
    });
    sources.put("rates.BlockHalf", config("BlockHalf", "BlockNet",
        "@Sgd(learningRate = 0.1, momentum = 0.9)\n@WeightDecay(0.01)"));
    sources.put("rates.ZeroAdam", config("ZeroAdam", "Zero",
        "@Adam(learningRate = 0.05)\n@WeightDecay(0.1)\n@ClipGradNorm(maxNorm = 1.0)"));
    // epsilon 1e-30 bounds an RMSprop update above 1e30: every step takes the guarded path
    sources.put("rates.ZeroRms", config("ZeroRms", "Zero",
        "@RmsProp(learningRate = 0.01, epsilon = 1e-30, momentum = 0.5)\n@WeightDecay(0.1)"));
    sources.put("rates.Frozen", config("Frozen", "Net",
        "@Adam(learningRate = 0.01)\n@WeightDecay(0.01)\n@Freeze(\"hidden\")"));
    sources.put("rates.Unfrozen", config("Unfrozen", "Net",
        "@Adam(learningRate = 0.01)\n@WeightDecay(0.01)"));
    sources.put("rates.WideTraining", config("WideTraining", "Wide",
        "@Adam(learningRate = 0.01)\n@WeightDecay(0.01)"));
    compiled = Compiled.compile(sources);
  }

  private static Object network(String model, long seed) throws Exception {
    return compiled.load("rates." + model + "Network").getMethod("initialize", long.class)
        .invoke(null, seed);
  }

  private static Trainer trainer(String config, Object network) throws Exception {
    return (Trainer) compiled.load("rates." + config + "Trainer")
        .getConstructor(network.getClass()).newInstance(network);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, INDArray> parameters(Object network) throws Exception {
    return (Map<String, INDArray>) network.getClass().getMethod("parameters").invoke(network);
  }

  private static Map<String, float[]> snapshot(Object network) throws Exception {
    Map<String, float[]> copy = new LinkedHashMap<>();
    parameters(network).forEach((k, v) -> copy.put(k, v.data().asFloat().clone()));
    return copy;
  }

  private static Map<String, float[]> state(Trainer t) {
    Map<String, float[]> copy = new LinkedHashMap<>();
    for (Map.Entry<String, Tensor> e : t.trainingState().arrays().entrySet()) {
      if (e.getKey().startsWith("optimizer/")) {
        float[] v = new float[e.getValue().length()];
        e.getValue().data().get(0, v);
        copy.put(e.getKey(), v);
      }
    }
    return copy;
  }

  private static INDArray[] batch(Random random) {
    float[] x = new float[8 * 4];
    float[] y = new float[8 * 3];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) random.nextGaussian();
    }
    for (int r = 0; r < 8; r++) {
      y[r * 3 + random.nextInt(3)] = 1f;
    }
    return new INDArray[] {Nd4j.create(x, new long[] {8, 4}, 'c'),
        Nd4j.create(y, new long[] {8, 3}, 'c')};
  }

  private static Map<String, float[]> afterOneStep(String config, String model) throws Exception {
    Object net = network(model, 11);
    Trainer t = trainer(config, net);
    INDArray[] b = batch(new Random(3));
    t.step(b[0], b[1]);
    return snapshot(net);
  }

  private static boolean allFinite(float[] values) {
    for (float v : values) {
      if (!Float.isFinite(v)) {
        return false;
      }
    }
    return true;
  }

  /**
   * One step: the scaled layer moves exactly as with rate 0.05 (0.5 × 0.1, both exact in binary),
   * the other layer as with rate 0.1, in every optimizer.
   */
  @Test
  void aScaledLayerIsUpdatedWithScaleTimesTheRate() throws Exception {
    assertThat(snapshot(network("Half", 11)).get("hidden.weight"))
        .isEqualTo(snapshot(network("Net", 11)).get("hidden.weight"));
    for (String optimizer : OPTIMIZERS.keySet()) {
      Map<String, float[]> half = afterOneStep(optimizer + "Half", "Half");
      Map<String, float[]> slow = afterOneStep(optimizer + "Slow", "Net");
      Map<String, float[]> full = afterOneStep(optimizer + "Full", "Net");
      for (String p : new String[] {"hidden.weight", "hidden.bias"}) {
        assertWithMessage("%s %s", optimizer, p).that(half.get(p)).isEqualTo(slow.get(p));
        assertWithMessage("%s %s moved", optimizer, p).that(half.get(p))
            .isNotEqualTo(full.get(p));
      }
      for (String p : new String[] {"logits.weight", "logits.bias"}) {
        assertWithMessage("%s %s", optimizer, p).that(half.get(p)).isEqualTo(full.get(p));
      }
    }
  }

  /** A block field's scale reaches the layers inside it. */
  @Test
  void aBlockFieldsScaleAppliesToItsLayers() throws Exception {
    String source = compiled.source("rates.BlockHalfTrainer");
    assertThat(source).contains(".learningRateScale(\"body.inner\", 0.5)");
    assertThat(source).doesNotContain(".learningRateScale(\"logits\"");
  }

  @Test
  void aRateOfZeroKeepsTheLayerAndGivesNoNaN() throws Exception {
    for (String config : new String[] {"ZeroAdam", "ZeroRms"}) {
      Object net = network("Zero", 5);
      Map<String, float[]> before = snapshot(net);
      Trainer t = trainer(config, net);
      Random random = new Random(7);
      for (int s = 0; s < 5; s++) {
        INDArray[] b = batch(random);
        t.step(b[0], b[1]);
      }
      Map<String, float[]> after = snapshot(net);
      assertWithMessage(config).that(after.get("hidden.weight"))
          .isEqualTo(before.get("hidden.weight"));
      assertWithMessage(config).that(after.get("hidden.bias")).isEqualTo(before.get("hidden.bias"));
      assertWithMessage(config).that(after.get("logits.weight"))
          .isNotEqualTo(before.get("logits.weight"));
      after.forEach((k, v) -> assertWithMessage("%s %s finite", config, k)
          .that(allFinite(v)).isTrue());
      Map<String, float[]> buffers = state(t);
      buffers.forEach((k, v) -> assertWithMessage("%s %s finite", config, k)
          .that(allFinite(v)).isTrue());
      // the buffers still follow the layer's gradients (a PyTorch group with lr = 0)
      String moment = config.equals("ZeroAdam") ? "optimizer/hidden.weight.exp_avg"
          : "optimizer/hidden.weight.square_avg";
      assertWithMessage(config).that(buffers.get(moment))
          .isNotEqualTo(new float[buffers.get(moment).length]);
      assertWithMessage(config).that(t.iteration()).isEqualTo(5);
    }
  }

  @Test
  void aLayerFrozenByTheConfigurationStaysUnchangedWithItsBuffers() throws Exception {
    Object net = network("Net", 5);
    Map<String, float[]> before = snapshot(net);
    Trainer t = trainer("Frozen", net);
    Random random = new Random(9);
    for (int s = 0; s < 4; s++) {
      INDArray[] b = batch(random);
      t.step(b[0], b[1]);
    }
    Map<String, float[]> after = snapshot(net);
    assertThat(after.get("hidden.weight")).isEqualTo(before.get("hidden.weight"));
    assertThat(after.get("hidden.bias")).isEqualTo(before.get("hidden.bias"));
    assertThat(after.get("logits.weight")).isNotEqualTo(before.get("logits.weight"));
    Map<String, float[]> buffers = state(t);
    float[] moment = buffers.get("optimizer/hidden.weight.exp_avg");
    assertThat(moment).isEqualTo(new float[moment.length]);
    assertThat(buffers.get("optimizer/logits.weight.exp_avg"))
        .isNotEqualTo(new float[moment.length / 2]);
  }

  @Test
  void aFrozenCheckpointRestoresIntoTheUnfrozenConfiguration() throws Exception {
    Object frozenNet = network("Net", 5);
    Trainer frozen = trainer("Frozen", frozenNet);
    Random random = new Random(4);
    for (int s = 0; s < 3; s++) {
      INDArray[] b = batch(random);
      frozen.step(b[0], b[1]);
    }
    Path file = dir.resolve("frozen.kiln");
    frozen.save(file);
    Map<String, float[]> saved = state(frozen);

    Object net = network("Net", 99);
    Trainer unfrozen = trainer("Unfrozen", net);
    unfrozen.restore(file);
    assertThat(unfrozen.iteration()).isEqualTo(3);
    Map<String, float[]> restored = state(unfrozen);
    assertThat(restored.keySet()).isEqualTo(saved.keySet());
    saved.forEach((k, v) -> assertWithMessage(k).that(restored.get(k)).isEqualTo(v));
    Map<String, float[]> start = snapshot(net);
    assertThat(start.get("logits.weight")).isEqualTo(snapshot(frozenNet).get("logits.weight"));

    // the next step trains the unfrozen layer, with the kept moments and step count
    INDArray[] next = batch(random);
    unfrozen.step(next[0], next[1]);
    assertThat(snapshot(net).get("hidden.weight")).isNotEqualTo(start.get("hidden.weight"));
    // the same parameters with fresh moments (step 0) move the head differently
    Object fresh = network("Net", 99);
    parameters(fresh).forEach((k, v) -> v.assign(Nd4j.create(start.get(k), v.shape(), 'c')));
    Trainer restart = trainer("Unfrozen", fresh);
    restart.step(next[0], next[1]);
    assertThat(snapshot(fresh).get("logits.weight"))
        .isNotEqualTo(snapshot(net).get("logits.weight"));
    // the frozen run continues the same way from its own checkpoint
    Trainer again = trainer("Frozen", network("Net", 1));
    again.restore(file);
    assertThat(again.iteration()).isEqualTo(3);
  }

  @Test
  void aCheckpointOfAnotherArchitectureIsStillRefused() throws Exception {
    Trainer frozen = trainer("Frozen", network("Net", 5));
    Path file = dir.resolve("frozen.kiln");
    frozen.save(file);
    Trainer wide = trainer("WideTraining", network("Wide", 5));
    Exception e = assertThrows(Exception.class, () -> wide.restore(file));
    assertThat(e).hasMessageThat().contains("hidden");
    assertThat(Files.exists(file)).isTrue();
  }
}
