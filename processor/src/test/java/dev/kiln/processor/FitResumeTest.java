package dev.kiln.processor;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.runtime.train.FitOptions;
import dev.kiln.runtime.ops.LossKind;
import dev.kiln.runtime.train.Trainer;
import dev.kiln.runtime.train.Training;
import dev.kiln.runtime.train.TrainingListener;
import dev.kiln.runtime.checkpoint.Checkpointing;
import dev.kiln.runtime.data.Dataset;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Resume is exact through {@code fit}: a run interrupted right after a checkpoint written in the
 * middle of an epoch, continued by a fresh network and trainer from that checkpoint, gives
 * bitwise the same parameters, and the same loss, learning rate and gradient norm at every step,
 * as the uninterrupted run: with shuffling, dropout, batch norm, warm-up and a decay schedule,
 * for SGD with momentum and for Adam.
 */
class FitResumeTest {
  private static final int SAMPLES = 50;
  private static final int INTERRUPT_AT = 10;

  private static final String MODEL = """
      package resume;
      import static dev.kiln.dsl.ActivationFunction.*;
      import dev.kiln.dsl.*;
      @Model(inputs = 6)
      public abstract class Net {
        @Dense(9) @BatchNorm @Activation(RELU) @Dropout(0.25) Layer hidden;
        @Dense(4) Layer logits;
      }
      """;

  private static String config(String optimizer) {
    return """
        package resume;
        import dev.kiln.dsl.*;
        @TrainingConfig(model = Net.class, loss = Loss.SOFTMAX_CROSS_ENTROPY, batchSize = 8,
            epochs = 3, seed = 21)
        """ + optimizer + """

        @Warmup(steps = 4, startFactor = 0.1)
        @CosineDecay(minimum = 0.001)
        @ClipGradNorm(maxNorm = 2.0)
        public interface Training {}
        """;
  }

  @TempDir Path dir;

  private static Dataset data() {
    float[] x = new float[SAMPLES * 6];
    int[] y = new int[SAMPLES];
    dev.kiln.runtime.tensor.SplitMix64 rng = new dev.kiln.runtime.tensor.SplitMix64(3);
    for (int i = 0; i < SAMPLES; i++) {
      y[i] = i % 4;
      for (int j = 0; j < 6; j++) {
        x[i * 6 + j] = (float) (rng.nextGaussian() + (j == y[i] ? 1.5 : 0));
      }
    }
    return Dataset.ofClassIndices(x, 6, y, 4);
  }

  private static Trainer fresh(Compiled compiled, long initSeed) throws Exception {
    Object network = compiled.load("resume.NetNetwork").getMethod("initialize", long.class)
        .invoke(null, initSeed);
    return (Trainer) compiled.load("resume.TrainingTrainer").getConstructor(network.getClass())
        .newInstance(network);
  }

  /** Records every step: iteration, the rate it used, its loss and gradient norm. */
  private static final class Trace implements TrainingListener {
    final List<String> steps = new ArrayList<>();
    final long stopAfter;

    Trace(long stopAfter) {
      this.stopAfter = stopAfter;
    }

    @Override
    public void onStep(Trainer trainer, long iteration, int epoch, float loss) {
      steps.add(iteration + " epoch " + epoch + " lr " + trainer.learningRateAt(iteration - 1)
          + " loss " + Float.floatToRawIntBits(loss) + " norm " + trainer.lastGradientNorm());
      if (iteration == stopAfter) {
        throw new Interrupted();
      }
    }
  }

  private static final class Interrupted extends RuntimeException {
    private static final long serialVersionUID = 1L;
  }

  private static Map<String, int[]> bits(Trainer trainer) {
    Map<String, int[]> out = new LinkedHashMap<>();
    for (Map.Entry<String, INDArray> e : trainer.parameters().entrySet()) {
      float[] v = e.getValue().data().asFloat();
      int[] b = new int[v.length];
      for (int i = 0; i < v.length; i++) {
        b[i] = Float.floatToRawIntBits(v[i]);
      }
      out.put(e.getKey(), b);
    }
    return out;
  }

  @ParameterizedTest
  @ValueSource(strings = {"@Sgd(learningRate = 0.1, momentum = 0.9)",
      "@Adam(learningRate = 0.01)"})
  void interruptedRunResumesBitExactly(String optimizer) throws Exception {
    Compiled compiled = Compiled.compile(Map.of("resume.Net", MODEL,
        "resume.Training", config(optimizer)));
    Dataset data = data();

    Trainer straight = fresh(compiled, 1);
    Trace expected = new Trace(-1);
    Training.fit(straight, LossKind.SOFTMAX_CROSS_ENTROPY, 0, data, null, FitOptions.defaults(),
        expected);
    assertThat(expected.steps).hasSize(3 * 7);

    Checkpointing checkpoints = new Checkpointing(dir, 5, true, 2, true);
    FitOptions options = FitOptions.builder().checkpointing(checkpoints).build();
    Trainer first = fresh(compiled, 1);
    Trace before = new Trace(INTERRUPT_AT);
    assertThrows(Interrupted.class, () -> Training.fit(first, LossKind.SOFTMAX_CROSS_ENTROPY, 0,
        data, null, options, before));
    // Step 10 is the third batch of epoch 2: a checkpoint in the middle of an epoch.
    assertThat(before.steps.get(INTERRUPT_AT - 1)).contains("epoch 2");
    assertThat(checkpoints.latest().orElseThrow().getFileName().toString())
        .isEqualTo("checkpoint-000000000010.kiln");
    assertThat(checkpoints.existing()).hasSize(2); // keepLast = 2: steps 7 (epoch end) and 10

    Trainer resumed = fresh(compiled, 777);
    Trace after = new Trace(-1);
    Training.fit(resumed, LossKind.SOFTMAX_CROSS_ENTROPY, 0, data, null, options, after);

    List<String> joined = new ArrayList<>(before.steps);
    joined.addAll(after.steps);
    assertThat(joined).containsExactlyElementsIn(expected.steps).inOrder();
    assertThat(resumed.iteration()).isEqualTo(straight.iteration());
    Map<String, int[]> a = bits(straight);
    Map<String, int[]> b = bits(resumed);
    assertThat(b.keySet()).isEqualTo(a.keySet());
    for (String k : a.keySet()) {
      assertThat(b.get(k)).isEqualTo(a.get(k));
    }
  }
}
