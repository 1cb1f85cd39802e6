package dev.kiln.processor;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.runtime.checkpoint.CheckpointException;
import dev.kiln.runtime.train.Trainer;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Checkpoints of a generated CNN trainer (conv, per-channel batch norm, max and average pooling,
 * dropout on images, Adam with a schedule, clipping, L2): N steps, save, a fresh network and
 * trainer, restore, N more steps give the same losses, rates and bitwise the same parameters and
 * running statistics as 2N uninterrupted steps. A checkpoint of another architecture whose
 * parameters all have the same shapes (average instead of max pooling, another padding and
 * stride) is refused by the trainer and by the network's {@code load}, naming the difference,
 * and leaves the trainer as it was.
 */
class CnnCheckpointTest {
  private static final int N = 5;
  private static Compiled compiled;

  private static String model(String name, String pool, String conv2, String pool2) {
    return "package cnnckpt;\nimport static dev.kiln.dsl.ActivationFunction.*;\n"
        + "import dev.kiln.dsl.*;\n@Model(inputs = {1, 8, 8})\npublic abstract class " + name
        + " {\n"
        + "  @Conv2d(filters = 3, kernel = 3, padding = 1) @BatchNorm @Activation(RELU)\n"
        + "      " + pool + " @Dropout(0.2) Layer conv1;\n"
        + "  " + conv2 + " @Activation(TANH) " + pool2 + " Layer conv2;\n"
        + "  @Dense(3) Layer logits;\n}\n";
  }

  private static String config(String name, String model) {
    return "package cnnckpt;\nimport dev.kiln.dsl.*;\n@TrainingConfig(model = " + model
        + ".class, loss = Loss.SOFTMAX_CROSS_ENTROPY, batchSize = 6, epochs = 1, seed = 3)\n"
        + "@Adam(learningRate = 0.01)\n@CosineDecay(steps = 12, minimum = 0.001)\n"
        + "@ClipGradNorm(maxNorm = 0.5)\n@L2(1e-3)\npublic interface " + name + " {}\n";
  }

  @BeforeAll
  static void compile() {
    String conv2 = "@Conv2d(filters = 4, kernel = 3, padding = 1)";
    Map<String, String> sources = new LinkedHashMap<>();
    String pool2 = "@AvgPool(size = 2)";
    sources.put("cnnckpt.Net", model("Net", "@MaxPool(size = 2)", conv2, pool2));
    sources.put("cnnckpt.Training", config("Training", "Net"));
    sources.put("cnnckpt.AvgNet", model("AvgNet", "@AvgPool(size = 2)", conv2, pool2));
    sources.put("cnnckpt.AvgTraining", config("AvgTraining", "AvgNet"));
    // [3, 4, 4] -> [4, 2, 2] by a stride of 2 instead of the pool: the same parameter shapes
    sources.put("cnnckpt.StrideNet", model("StrideNet", "@MaxPool(size = 2)",
        "@Conv2d(filters = 4, kernel = 3, padding = 1, stride = 2)", "@AvgPool(size = 1)"));
    sources.put("cnnckpt.StrideTraining", config("StrideTraining", "StrideNet"));
    compiled = Compiled.compile(sources);
  }

  @TempDir Path dir;

  private static Object network(String model, long seed) throws Exception {
    return compiled.load("cnnckpt." + model + "Network").getMethod("initialize", long.class)
        .invoke(null, seed);
  }

