package dev.kiln.processor;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.runtime.train.Trainer;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Bad input to {@code step} gets an {@link IllegalArgumentException} naming the expected and
 * actual shape or dtype, and changes nothing: parameters, running statistics and the step counter
 * are bitwise as before.
 */
class StepInputValidationTest {
  private static Compiled compiled;

  @BeforeAll
  static void compile() {
    compiled = Compiled.compile(Map.of("bad.SmallNet", """
        package bad;
        import static dev.kiln.dsl.ActivationFunction.RELU;
        import dev.kiln.dsl.*;
        @Model(inputs = 6)
        public abstract class SmallNet {
          @Dense(5) @BatchNorm @Activation(RELU) Layer hidden;
          @Dense(3) Layer logits;
        }
        """, "bad.SmallTraining", """
        package bad;
        import dev.kiln.dsl.*;
        @TrainingConfig(model = SmallNet.class, loss = Loss.SOFTMAX_CROSS_ENTROPY, batchSize = 8,
            epochs = 1)
        @Sgd(learningRate = 0.1, momentum = 0.9)
        public interface SmallTraining {}
        """));
  }

  private Object network;
  private Trainer trainer;

  private void fresh() throws Exception {
    network = compiled.load("bad.SmallNetNetwork").getMethod("initialize", long.class)
        .invoke(null, 1L);
    trainer = (Trainer) compiled.load("bad.SmallTrainingTrainer")
        .getConstructor(network.getClass()).newInstance(network);
  }

  @SuppressWarnings("unchecked")
  private Map<String, float[]> snapshot() throws Exception {
    Map<String, INDArray> params = (Map<String, INDArray>) network.getClass()
        .getMethod("parameters").invoke(network);
    Map<String, float[]> copy = new LinkedHashMap<>();
    params.forEach((k, v) -> copy.put(k, v.data().asFloat().clone()));
    return copy;
  }

  private static INDArray floats(long... shape) {
    return Nd4j.rand(DataType.FLOAT, shape);
  }

  private static INDArray oneHot(int rows, int classes) {
    INDArray y = Nd4j.zeros(DataType.FLOAT, rows, classes);
    for (int r = 0; r < rows; r++) {
      y.putScalar(r, r % classes, 1f);
    }
    return y;
  }

