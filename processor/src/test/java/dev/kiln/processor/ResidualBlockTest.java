package dev.kiln.processor;

import static com.google.common.truth.Truth.assertThat;

import dev.kiln.runtime.train.Trainer;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * A residual block of dense layers on {@code [features]}, repeated: parameter names follow the
 * fields with the copy's index, {@code predict} is {@code x + down(relu(up(x)))} per copy, and a
 * training step changes every copy's parameters.
 */
class ResidualBlockTest {
  private static final String MODEL = """
      package res;

      import static dev.kiln.dsl.ActivationFunction.*;

      import dev.kiln.dsl.*;

      @Block abstract class Pair {
        @Dense(16) @Activation(RELU) Layer up;
        @Dense(6) Layer down;
      }

      @Model(inputs = 6)
      public abstract class ResMlp {
        @Repeat(2) @Residual Pair pairs;
        @Dense(3) Layer logits;
      }
      """;

  private static final String CONFIG = """
      package res;

      import dev.kiln.dsl.*;

      @TrainingConfig(model = ResMlp.class, loss = Loss.SOFTMAX_CROSS_ENTROPY, batchSize = 4,
          epochs = 1)
      @Sgd(learningRate = 0.1)
      public interface ResTraining {}
      """;

  @Test
  @SuppressWarnings("unchecked")
  void residualCopiesAddTheirInput() throws Exception {
    Compiled compiled = Compiled.compile(Map.of("res.ResMlp", MODEL, "res.ResTraining", CONFIG));
    Object network = compiled.load("res.ResMlpNetwork").getMethod("initialize", long.class)
        .invoke(null, 5L);
    Map<String, INDArray> p = (Map<String, INDArray>) network.getClass().getMethod("parameters")
        .invoke(network);
    assertThat(p.keySet()).containsExactly("pairs.0.up.weight", "pairs.0.up.bias",
        "pairs.0.down.weight", "pairs.0.down.bias", "pairs.1.up.weight", "pairs.1.up.bias",
        "pairs.1.down.weight", "pairs.1.down.bias", "logits.weight", "logits.bias").inOrder();
    for (INDArray bias : new INDArray[] {p.get("pairs.0.down.bias"), p.get("pairs.1.up.bias")}) {
      bias.assign(Nd4j.rand(DataType.FLOAT, bias.shape()).subi(0.5));
    }
    INDArray x = Nd4j.rand(DataType.FLOAT, 4, 6).subi(0.5);
    INDArray h = x.dup();
    for (int i = 0; i < 2; i++) {
      INDArray up = Transforms.relu(h.mmul(p.get("pairs." + i + ".up.weight"))
          .addRowVector(p.get("pairs." + i + ".up.bias")));
      h = h.add(up.mmul(p.get("pairs." + i + ".down.weight"))
          .addRowVector(p.get("pairs." + i + ".down.bias")));
    }
    INDArray expected = h.mmul(p.get("logits.weight")).addRowVector(p.get("logits.bias"));
    INDArray actual = (INDArray) network.getClass().getMethod("predict", INDArray.class)
        .invoke(network, x);
    assertThat(actual.equalsWithEps(expected, 1e-5)).isTrue();

    Trainer trainer = (Trainer) compiled.load("res.ResTrainingTrainer")
        .getConstructor(network.getClass()).newInstance(network);
    INDArray before = p.get("pairs.0.up.weight").dup();
    INDArray labels = Nd4j.eye(3).getRows(0, 1, 2, 0).castTo(DataType.FLOAT);
    float first = trainer.step(x, labels);
    assertThat(p.get("pairs.0.up.weight").equalsWithEps(before, 1e-9)).isFalse();
    float loss = first;
    for (int i = 0; i < 50; i++) {
      loss = trainer.step(x, labels);
    }
    assertThat(loss).isLessThan(first);
  }
}
