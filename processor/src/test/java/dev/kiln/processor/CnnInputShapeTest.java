package dev.kiln.processor;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.runtime.train.Trainer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Features of the wrong rank or image size for a Fashion-MNIST-shaped CNN ({@code @Model(inputs =
 * {1, 28, 28})}): {@code step} and {@code predict} throw an {@link IllegalArgumentException}
 * naming the accepted shapes {@code [n, 1, 28, 28]} and {@code [n, 784]} and the actual one,
 * before any state changes: parameters, batch-norm statistics and the step counter stay bitwise
 * as before, and the next good step equals that of a trainer that never saw the bad input (so
 * neither the optimizer's moments nor the dropout generator moved).
 */
class CnnInputShapeTest {
  private static Compiled compiled;

  @BeforeAll
  static void compile() {
    compiled = Compiled.compile(Map.of("shape.Fashion", """
        package shape;
        import static dev.kiln.dsl.ActivationFunction.RELU;
        import dev.kiln.dsl.*;
        @Model(inputs = {1, 28, 28})
        public abstract class Fashion {
          @Conv2d(filters = 2, kernel = 3, padding = 1) @BatchNorm @Activation(RELU)
              @MaxPool(size = 2) @Dropout(0.2) Layer conv;
          @Dense(10) Layer logits;
        }
        """, "shape.FashionTraining", """
        package shape;
        import dev.kiln.dsl.*;
        @TrainingConfig(model = Fashion.class, loss = Loss.SOFTMAX_CROSS_ENTROPY, batchSize = 4,
            epochs = 1, seed = 2)
        @Adam(learningRate = 0.01)
        public interface FashionTraining {}
        """));
  }

  private static Object network() throws Exception {
    return compiled.load("shape.FashionNetwork").getMethod("initialize", long.class)
        .invoke(null, 1L);
  }

  private static Trainer trainer(Object network) throws Exception {
    return (Trainer) compiled.load("shape.FashionTrainingTrainer")
        .getConstructor(network.getClass()).newInstance(network);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, float[]> snapshot(Object network) throws Exception {
    Map<String, float[]> copy = new LinkedHashMap<>();
    ((Map<String, INDArray>) network.getClass().getMethod("parameters").invoke(network))
        .forEach((k, v) -> copy.put(k, v.data().asFloat().clone()));
    return copy;
  }

  private static INDArray labels(int n) {
    INDArray y = Nd4j.zeros(DataType.FLOAT, n, 10);
    for (int r = 0; r < n; r++) {
      y.putScalar(r, (3 * r) % 10, 1f);
    }
    return y;
  }

  private static INDArray images(long seed, long... shape) {
    Nd4j.getRandom().setSeed(seed);
    return Nd4j.rand(DataType.FLOAT, shape);
  }

  @Test
  void wrongRankOrImageSizeIsRefusedBeforeAnyStateChanges() throws Exception {
    Object net = network();
    Trainer t = trainer(net);
    INDArray[] good = {images(1, 4, 1, 28, 28), images(2, 4, 784)};
    t.step(good[0], labels(4));
    Map<String, float[]> before = snapshot(net);

    INDArray[] bad = {images(3, 4, 1, 28, 27), images(3, 4, 1, 27, 28),
        images(3, 4, 3, 28, 28), images(3, 4, 28, 28), images(3, 4, 1, 28, 28, 1),
        images(3, 4, 783), images(3, 4, 785), images(3, 4, 1, 784)};
    for (INDArray x : bad) {
      String actual = Arrays.toString(x.shape());
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> t.step(x, labels(4)));
      assertWithMessage("step with %s", actual).that(e).hasMessageThat()
          .contains("[n, 1, 28, 28]");
      assertWithMessage("step with %s", actual).that(e).hasMessageThat().contains("[n, 784]");
      assertWithMessage("step with %s", actual).that(e).hasMessageThat().contains(actual);
      IllegalArgumentException p =
          assertThrows(IllegalArgumentException.class, () -> t.predict(x));
      assertWithMessage("predict with %s", actual).that(p).hasMessageThat()
          .contains("[n, 1, 28, 28]");
      assertWithMessage("predict with %s", actual).that(p).hasMessageThat().contains(actual);
    }
    assertThat(t.iteration()).isEqualTo(1);
    Map<String, float[]> after = snapshot(net);
    assertThat(after.keySet()).isEqualTo(before.keySet());
    for (String name : before.keySet()) {
      assertWithMessage("%s after the refused inputs", name).that(after.get(name))
          .isEqualTo(before.get(name));
    }

    Object twinNet = network();
    Trainer twin = trainer(twinNet);
    twin.step(good[0], labels(4));
    assertThat(t.step(good[1], labels(4))).isEqualTo(twin.step(good[1], labels(4)));
    Map<String, float[]> expected = snapshot(twinNet);
    for (String name : expected.keySet()) {
      assertWithMessage("%s after the next good step", name).that(snapshot(net).get(name))
          .isEqualTo(expected.get(name));
    }
    assertThat(t.predict(good[0]).shape()).isEqualTo(new long[] {4, 10});
    assertThat(t.predict(good[1]).shape()).isEqualTo(new long[] {4, 10});
  }
}
