package dev.kiln.processor;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;

import dev.kiln.runtime.testing.Golden;
import dev.kiln.runtime.train.Trainer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The training controls of generated trainers on convolutional layers: {@code @Frozen} on a conv
 * layer (its weight, bias, gamma and beta bitwise unchanged while the layers before and after it
 * train through it; its batch-norm running statistics keep updating, as {@code @Frozen}
 * documents after PyTorch), gradient accumulation on a CNN without batch norm ({@code k} batches
 * of {@code n} rows equal one batch of {@code k·n}), and per-layer norm clipping of a conv layer
 * (its weight, bias, gamma and beta share one norm).
 */
class CnnTrainingControlsTest {
  private static Compiled compiled;

  private static String model(String name, String inputs, String layers) {
    return "package cnnctl;\nimport static dev.kiln.dsl.ActivationFunction.*;\n"
        + "import dev.kiln.dsl.*;\n@Model(inputs = " + inputs + ")\npublic abstract class "
        + name + " {\n" + layers + "}\n";
  }

  private static String config(String name, String model, String members, String annotations) {
    return "package cnnctl;\nimport dev.kiln.dsl.*;\n@TrainingConfig(model = " + model
        + ".class, loss = Loss.SOFTMAX_CROSS_ENTROPY, " + members + ")\n" + annotations
        + "\npublic interface " + name + " {}\n";
  }

  @BeforeAll
  static void compile() {
    Map<String, String> sources = new LinkedHashMap<>();
    sources.put("cnnctl.FrozenMiddle", model("FrozenMiddle", "{1, 8, 8}", """
          @Conv2d(filters = 3, kernel = 3, padding = 1) @BatchNorm @Activation(RELU) Layer conv1;
          @Conv2d(filters = 4, kernel = 3) @BatchNorm @Activation(RELU) @MaxPool(size = 2)
              @Frozen Layer conv2;
          @Dense(3) Layer logits;
        """));
    sources.put("cnnctl.FrozenMiddleTraining", config("FrozenMiddleTraining", "FrozenMiddle",
        "batchSize = 8, epochs = 1",
        "@Adam(learningRate = 0.05)\n@L1(0.01)\n@L2(value = 0.1, applyTo = ApplyTo.ALL)\n"
            + "@SuppressWarnings(\"KilnL2DecaysBatchNorm\")\n"
            + "@WeightDecay(value = 0.1, applyTo = ApplyTo.ALL)\n"
            + "@ClipGradNorm(maxNorm = 0.5, scope = ClipScope.PER_LAYER)"));
    sources.put("cnnctl.FrozenFirst", model("FrozenFirst", "{1, 8, 8}", """
          @Conv2d(filters = 3, kernel = 3) @BatchNorm @Activation(RELU) @MaxPool(size = 2)
              @Frozen Layer conv;
          @Dense(3) Layer logits;
        """));
    sources.put("cnnctl.FrozenFirstTraining", config("FrozenFirstTraining", "FrozenFirst",
        "batchSize = 8, epochs = 1", "@Sgd(learningRate = 0.1, momentum = 0.9)\n@L2(0.1)"));
    sources.put("cnnctl.NoNorm", model("NoNorm", "{2, 8, 8}", """
          @Conv2d(filters = 4, kernel = 3, padding = 1) @Activation(RELU) @MaxPool(size = 2)
              Layer conv1;
          @Conv2d(filters = 5, kernel = 3, paddingMode = Padding.SAME) @Activation(TANH)
              @AvgPool(size = 2) Layer conv2;
          @Dense(3) Layer logits;
        """));
    String common = "@Sgd(learningRate = 0.2, momentum = 0.9)\n@ClipGradNorm(maxNorm = 0.3)\n"
        + "@L2(0.01)\n@WeightDecay(0.02)\n@CosineDecay(steps = 3, minimum = 0.01)";
    sources.put("cnnctl.Accumulated", config("Accumulated", "NoNorm",
        "batchSize = 8, epochs = 1, accumulationSteps = 4", common));
    sources.put("cnnctl.Whole", config("Whole", "NoNorm", "batchSize = 32, epochs = 1", common));
    sources.put("cnnctl.Clipped", model("Clipped", "{1, 8, 8}", """
          @Conv2d(filters = 3, kernel = 3) @BatchNorm @Activation(RELU) @MaxPool(size = 2)
              Layer conv;
          @Dense(4) @Activation(TANH) Layer hidden;
          @Dense(3) Layer logits;
        """));
    sources.put("cnnctl.PerLayer", config("PerLayer", "Clipped", "batchSize = 8, epochs = 1",
        "@Sgd(learningRate = 1.0)\n@ClipGradNorm(maxNorm = 0.02, scope = ClipScope.PER_LAYER)"));
    sources.put("cnnctl.Unclipped", config("Unclipped", "Clipped", "batchSize = 8, epochs = 1",
        "@Sgd(learningRate = 1.0)"));
    compiled = Compiled.compile(sources);
  }

