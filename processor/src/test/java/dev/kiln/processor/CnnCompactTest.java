package dev.kiln.processor;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;

import dev.kiln.runtime.pruning.CompactNetwork;
import dev.kiln.runtime.tensor.Tensor;
import dev.kiln.runtime.train.Trainer;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Issue 16, item 5: {@code @Prune(structure = NEURONS)} on convolutions prunes whole output
 * channels (filter and bias), and {@code compact()} removes them with the matching channels of
 * the layer's batch norm, the input channels of the next convolution and the flattened inputs
 * (C, H, W order) of the next dense layer: the smaller network predicts what the masked one does
 * within 1e-5. The models put the removed channels' constant outputs through every path: batch
 * norm and tanh before max pooling, padded convolutions (a per-position bias), padded average
 * pooling (maps that vary at the borders), sigmoid into an unpadded convolution (a bias), global
 * average pooling and dense layers.
 */
class CnnCompactTest {
  private static final int ROWS = 8;
  private static Compiled compiled;

  private static final String DEEP = """
      package compact;
      import static dev.kiln.dsl.ActivationFunction.*;
      import dev.kiln.dsl.*;
      @Model(inputs = {2, 10, 10})
      public abstract class Deep {
        @Conv2d(filters = 8, kernel = 3, padding = 1) @BatchNorm @Activation(TANH)
        @MaxPool(size = 2) Layer conv1;
        @Conv2d(filters = 8, kernel = 3, padding = 1) @BatchNorm @Activation(RELU)
        @AvgPool(size = 3, stride = 2, padding = 1) Layer conv2;
        @Conv2d(filters = 6, kernel = 1) @Activation(TANH) @Dropout(0.1) Layer conv3;
        @Dense(12) @BatchNorm @Activation(RELU) Layer hidden;
        @Dense(4) Layer logits;
      }
      """;

  private static final String GLOBAL = """
      package compact;
      import static dev.kiln.dsl.ActivationFunction.*;
      import dev.kiln.dsl.*;
      @Model(inputs = {1, 8, 8})
      public abstract class Global {
        @Conv2d(filters = 6, kernel = 3) @Activation(SIGMOID) Layer conv1;
        @Conv2d(filters = 6, kernel = 3) @BatchNorm @GlobalAvgPool Layer conv2;
        @Dense(3) Layer logits;
      }
      """;

  private static String config(String name, String model, String prune) {
    return "package compact;\nimport dev.kiln.dsl.*;\n@TrainingConfig(model = " + model
        + ".class, loss = Loss.SOFTMAX_CROSS_ENTROPY, batchSize = " + ROWS
        + ", epochs = 1, seed = 6)\n@Sgd(learningRate = 0.05, momentum = 0.9)\n" + prune
        + "\npublic interface " + name + " {}\n";
  }

  @BeforeAll
  static void compile() {
    compiled = Compiled.compile(Map.of("compact.Deep", DEEP, "compact.Global", GLOBAL,
        "compact.DeepTraining", config("DeepTraining", "Deep", "@Prune(finalSparsity = 0.5,"
            + " beginStep = 0, endStep = 6, frequency = 2, scope = PruneScope.PER_LAYER,"
            + " structure = PruneStructure.NEURONS)"),
        "compact.GlobalTraining", config("GlobalTraining", "Global", "@Prune(finalSparsity ="
            + " 0.5, beginStep = 1, endStep = 5, frequency = 1, scope = PruneScope.PER_LAYER,"
            + " structure = PruneStructure.NEURONS)"),
        "compact.Unstructured", config("Unstructured", "Deep", "@Prune(finalSparsity = 0.5,"
            + " beginStep = 0, endStep = 4, frequency = 2)")));
  }

  private static Trainer trained(String model, String config, int[] image, int classes)
      throws Exception {
    Object network = compiled.load("compact." + model + "Network")
        .getMethod("initialize", long.class).invoke(null, 11L);
    Trainer trainer = (Trainer) compiled.load("compact." + config + "Trainer")
        .getConstructor(network.getClass()).newInstance(network);
    for (int s = 0; s < 10; s++) {
      INDArray[] b = batch(s, ROWS, image, classes);
      trainer.step(b[0], b[1]);
    }
    return trainer;
  }

  private static INDArray[] batch(int s, int rows, int[] image, int classes) {
    Nd4j.getRandom().setSeed(500 + s);
    INDArray x = Nd4j.rand(DataType.FLOAT, rows, image[0], image[1], image[2]).subi(0.5)
        .muli(2);
    INDArray y = Nd4j.zeros(DataType.FLOAT, rows, classes);
    for (int r = 0; r < rows; r++) {
      y.putScalar(r, (r + s) % classes, 1f);
    }
    return new INDArray[] {x, y};
  }

