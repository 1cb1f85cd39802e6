package dev.kiln.processor;

import static com.google.common.truth.Truth.assertWithMessage;

import dev.kiln.runtime.train.Trainer;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * DESIGN.md's "allocation-free, measured" for a convolutional network (conv + batch norm + ReLU +
 * max pool, conv + average pool, dropout, dense; clipping, L2, Adam): after warm-up, 1,000 steps
 * make no new off-heap bytes and allocate at most 64 heap bytes per step on the training thread,
 * at batch 32 and 256, for full and partial batches, fed as images {@code [n, C, H, W]} and as
 * rows {@code [n, C·H·W]}.
 */
class AllocationFreeCnnTest {
  private static final int STEPS = 1000;
  private static final long MAX_BYTES_PER_STEP = 64;

  private static final String MODEL = """
      package alloc;

      import static dev.kiln.dsl.ActivationFunction.*;

      import dev.kiln.dsl.*;

      @Model(inputs = {2, 8, 8})
      public abstract class AllocCnn {
        @Conv2d(filters = 4, kernel = 3, padding = 1) @BatchNorm @Activation(RELU)
            @MaxPool(size = 2) Layer conv1;
        @Conv2d(filters = 6, kernel = 3, paddingMode = Padding.SAME) @Activation(RELU)
            @AvgPool(size = 2) @Dropout(0.2) Layer conv2;
        @Dense(10) Layer logits;
      }
      """;

  private static String config(int batchSize) {
    return String.format(Locale.ROOT, """
        package alloc;

        import dev.kiln.dsl.*;

        @TrainingConfig(model = AllocCnn.class, loss = Loss.SOFTMAX_CROSS_ENTROPY,
            batchSize = %d, epochs = 1, seed = 7)
        @Adam(learningRate = 1e-3)
        @ClipGradNorm(maxNorm = 1.0)
        @L2(1e-4)
        public interface AllocCnnTraining {}
        """, batchSize);
  }

  @ParameterizedTest
  @ValueSource(ints = {32, 256})
  void steadyStateStepAllocatesNothing(int batchSize) throws Exception {
    Compiled compiled = Compiled.compile(Map.of("alloc.AllocCnn", MODEL,
        "alloc.AllocCnnTraining", config(batchSize)));
    Object network = compiled.load("alloc.AllocCnnNetwork").getMethod("initialize", long.class)
        .invoke(null, 3L);
    Trainer trainer = (Trainer) compiled.load("alloc.AllocCnnTrainingTrainer")
        .getConstructor(network.getClass()).newInstance(network);

    check(StepAllocation.measure(trainer, Nd4j.rand(DataType.FLOAT, batchSize, 2, 8, 8), 10,
        STEPS, "full batch " + batchSize + " as [n, 2, 8, 8]"));
    check(StepAllocation.measure(trainer, Nd4j.rand(DataType.FLOAT, batchSize - 5, 128), 10,
        STEPS, "partial batch " + (batchSize - 5) + " of " + batchSize + " as [n, 128]"));
  }

  private static void check(StepAllocation m) {
    assertWithMessage("loss stays finite").that(Float.isFinite(m.loss())).isTrue();
    assertWithMessage("heap bytes per step").that(m.perStep())
        .isAtMost((double) MAX_BYTES_PER_STEP);
    assertWithMessage("JavaCPP off-heap growth").that(m.offHeapGrowth()).isAtMost(0L);
  }
}
