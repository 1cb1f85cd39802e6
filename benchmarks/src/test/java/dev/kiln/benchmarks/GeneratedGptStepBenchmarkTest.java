package dev.kiln.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.ThreadMXBean;
import dev.kiln.runtime.gpt.GptConfig;
import dev.kiln.runtime.gpt.GptTraining;
import dev.kiln.runtime.gpt.HandGpt;
import dev.kiln.runtime.optim.ParameterSet;
import dev.kiln.runtime.tensor.SplitMix64;
import dev.kiln.runtime.tensor.Tensor;
import dev.kiln.runtime.train.Trainer;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@link GeneratedGptStepBenchmark} steps what {@link GptStepBenchmark} does: the same batch, and
 * from the same parameters the generated {@code nano} trainer's losses and gradient norms are
 * {@link HandGpt}'s; and its step allocates nothing.
 */
class GeneratedGptStepBenchmarkTest {
  private static final int BATCH = 12;

  @Test
  void stepsAsHandGptOnGptStepBenchmarksBatch() {
    Trainer generated = GeneratedGptStepBenchmark.trainer("nano");
    GeneratedGptStepBenchmark.writeBatch(generated, BATCH);
    GptConfig config = GptStepBenchmark.config("nano");
    int context = config.context();
    HandGpt hand = new HandGpt(config, BATCH, GptTraining.nanoGpt(1_000_000));
    hand.initialize(42);
    copyParameters(hand.parameters(), generated);

    // GptStepBenchmark's batch, drawn as its setUp draws it
    SplitMix64 random = new SplitMix64(7);
    int[] ids = new int[BATCH * context];
    int[] targets = new int[BATCH * context];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = random.nextInt(config.vocabulary());
      targets[i] = random.nextInt(config.vocabulary());
      assertEquals(ids[i], generated.featureBuffer().get(i), "id " + i);
      assertEquals(targets[i], generated.labelBuffer().get(i), "target " + i);
    }

    for (int s = 0; s < 4; s++) {
      double rate = hand.learningRate();
      assertEquals(rate, generated.learningRate(), 1e-12 * rate, "rate of step " + s);
      double handLoss = hand.step(ids, targets, BATCH, context);
      double loss = generated.stepBuffered(BATCH);
      // the same kernels on the same values: apart by ~1e-7 (loss) and ~1e-8 (relative norm);
      // the tanh GELU in either is 8e-6 apart in the norm
      assertEquals(handLoss, loss, 1e-6, "loss of step " + s);
      assertEquals(hand.lastGradientNorm(), generated.lastGradientNorm(),
          1e-6 * hand.lastGradientNorm(), "gradient norm of step " + s);
    }
  }

  /** Copies the hand-written trainer's parameters, in order, into the generated network's. */
  private static void copyParameters(ParameterSet from, Trainer to) {
    List<INDArray> views = new ArrayList<>(to.parameters().values());
    assertEquals(from.size(), views.size(), "parameter count");
    for (int i = 0; i < from.size(); i++) {
      Tensor target = Tensor.wrap(views.get(i));
      assertEquals(from.value(i).length(), target.length(), "size of " + from.name(i));
      target.setFrom(from.value(i).toFloatArray());
    }
  }

  @Test
  void stepsAllocateNothing() {
    Trainer trainer = GeneratedGptStepBenchmark.trainer("nano");
    GeneratedGptStepBenchmark.writeBatch(trainer, BATCH);
    // past the first update the optimizer's guard checks (every few steps), which makes its
    // backup arrays once
    for (int s = 0; s < 20; s++) {
      trainer.stepBuffered(BATCH);
    }
    ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
    long pointerBefore = Pointer.totalBytes();
    long heapBefore = threads.getCurrentThreadAllocatedBytes();
    int steps = 16;
    for (int s = 0; s < steps; s++) {
      trainer.stepBuffered(BATCH);
    }
    long heap = threads.getCurrentThreadAllocatedBytes() - heapBefore;
    assertTrue(heap / steps <= 64, "heap bytes per step: " + (double) heap / steps);
    assertEquals(pointerBefore, Pointer.totalBytes(), "off-heap bytes grew");
  }
}