  private static CompactNetwork compact(Trainer trainer) throws Exception {
    return (CompactNetwork) trainer.getClass().getMethod("compact").invoke(trainer);
  }

  private static void assertSamePredictions(Trainer trainer, CompactNetwork compact, int[] image)
      throws Exception {
    INDArray x = batch(99, 20, image, 2)[0];
    float[] expected = trainer.predict(x).data().asFloat();
    float[] actual = compact.predict(x).data().asFloat();
    assertThat(actual.length).isEqualTo(expected.length);
    for (int i = 0; i < expected.length; i++) {
      assertWithMessage("prediction %s", i).that((double) actual[i])
          .isWithin(1e-5 + 1e-5 * Math.abs(expected[i])).of(expected[i]);
    }
    // the rows of the images are accepted as well
    float[] rows = compact.predict(x.reshape(20, image[0] * image[1] * image[2])).data()
        .asFloat();
    assertThat(rows).isEqualTo(actual);
  }

  @Test
  void compactRemovesPrunedChannelsAndPredictsTheSame(@TempDir Path dir) throws Exception {
    int[] image = {2, 10, 10};
    Trainer trainer = trained("Deep", "DeepTraining", image, 4);
    @SuppressWarnings("unchecked")
    Map<String, Tensor> masks = (Map<String, Tensor>) trainer.getClass().getMethod("masks")
        .invoke(trainer);
    assertThat(masks.keySet()).containsExactly("conv1.weight", "conv2.weight", "conv3.weight",
        "hidden.weight").inOrder();
    CompactNetwork compact = compact(trainer);
    // half of the channels (and of hidden's units) removed: [4, 5, 5], [4, 3, 3], [3, 3, 3]
    assertThat(compact.widths()).isEqualTo(new int[] {4 * 25, 4 * 9, 3 * 9, 6, 4});
    assertSamePredictions(trainer, compact, image);
    Path file = dir.resolve("deep.kiln");
    compact.save(file);
    CompactNetwork loaded = CompactNetwork.load(file);
    INDArray x = batch(7, 5, image, 4)[0];
    assertThat(loaded.predict(x).data().asFloat()).isEqualTo(compact.predict(x).data().asFloat());
    assertThat(loaded.parameterCount()).isEqualTo(compact.parameterCount());
  }

  @Test
  void sigmoidAndGlobalAveragePoolingConstantsFoldIntoBiases() throws Exception {
    int[] image = {1, 8, 8};
    Trainer trainer = trained("Global", "GlobalTraining", image, 3);
    CompactNetwork compact = compact(trainer);
    // conv1 [3, 6, 6] of [6, 6, 6]; conv2 with global average pooling [3] of [6]
    assertThat(compact.widths()).isEqualTo(new int[] {3 * 36, 3, 3});
    assertSamePredictions(trainer, compact, image);
  }

  @Test
  void channelMasksAreCheckpointedAndResumeIsBitExact(@TempDir Path dir) throws Exception {
    int[] image = {1, 8, 8};
    Trainer first = trained("Global", "GlobalTraining", image, 3);
    assertThat(first.trainingState().arrays().keySet()).containsAtLeast("mask/conv1.weight",
        "mask/conv2.weight");
    Path file = dir.resolve("cnn.kiln");
    first.save(file);
    for (int s = 10; s < 16; s++) {
      INDArray[] b = batch(s, ROWS, image, 3);
      first.step(b[0], b[1]);
    }
    Object fresh = compiled.load("compact.GlobalNetwork").getMethod("initialize", long.class)
        .invoke(null, 99L);
    Trainer resumed = (Trainer) compiled.load("compact.GlobalTrainingTrainer")
        .getConstructor(fresh.getClass()).newInstance(fresh);
    resumed.restore(file);
    for (int s = 10; s < 16; s++) {
      INDArray[] b = batch(s, ROWS, image, 3);
      resumed.step(b[0], b[1]);
    }
    for (String name : first.trainingState().arrays().keySet()) {
      assertWithMessage(name).that(resumed.trainingState().arrays().get(name).toFloatArray())
          .isEqualTo(first.trainingState().arrays().get(name).toFloatArray());
    }
  }

  @Test
  void unstructuredCompactKeepsEveryChannel() throws Exception {
    int[] image = {2, 10, 10};
    Trainer trainer = trained("Deep", "Unstructured", image, 4);
    CompactNetwork compact = compact(trainer);
    assertThat(compact.widths()).isEqualTo(new int[] {8 * 25, 8 * 9, 6 * 9, 12, 4});
    assertSamePredictions(trainer, compact, image);
  }
}