  private static Trainer trainer(String config, Object network) throws Exception {
    return (Trainer) compiled.load("cnnckpt." + config + "Trainer")
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

  /** Each parameter's and running statistic's name and shape. */
  @SuppressWarnings("unchecked")
  private static Map<String, String> shapes(Object network) throws Exception {
    Map<String, String> shapes = new LinkedHashMap<>();
    ((Map<String, INDArray>) network.getClass().getMethod("parameters").invoke(network))
        .forEach((k, v) -> shapes.put(k, java.util.Arrays.toString(v.shape())));
    return shapes;
  }

  /** Batch {@code s}: images {@code [6, 1, 8, 8]} and one-hot labels of 3 classes, seeded. */
  private static INDArray[] batch(int s) {
    Random random = new Random(100 + s);
    float[] x = new float[6 * 64];
    float[] y = new float[6 * 3];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) random.nextGaussian();
    }
    for (int r = 0; r < 6; r++) {
      y[r * 3 + random.nextInt(3)] = 1f;
    }
    return new INDArray[] {Nd4j.create(x, new long[] {6, 1, 8, 8}, 'c'),
        Nd4j.create(y, new long[] {6, 3}, 'c')};
  }

  /** The rate and the loss of each step from {@code from} to {@code to}. */
  private static List<Double> run(Trainer trainer, int from, int to) {
    List<Double> trace = new ArrayList<>();
    for (int s = from; s < to; s++) {
      INDArray[] b = batch(s);
      trace.add(trainer.learningRate());
      trace.add((double) trainer.step(b[0], b[1]));
    }
    return trace;
  }

  private static void assertBitwiseEqual(String what, Map<String, float[]> a,
      Map<String, float[]> b) {
    assertThat(b.keySet()).isEqualTo(a.keySet());
    for (String name : a.keySet()) {
      float[] x = a.get(name);
      float[] y = b.get(name);
      for (int i = 0; i < x.length; i++) {
        assertWithMessage("%s: %s[%s]", what, name, i).that(Float.floatToRawIntBits(y[i]))
            .isEqualTo(Float.floatToRawIntBits(x[i]));
      }
    }
  }

  @Test
  void resumeIsExact() throws Exception {
    Object straightNet = network("Net", 5);
    List<Double> expected = run(trainer("Training", straightNet), 0, 2 * N);

    Trainer first = trainer("Training", network("Net", 5));
    List<Double> trace = new ArrayList<>(run(first, 0, N));
    Path file = dir.resolve("half.kiln");
    first.save(file);

    Object resumedNet = network("Net", 999);
    Trainer resumed = trainer("Training", resumedNet);
    resumed.restore(file);
    assertThat(resumed.iteration()).isEqualTo(N);
    trace.addAll(run(resumed, N, 2 * N));

    assertThat(trace).isEqualTo(expected);
    Map<String, float[]> straight = snapshot(straightNet);
    assertThat(straight.keySet()).containsAtLeast("conv1.runningMean", "conv1.runningVar");
    assertBitwiseEqual("resumed", straight, snapshot(resumedNet));
  }

  @Test
  void checkpointOfAnotherArchitectureWithTheSameParameterShapesIsRefused() throws Exception {
    Trainer source = trainer("Training", network("Net", 5));
    run(source, 0, 2);
    Path file = dir.resolve("max-pool.kiln");
    source.save(file);

    String[][] others = {
        {"Avg", "layers.conv1.parts: expected Conv2d,BatchNorm,Activation,AvgPool,Dropout,"
            + " found Conv2d,BatchNorm,Activation,MaxPool,Dropout"},
        {"Stride", "layers.conv2.conv2d.stride: expected 2x2, found 1x1"}};
    for (String[] other : others) {
      Object net = network(other[0] + "Net", 7);
      Trainer trainer = trainer(other[0] + "Training", net);
      run(trainer, 0, 1);
      Map<String, float[]> before = snapshot(net);
      assertThat(shapes(net)).isEqualTo(shapes(network("Net", 5)));
      CheckpointException e =
          assertThrows(CheckpointException.class, () -> trainer.restore(file));
      assertThat(e).hasMessageThat().contains(other[1]);
      assertThat(trainer.iteration()).isEqualTo(1);
      assertBitwiseEqual(other[0] + " after the refused checkpoint", before, snapshot(net));
      // and the trainer goes on as a twin that never saw the file
      Object twinNet = network(other[0] + "Net", 7);
      Trainer twin = trainer(other[0] + "Training", twinNet);
      run(twin, 0, 1);
      assertThat(run(trainer, 1, 3)).isEqualTo(run(twin, 1, 3));
      assertBitwiseEqual(other[0] + " next steps", snapshot(twinNet), snapshot(net));

      InvocationTargetException load = assertThrows(InvocationTargetException.class,
          () -> net.getClass().getMethod("load", Path.class).invoke(null, file));
      assertThat(load.getCause()).isInstanceOf(CheckpointException.class);
      assertThat(load.getCause()).hasMessageThat().contains(other[1]);
    }
  }
}
