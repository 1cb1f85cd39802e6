package dev.kiln.processor;

import static com.google.common.truth.Truth.assertWithMessage;

import dev.kiln.runtime.train.Trainer;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * DESIGN.md's "allocation-free, measured" for this area's step: after warm-up, 1,000 steps of a
 * generated trainer with Adam (AMSGrad) or centered RMSprop, per-layer norm clipping or value
 * clipping, L1, L2, decoupled weight decay, a {@code @Frozen} layer and a per-layer override,
 * gradient accumulation over 3 batches, and the ERROR or SKIP_STEP non-finite check (with its
 * batch-norm snapshot) make no new off-heap bytes and allocate at most 64 heap bytes per step on
 * the training thread, for full and partial batches.
 */
class AllocationFreeOptimizationTest {
  private static final int STEPS = 1000;
  private static final long MAX_BYTES_PER_STEP = 64;
  private static final int BATCH = 64;

  private static final String MODEL = """
      package alloc2;

      import static dev.kiln.dsl.ActivationFunction.*;

      import dev.kiln.dsl.*;

      @Model(inputs = 196)
      public abstract class OptMlp {
        @Dense(128) @BatchNorm @Activation(RELU) @Dropout(0.2) Layer hidden1;
        @Dense(64) @Activation(TANH) @WeightDecay(value = 0.05, applyTo = ApplyTo.ALL) Layer hidden2;
        @Dense(32) @Activation(RELU) @Frozen Layer hidden3;
        @Dense(10) Layer logits;
      }
      """;

  private static final Map<String, String> CONFIGS = Map.of(
      "Adam", """
          @Adam(learningRate = 1e-3, amsgrad = true)
          @ClipGradNorm(maxNorm = 1.0, scope = ClipScope.PER_LAYER)
          @WeightDecay(1e-2)
          @L1(1e-5)
          @L2(value = 1e-4, applyTo = ApplyTo.ALL)
          @SuppressWarnings("KilnL2DecaysBatchNorm")
          """,
      "RmsProp", """
          @RmsProp(learningRate = 1e-3, momentum = 0.9, centered = true)
          @ClipGradValue(value = 0.1, onNonFinite = NonFinitePolicy.SKIP_STEP)
          @WeightDecay(1e-2)
          @L1(1e-5)
          """);

  private static String config(String name) {
    return String.format(Locale.ROOT, """
        package alloc2;

        import dev.kiln.dsl.*;

        @TrainingConfig(model = OptMlp.class, loss = Loss.SOFTMAX_CROSS_ENTROPY,
            batchSize = %d, epochs = 1, seed = 7, accumulationSteps = 3)
        %s
        @CosineDecay(steps = 500, minimum = 1e-5)
        public interface %sTraining {}
        """, BATCH, CONFIGS.get(name), name);
  }

  @ParameterizedTest
  @ValueSource(strings = {"Adam", "RmsProp"})
  void steadyStateStepAllocatesNothing(String optimizer) throws Exception {
    Compiled compiled = Compiled.compile(Map.of("alloc2.OptMlp", MODEL,
        "alloc2." + optimizer + "Training", config(optimizer)));
    Object network = compiled.load("alloc2.OptMlpNetwork").getMethod("initialize", long.class)
        .invoke(null, 3L);
    Trainer trainer = (Trainer) compiled.load("alloc2." + optimizer + "TrainingTrainer")
        .getConstructor(network.getClass()).newInstance(network);
    measure(trainer, BATCH, optimizer + ", full batch " + BATCH);
    measure(trainer, BATCH - 5, optimizer + ", partial batch " + (BATCH - 5));
  }

  private static void measure(Trainer trainer, int rows, String what) {
    StepAllocation m = StepAllocation.measure(trainer, rows, 196, 10, STEPS, what);
    float loss = m.loss();
    double perStep = m.perStep();
    long offHeapGrowth = m.offHeapGrowth();
    assertWithMessage("%s: optimizer steps taken", what).that(m.optimizerSteps())
        .isEqualTo(STEPS / 3);
    assertWithMessage("%s: loss stays finite", what).that(Float.isFinite(loss)).isTrue();
    assertWithMessage("%s: heap bytes per step", what).that(perStep)
        .isAtMost((double) MAX_BYTES_PER_STEP);
    assertWithMessage("%s: JavaCPP off-heap growth", what).that(offHeapGrowth).isAtMost(0L);
  }
}