  private void assertRejected(INDArray features, INDArray labels, String... messageParts)
      throws Exception {
    fresh();
    trainer.step(floats(4, 6), oneHot(4, 3)); // momentum buffers and running stats in use
    Map<String, float[]> before = snapshot();
    long iteration = trainer.iteration();
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> trainer.step(features, labels));
    for (String part : messageParts) {
      assertThat(e).hasMessageThat().contains(part);
    }
    assertThat(trainer.iteration()).isEqualTo(iteration);
    Map<String, float[]> after = snapshot();
    for (String name : before.keySet()) {
      assertThat(after.get(name)).isEqualTo(before.get(name));
    }
  }

  @Test
  void wrongRank() throws Exception {
    assertRejected(floats(4, 6, 1), oneHot(4, 3), "features", "[n, 6]", "[4, 6, 1]");
  }

  @Test
  void wrongFeatureCount() throws Exception {
    assertRejected(floats(4, 7), oneHot(4, 3), "features", "[n, 6]", "[4, 7]");
  }

  @Test
  void wrongLabelWidth() throws Exception {
    assertRejected(floats(4, 6), oneHot(4, 4), "labels", "[n, 3]", "[4, 4]");
  }

  @Test
  void rowCountsDiffer() throws Exception {
    assertRejected(floats(4, 6), oneHot(5, 3), "labels", "expected 4 rows", "got 5");
  }

  @Test
  void zeroRows() throws Exception {
    assertRejected(Nd4j.create(DataType.FLOAT, 0, 6), oneHot(4, 3), "features", "1 <= n <= 8");
  }

  @Test
  void aboveBatchSize() throws Exception {
    assertRejected(floats(9, 6), oneHot(9, 3), "features", "1 <= n <= 8", "[9, 6]");
  }

  @Test
  void notFloat32() throws Exception {
    assertRejected(Nd4j.rand(DataType.DOUBLE, 4, 6), oneHot(4, 3), "features", "FLOAT",
        "DOUBLE");
  }

  @Test
  void singleRowWithBatchNorm() throws Exception {
    assertRejected(floats(1, 6), oneHot(1, 3), "at least 2 samples");
  }

  @Test
  void nullFeatures() throws Exception {
    assertRejected(null, oneHot(4, 3), "features is null");
  }

  @Test
  void nanFeature() throws Exception {
    INDArray x = floats(4, 6);
    x.putScalar(2, 3, Float.NaN);
    assertRejected(x, oneHot(4, 3), "features row 2, column 3 is NaN");
  }

  @Test
  void infiniteFeature() throws Exception {
    INDArray x = floats(4, 6);
    x.putScalar(0, 5, Float.NEGATIVE_INFINITY);
    assertRejected(x, oneHot(4, 3), "features row 0, column 5 is -Infinity");
  }

  @Test
  void labelsThatAreNotADistribution() throws Exception {
    INDArray y = oneHot(4, 3);
    y.putScalar(1, 1, 0.7f);
    assertRejected(floats(4, 6), y, "labels row 1 sums to", "probability distribution");
  }

  @Test
  void negativeLabel() throws Exception {
    INDArray y = oneHot(4, 3);
    y.putScalar(3, 2, -0.5f);
    y.putScalar(3, 0, 1.5f);
    assertRejected(floats(4, 6), y, "labels row 3", "expects labels in [0, 1]");
  }

  @Test
  void nanLabel() throws Exception {
    INDArray y = oneHot(4, 3);
    y.putScalar(0, 0, Float.NaN);
    assertRejected(floats(4, 6), y, "labels row 0, column 0 is NaN");
  }

  @Test
  void softLabelsAreAccepted() throws Exception {
    fresh();
    INDArray y = Nd4j.create(new float[] {0.2f, 0.3f, 0.5f, 1, 0, 0, 0, 0.5f, 0.5f, 0.1f, 0.1f,
        0.8f}, new long[] {4, 3}, 'c');
    float loss = trainer.step(floats(4, 6), y);
    assertThat(Float.isFinite(loss)).isTrue();
    assertThat(trainer.iteration()).isEqualTo(1);
  }

  @Test
  void rowSliceViewsAreReadFromTheirOwnRows() throws Exception {
    fresh();
    INDArray big = floats(12, 6);
    INDArray labels = oneHot(12, 3);
    INDArray rows = big.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(8, 12),
        org.nd4j.linalg.indexing.NDArrayIndex.all());
    INDArray rowLabels = labels.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(8, 12),
        org.nd4j.linalg.indexing.NDArrayIndex.all());
    float viaView = trainer.step(rows, rowLabels);
    fresh();
    float viaCopy = trainer.step(rows.dup('c'), rowLabels.dup('c'));
    assertThat(viaView).isEqualTo(viaCopy);
  }

  @Test
  void viewsAndNonContiguousInputsAreCopiedCorrectly() throws Exception {
    fresh();
    INDArray big = floats(6, 12);
    INDArray strided = big.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 4),
        org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 2, 12));
    float viaView = trainer.step(strided, oneHot(4, 3));
    fresh();
    float viaCopy = trainer.step(strided.dup('c'), oneHot(4, 3));
    assertThat(viaView).isEqualTo(viaCopy);
  }
  /** Writes the rows of {@code values} into the first rows of {@code buffer}. */
  private static void fill(dev.kiln.runtime.tensor.Tensor buffer, INDArray values) {
    float[] v = values.dup('c').data().asFloat();
    for (int k = 0; k < v.length; k++) {
      buffer.set(k, v[k]);
    }
  }

  /**
   * Contiguous features are read in place: the step changes neither them nor the feature buffer,
   * trains exactly as the copied path does, and afterwards (also after a rejected batch) {@code
   * stepBuffered} reads the buffer again.
   */
  @Test
  void contiguousFeaturesAreReadInPlaceAndTheBufferIsUsedAgainAfterwards() throws Exception {
    INDArray x1 = floats(4, 6);
    INDArray x2 = floats(4, 6);
    INDArray bad = floats(4, 6);
    bad.putScalar(1, 1, Float.NaN);
    INDArray y = oneHot(4, 3);
    Map<String, float[]>[] results = new Map[2];
    float[][] losses = new float[2][];
    for (int way = 0; way < 2; way++) {
      fresh();
      trainer.featureBuffer().fill(7f);
      float[] x1Before = x1.data().asFloat().clone();
      // way 0: in place (contiguous 'c' array); way 1: copied ('f' order is not row-major)
      float first = trainer.step(way == 0 ? x1 : x1.dup('f'), y);
      if (way == 0) {
        assertThat(x1.data().asFloat()).isEqualTo(x1Before);
        for (int k = 0; k < 8 * 6; k++) {
          assertThat(trainer.featureBuffer().get(k)).isEqualTo(7f);
        }
      }
      INDArray badWay = way == 0 ? bad : bad.dup('f');
      assertThrows(IllegalArgumentException.class, () -> trainer.step(badWay, y));
      fill(trainer.featureBuffer(), x2);
      fill(trainer.labelBuffer(), y);
      float second = trainer.stepBuffered(4);
      losses[way] = new float[] {first, second};
      results[way] = snapshot();
    }
    assertThat(losses[0]).isEqualTo(losses[1]);
    for (String name : results[1].keySet()) {
      assertThat(results[0].get(name)).isEqualTo(results[1].get(name));
    }
  }
  /**
   * Features that share memory with what the step writes (here the label buffer, which the step
   * fills before it reads the features) are copied first, so the step trains on them as they were
   * passed, exactly as on a copy of them.
   */
  @Test
  void featuresAliasingTheTrainersOwnBuffersAreCopiedFirst() throws Exception {
    INDArray y = oneHot(4, 3);
    INDArray values = floats(4, 6);
    float[] losses = new float[2];
    Map<String, float[]>[] results = new Map[2];
    for (int way = 0; way < 2; way++) {
      fresh();
      INDArray labelMemory = trainer.labelBuffer().array(); // [8, 3]: 24 floats
      labelMemory.assign(values.reshape('c', 8, 3));
      INDArray features = way == 0 ? labelMemory.reshape('c', 4, 6) : values;
      losses[way] = trainer.step(features, y);
      results[way] = snapshot();
    }
    assertThat(losses[0]).isEqualTo(losses[1]);
    for (String name : results[1].keySet()) {
      assertThat(results[0].get(name)).isEqualTo(results[1].get(name));
    }
  }
}
