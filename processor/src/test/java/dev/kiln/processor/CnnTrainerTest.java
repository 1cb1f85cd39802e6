package dev.kiln.processor;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.runtime.checkpoint.CheckpointException;
import dev.kiln.runtime.train.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A generated CNN trainer's edges: features of the wrong rank or image size refused before any
 * state changes, naming both accepted shapes and the actual one; conv weights shown as {@code
 * [out, in, kh, kw]}; a checkpoint of another architecture refused, naming the difference.
 */
class CnnTrainerTest {
  private static Compiled compile(int filters) {
    return Compiled.compile(Map.of("cnn.Net", String.format(Locale.ROOT, """
        package cnn;

        import dev.kiln.dsl.*;

        @Model(inputs = {1, 8, 8})
        public abstract class Net {
          @Conv2d(filters = %d, kernel = 3) @BatchNorm @Activation(ActivationFunction.RELU)
              @MaxPool(size = 2) Layer conv;
          @Dense(3) Layer logits;
        }
        """, filters), "cnn.Training", """
        package cnn;

        import dev.kiln.dsl.*;

        @TrainingConfig(model = Net.class, loss = Loss.SOFTMAX_CROSS_ENTROPY, batchSize = 4,
            epochs = 1)
        @Sgd(learningRate = 0.1)
        public interface Training {}
        """));
  }

  private static Trainer trainer(Compiled compiled) throws Exception {
    Object network = compiled.load("cnn.NetNetwork").getMethod("initialize", long.class)
        .invoke(null, 1L);
    return (Trainer) compiled.load("cnn.TrainingTrainer").getConstructor(network.getClass())
        .newInstance(network);
  }

  private static INDArray labels(int n) {
    INDArray y = Nd4j.zeros(DataType.FLOAT, n, 3);
    for (int r = 0; r < n; r++) {
      y.putScalar(r, r % 3, 1f);
    }
    return y;
  }

  @Test
  void wrongImageShapeIsRefusedBeforeAnyStateChanges() throws Exception {
    Trainer trainer = trainer(compile(2));
    INDArray weight = trainer.parameters().get("conv.weight");
    assertThat(weight.shape()).isEqualTo(new long[] {2, 1, 3, 3});
    INDArray before = weight.dup();
    for (INDArray bad : new INDArray[] {Nd4j.rand(DataType.FLOAT, 4, 1, 8, 7),
        Nd4j.rand(DataType.FLOAT, 4, 63), Nd4j.rand(DataType.FLOAT, 4, 8, 8)}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> trainer.step(bad, labels(4)));
      assertThat(e).hasMessageThat().contains("[n, 1, 8, 8] or [n, 64]");
      assertThat(e).hasMessageThat().contains(java.util.Arrays.toString(bad.shape()));
      assertThrows(IllegalArgumentException.class, () -> trainer.predict(bad));
    }
    assertThat(trainer.iteration()).isEqualTo(0);
    assertThat(weight).isEqualTo(before);
    trainer.step(Nd4j.rand(DataType.FLOAT, 4, 1, 8, 8), labels(4));
    assertThat(trainer.iteration()).isEqualTo(1);
    assertThat(trainer.predict(Nd4j.rand(DataType.FLOAT, 5, 64)).shape())
        .isEqualTo(new long[] {5, 3});
  }

  @Test
  void checkpointOfAnotherArchitectureIsRefused(@TempDir Path dir) throws Exception {
    Trainer two = trainer(compile(2));
    two.step(Nd4j.rand(DataType.FLOAT, 4, 1, 8, 8), labels(4));
    Path file = dir.resolve("two.ckpt");
    two.save(file);
    assertThat(Files.size(file)).isGreaterThan(0L);
    Trainer again = trainer(compile(2));
    again.restore(file);
    assertThat(again.parameters().get("conv.weight"))
        .isEqualTo(two.parameters().get("conv.weight"));
    Trainer three = trainer(compile(3));
    CheckpointException e = assertThrows(CheckpointException.class, () -> three.restore(file));
    assertThat(e).hasMessageThat().contains("filters");
  }
}
