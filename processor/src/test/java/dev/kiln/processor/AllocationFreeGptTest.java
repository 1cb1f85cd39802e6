package dev.kiln.processor;

import static com.google.common.truth.Truth.assertWithMessage;

import dev.kiln.runtime.train.Trainer;
import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.Map;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * DESIGN.md's allocation measure for a token model: a 2-block pre-LayerNorm GPT with dropout
 * (embeddings, attention and feed-forward), at the full context and a shorter one, full and partial
 * batches: after warm-up, at most 64 heap bytes per step and no JavaCPP off-heap growth.
 */
class AllocationFreeGptTest {
  private static final int STEPS = 1_000;
  private static final int WARM_UP = 300;
  private static final long MAX_BYTES_PER_STEP = 64;
  private static final int VOCABULARY = 24;
  private static final int CONTEXT = 16;
  private static final int BATCH = 8;

  private static final String MODEL = """
      package alloc;

      import static dev.kiln.dsl.ActivationFunction.*;

      import dev.kiln.dsl.*;

      @Block abstract class Attention {
        @LayerNorm Layer norm;
        @SelfAttention(heads = 4) @Dropout(0.1) Layer attention;
      }

      @Block abstract class FeedForward {
        @LayerNorm Layer norm;
        @Dense(64) @Activation(GELU_TANH) Layer up;
        @Dense(32) @Dropout(0.1) Layer down;
      }

      @Block abstract class Decoder {
        @Residual Attention attention;
        @Residual FeedForward mlp;
      }

      @Model(vocabulary = 24, context = 16)
      public abstract class AllocGpt {
        @Embedding(32) @PositionEmbedding @Dropout(0.1) Layer embed;
        @Repeat(2) Decoder blocks;
        @LayerNorm Layer norm;
        @Dense(value = 24, bias = false) Layer head;
      }
      """;

  private static final String CONFIG = """
      package alloc;

      import dev.kiln.dsl.*;

      @TrainingConfig(model = AllocGpt.class, loss = Loss.SOFTMAX_CROSS_ENTROPY, batchSize = 8,
          epochs = 1, seed = 7)
      @AdamW(learningRate = 1e-3, beta2 = 0.95, weightDecay = 0.1)
      @Warmup(steps = 100, startFactor = 0.1)
      @CosineDecay(steps = 5000, minimum = 1e-4)
      @ClipGradNorm(maxNorm = 1.0)
      public interface AllocGptTraining {}
      """;

  @Test
  void steadyStateStepAllocatesNothing() throws Exception {
    Compiled compiled = Compiled.compile(Map.of("alloc.AllocGpt", MODEL,
        "alloc.AllocGptTraining", CONFIG));
    Object network = compiled.load("alloc.AllocGptNetwork").getMethod("initialize", long.class)
        .invoke(null, 3L);
    Trainer trainer = (Trainer) compiled.load("alloc.AllocGptTrainingTrainer")
        .getConstructor(network.getClass()).newInstance(network);
    measure(trainer, BATCH, CONTEXT);
    measure(trainer, BATCH, 10);
    measure(trainer, BATCH - 3, CONTEXT);
    measure(trainer, BATCH - 3, 10);
  }

  private static void measure(Trainer trainer, int n, int t) {
    int[] ids = new int[n * (t + 1)];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = (i * 7 + i / 5) % VOCABULARY;
    }
    INDArray all = Nd4j.createFromArray(ids).reshape(n, t + 1);
    INDArray tokens = all.get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
        org.nd4j.linalg.indexing.NDArrayIndex.interval(0, t)).dup('c');
    INDArray targets = all.get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
        org.nd4j.linalg.indexing.NDArrayIndex.interval(1, t + 1)).dup('c');
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    for (int i = 0; i < WARM_UP; i++) {
      trainer.step(tokens, targets);
    }
    long offHeapBefore = Pointer.totalBytes();
    long heapBefore = threads.getCurrentThreadAllocatedBytes();
    float loss = 0;
    for (int i = 0; i < STEPS; i++) {
      loss += trainer.step(tokens, targets);
    }
    double perStep = (double) (threads.getCurrentThreadAllocatedBytes() - heapBefore) / STEPS;
    long growth = Pointer.totalBytes() - offHeapBefore;
    String what = String.format(Locale.ROOT, "n=%d, t=%d", n, t);
    System.out.printf(Locale.ROOT, "GPT %s: %.2f heap bytes/step, off-heap growth %d bytes,"
        + " mean loss %.4f%n", what, perStep, growth, loss / STEPS);
    assertWithMessage("%s: loss stays finite", what).that(Float.isFinite(loss)).isTrue();
    assertWithMessage("%s: heap bytes per step", what).that(perStep)
        .isAtMost((double) MAX_BYTES_PER_STEP);
    assertWithMessage("%s: JavaCPP off-heap growth", what).that(growth).isAtMost(0L);
  }
}