  private static Object network(String model, long seed) throws Exception {
    return compiled.load("cnnctl." + model + "Network").getMethod("initialize", long.class)
        .invoke(null, seed);
  }

  private static Trainer trainer(String config, Object network) throws Exception {
    return (Trainer) compiled.load("cnnctl." + config + "Trainer")
        .getConstructor(network.getClass()).newInstance(network);
  }

  /** Every parameter and running statistic of {@code network}, copied. */
  @SuppressWarnings("unchecked")
  private static Map<String, float[]> snapshot(Object network) throws Exception {
    Map<String, float[]> copy = new LinkedHashMap<>();
    ((Map<String, INDArray>) network.getClass().getMethod("parameters").invoke(network))
        .forEach((k, v) -> copy.put(k, v.data().asFloat().clone()));
    return copy;
  }

  /** Random images {@code [rows, c, 8, 8]} with one-hot labels of 3 classes. */
  private static INDArray[] batch(Random random, int rows, int channels) {
    float[] x = new float[rows * channels * 64];
    float[] y = new float[rows * 3];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) random.nextGaussian();
    }
    for (int r = 0; r < rows; r++) {
      y[r * 3 + random.nextInt(3)] = 1f;
    }
    return new INDArray[] {Nd4j.create(x, new long[] {rows, channels, 8, 8}, 'c'),
        Nd4j.create(y, new long[] {rows, 3}, 'c')};
  }

  @Test
  void frozenConvLayerStaysBitwiseUnchangedWhileTheOthersTrainThroughIt() throws Exception {
    Object net = network("FrozenMiddle", 9);
    Map<String, float[]> before = snapshot(net);
    assertThat(before.keySet()).containsAtLeast("conv2.weight", "conv2.bias", "conv2.gamma",
        "conv2.beta", "conv2.runningMean", "conv2.runningVar");
    Trainer t = trainer("FrozenMiddleTraining", net);
    Random random = new Random(5);
    for (int s = 0; s < 5; s++) {
      INDArray[] b = batch(random, 8, 1);
      t.step(b[0], b[1]);
    }
    Map<String, float[]> after = snapshot(net);
    for (String name : before.keySet()) {
      boolean frozen = name.startsWith("conv2.") && !name.startsWith("conv2.running");
      if (frozen) {
        assertWithMessage("%s frozen", name).that(after.get(name)).isEqualTo(before.get(name));
      } else {
        // conv1 before the frozen layer trains: gradients flow through conv2
        assertWithMessage("%s trains (batch-norm statistics keep updating)", name)
            .that(after.get(name)).isNotEqualTo(before.get(name));
      }
    }
  }

  /** A frozen first conv layer: unchanged, and the trainer computes no gradients for it. */
  @Test
  void frozenFirstConvLayerGetsNoBackwardPass() throws Exception {
    Object net = network("FrozenFirst", 4);
    Map<String, float[]> before = snapshot(net);
    Trainer t = trainer("FrozenFirstTraining", net);
    Random random = new Random(8);
    for (int s = 0; s < 3; s++) {
      INDArray[] b = batch(random, 8, 1);
      t.step(b[0], b[1]);
    }
    Map<String, float[]> after = snapshot(net);
    for (String name : new String[] {"conv.weight", "conv.bias", "conv.gamma", "conv.beta"}) {
      assertWithMessage(name).that(after.get(name)).isEqualTo(before.get(name));
    }
    assertThat(after.get("conv.runningMean")).isNotEqualTo(before.get("conv.runningMean"));
    assertThat(after.get("logits.weight")).isNotEqualTo(before.get("logits.weight"));
    String source = compiled.source("cnnctl.FrozenFirstTrainingTrainer");
    assertThat(source).doesNotContain("convBackward");
    assertThat(source).contains("logitsBackward(n);");
  }

  @Test
  void accumulatingKBatchesOfACnnEqualsOneBatchOfKTimesTheRows() throws Exception {
    Object small = network("NoNorm", 12);
    Object large = network("NoNorm", 12);
    Trainer accumulated = trainer("Accumulated", small);
    Trainer whole = trainer("Whole", large);
    assertThat(accumulated.accumulationSteps()).isEqualTo(4);
    Random random = new Random(7);
    for (int s = 0; s < 3; s++) {
      INDArray[] batch = batch(random, 32, 2);
      assertThat(accumulated.learningRate()).isEqualTo(whole.learningRate());
      float lossSum = 0;
      for (int k = 0; k < 4; k++) {
        assertThat(accumulated.iteration()).isEqualTo(s);
        INDArray x = batch[0].get(NDArrayIndex.interval(8 * k, 8 * k + 8), NDArrayIndex.all(),
            NDArrayIndex.all(), NDArrayIndex.all()).dup('c');
        INDArray y = batch[1].get(NDArrayIndex.interval(8 * k, 8 * k + 8), NDArrayIndex.all())
            .dup('c');
        lossSum += accumulated.step(x, y);
      }
      float wholeLoss = whole.step(batch[0], batch[1]);
      assertThat(accumulated.iteration()).isEqualTo(s + 1);
      Golden.assertAllClose("mean loss, step " + s, new double[] {lossSum / 4},
          new double[] {wholeLoss}, 1e-5, 1e-6);
      Golden.assertAllClose("gradient norm, step " + s,
          new double[] {accumulated.lastGradientNorm()}, new double[] {whole.lastGradientNorm()},
          1e-5, 1e-7);
      Map<String, float[]> expected = snapshot(large);
      Map<String, float[]> actual = snapshot(small);
      assertThat(actual.keySet()).isEqualTo(expected.keySet());
      for (String name : expected.keySet()) {
        Golden.assertAllClose(name + " after step " + s, actual.get(name),
            toDouble(expected.get(name)), 1e-5, 1e-6);
      }
    }
  }

  /**
   * One SGD step at rate 1 with per-layer clipping moves each layer's parameters by its raw
   * gradient (from the same step without clipping) times {@code min(1, maxNorm / (norm + 1e-6))},
   * where {@code norm} spans that layer's parameters only: for the conv layer its weight, bias and
   * batch-norm gamma and beta.
   */
  @Test
  void perLayerClippingScalesTheConvLayerByItsOwnNorm() throws Exception {
    Object clippedNet = network("Clipped", 3);
    Object plainNet = network("Clipped", 3);
    Map<String, float[]> before = snapshot(clippedNet);
    Trainer clipped = trainer("PerLayer", clippedNet);
    Trainer plain = trainer("Unclipped", plainNet);
    INDArray[] b = batch(new Random(11), 8, 1);
    clipped.step(b[0], b[1]);
    plain.step(b[0], b[1]);
    Map<String, float[]> raw = snapshot(plainNet);
    Map<String, float[]> after = snapshot(clippedNet);
    Map<String, Double> layerNorm = new LinkedHashMap<>();
    double total = 0;
    for (String name : before.keySet()) {
      if (name.contains(".running")) {
        continue;
      }
      double sum = 0;
      for (int i = 0; i < before.get(name).length; i++) {
        double g = (double) before.get(name)[i] - raw.get(name)[i];
        sum += g * g;
      }
      layerNorm.merge(name.substring(0, name.indexOf('.')), sum, Double::sum);
      total += sum;
    }
    layerNorm.replaceAll((layer, sum) -> Math.sqrt(sum));
    assertThat(layerNorm.keySet()).containsExactly("conv", "hidden", "logits").inOrder();
    Golden.assertAllClose("norm before clipping", new double[] {clipped.lastGradientNorm()},
        new double[] {Math.sqrt(total)}, 1e-4, 1e-6);
    for (double norm : layerNorm.values()) {
      assertWithMessage("every layer's norm exceeds maxNorm").that(norm).isGreaterThan(0.04);
    }
    for (String name : before.keySet()) {
      if (name.contains(".running")) {
        continue;
      }
      double scale = Math.min(1, 0.02 / (layerNorm.get(name.substring(0, name.indexOf('.')))
          + 1e-6));
      float[] w0 = before.get(name);
      double[] expectedStep = new double[w0.length];
      double[] actualStep = new double[w0.length];
      for (int i = 0; i < w0.length; i++) {
        expectedStep[i] = ((double) w0[i] - raw.get(name)[i]) * scale;
        actualStep[i] = (double) w0[i] - after.get(name)[i];
      }
      Golden.assertAllClose(name + " clipped step", actualStep, expectedStep, 1e-3, 2e-7);
    }
  }

  private static double[] toDouble(float[] v) {
    double[] d = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      d[i] = v[i];
    }
    return d;
  }
}
