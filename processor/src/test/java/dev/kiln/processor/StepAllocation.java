package dev.kiln.processor;

import dev.kiln.runtime.train.Trainer;
import java.lang.management.ManagementFactory;
import java.util.Locale;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * DESIGN.md's allocation measure for a trainer: after 300 warm-up steps, {@code steps} steps on
 * the same batch arrays, with the training thread's heap bytes and JavaCPP's off-heap growth.
 *
 * @param perStep heap bytes allocated by the training thread per step
 * @param offHeapGrowth growth of {@code Pointer.totalBytes()} over the measured steps
 * @param loss sum of the measured steps' losses
 * @param optimizerSteps optimizer steps taken during the measured steps
 */
record StepAllocation(double perStep, long offHeapGrowth, float loss, long optimizerSteps) {
  private static final int WARM_UP = 300;

  /** Measures {@code steps} steps on a random {@code [rows, inputs]} batch of one-hot labels. */
  static StepAllocation measure(Trainer trainer, int rows, int inputs, int classes, int steps,
      String what) {
    return measure(trainer, Nd4j.rand(DataType.FLOAT, rows, inputs), classes, steps, what);
  }

  /** Measures {@code steps} steps on {@code features} ({@code [rows, ...]}) with one-hot labels. */
  static StepAllocation measure(Trainer trainer, INDArray features, int classes, int steps,
      String what) {
    int rows = (int) features.size(0);
    INDArray labels = Nd4j.zeros(DataType.FLOAT, rows, classes);
    for (int r = 0; r < rows; r++) {
      labels.putScalar(r, r % classes, 1f);
    }
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    for (int i = 0; i < WARM_UP; i++) {
      trainer.step(features, labels);
    }
    long iterations = trainer.iteration();
    long offHeapBefore = Pointer.totalBytes();
    long heapBefore = threads.getCurrentThreadAllocatedBytes();
    float loss = 0;
    for (int i = 0; i < steps; i++) {
      loss += trainer.step(features, labels);
    }
    long heapBytes = threads.getCurrentThreadAllocatedBytes() - heapBefore;
    StepAllocation result = new StepAllocation((double) heapBytes / steps,
        Pointer.totalBytes() - offHeapBefore, loss, trainer.iteration() - iterations);
    System.out.printf(Locale.ROOT, "%s: %.2f heap bytes/step, off-heap growth %d bytes%n", what,
        result.perStep(), result.offHeapGrowth());
    return result;
  }
}
