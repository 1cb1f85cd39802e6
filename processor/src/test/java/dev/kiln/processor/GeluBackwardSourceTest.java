package dev.kiln.processor;

import static com.google.common.truth.Truth.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The exact GELU's backward pass takes {@code Φ(x) = y/x} from the forward output where that
 * output survives to the backward pass (one error function per element fewer, as the runtime's
 * six-argument {@code Gelu.backward}), and recomputes {@code Φ(x)} where dropout in the same layer
 * overwrites the output in place.
 */
class GeluBackwardSourceTest {
  private static final String MODEL = """
      package gelu;

      import static dev.kiln.dsl.ActivationFunction.*;

      import dev.kiln.dsl.*;

      @Model(inputs = 8)
      public abstract class GeluMlp {
        @Dense(16) @Activation(GELU) Layer kept;
        @Dense(16) @Activation(GELU) @Dropout(0.2) Layer dropped;
        @Dense(16) @Activation(GELU_TANH) Layer tanh;
        @Dense(4) Layer logits;
      }
      """;

  private static final String CONFIG = """
      package gelu;

      import dev.kiln.dsl.*;

      @TrainingConfig(model = GeluMlp.class, loss = Loss.SOFTMAX_CROSS_ENTROPY, batchSize = 4,
          epochs = 1, seed = 7)
      @Adam(learningRate = 1e-3)
      public interface GeluTraining {}
      """;

  @Test
  void backwardReadsTheForwardOutputOnlyWhereNoDropoutOverwritesIt() {
    Compiled compiled = Compiled.compile(Map.of("gelu.GeluMlp", MODEL,
        "gelu.GeluTraining", CONFIG));
    String trainer = compiled.source("gelu.GeluTrainingTrainer");
    assertThat(trainer).contains("Gelu.backward(keptPre, keptOut, keptDelta, keptDelta,");
    assertThat(trainer).contains("Gelu.backward(droppedPre, droppedDelta, droppedDelta,");
    assertThat(trainer).contains("Gelu.backward(tanhPre, tanhDelta, tanhDelta,");
  }
}
