package dev.kiln.processor;

import static com.google.common.truth.Truth.assertWithMessage;

import dev.kiln.runtime.train.Trainer;
import java.util.Locale;
import java.util.Map;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * DESIGN.md's "allocation-free, measured": after warm-up, 1,000 steps of a generated trainer make
 * no new off-heap bytes (JavaCPP {@code Pointer.totalBytes()}) and allocate at most 64 heap bytes
 * per step on the training thread, at batch 32 and 512, for full and partial batches.
 */
class AllocationFreeTrainerTest {
  private static final int STEPS = 1000;
  private static final long MAX_BYTES_PER_STEP = 64;

  private static String model() {
    return """
        package alloc;

        import static dev.kiln.dsl.ActivationFunction.*;

        import dev.kiln.dsl.*;

        @Model(inputs = 96)
        public abstract class AllocMlp {
          @Dense(64) @BatchNorm @Activation(RELU) @Dropout(0.2) Layer hidden1;
          @Dense(32) @Activation(TANH) Layer hidden2;
          @Dense(10) Layer logits;
        }
        """;
  }

  private static String config(int batchSize) {
    return String.format(Locale.ROOT, """
        package alloc;

        import dev.kiln.dsl.*;

        @TrainingConfig(model = AllocMlp.class, loss = Loss.SOFTMAX_CROSS_ENTROPY,
            batchSize = %d, epochs = 1, seed = 7, labelSmoothing = 0.1)
        @Sgd(learningRate = 0.05, momentum = 0.9, nesterov = true)
        @CosineDecay(steps = 500, minimum = 1e-4)
        @ClipGradNorm(maxNorm = 1.0)
        @L2(1e-4)
        public interface AllocTraining {}
        """, batchSize);
  }

  @ParameterizedTest
  @ValueSource(ints = {32, 512})
  void steadyStateStepAllocatesNothing(int batchSize) throws Exception {
    Compiled compiled = Compiled.compile(Map.of("alloc.AllocMlp", model(),
        "alloc.AllocTraining", config(batchSize)));
    Object network = compiled.load("alloc.AllocMlpNetwork").getMethod("initialize", long.class)
        .invoke(null, 3L);
    Trainer trainer = (Trainer) compiled.load("alloc.AllocTrainingTrainer")
        .getConstructor(network.getClass()).newInstance(network);

    measure(trainer, batchSize, "full batch " + batchSize);
    measure(trainer, batchSize - 5, "partial batch " + (batchSize - 5) + " of " + batchSize);
  }

  private static void measure(Trainer trainer, int rows, String what) {
    StepAllocation m = StepAllocation.measure(trainer, rows, 96, 10, STEPS, what);
    float loss = m.loss();
    double perStep = m.perStep();
    long offHeapGrowth = m.offHeapGrowth();
    assertWithMessage("%s: loss stays finite", what).that(Float.isFinite(loss)).isTrue();
    assertWithMessage("%s: heap bytes per step", what).that(perStep)
        .isAtMost((double) MAX_BYTES_PER_STEP);
    assertWithMessage("%s: JavaCPP off-heap growth", what).that(offHeapGrowth).isAtMost(0L);
  }
}
