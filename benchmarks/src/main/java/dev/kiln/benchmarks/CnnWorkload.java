package dev.kiln.benchmarks;

import dev.kiln.runtime.tensor.SplitMix64;
import dev.kiln.runtime.tensor.Tensor;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The CNN benchmarks' fixed synthetic batch, the same for every peer: features uniform in [0, 1)
 * from {@code SplitMix64(7)} ({@code [n, 1, 28, 28]}), one-hot labels of classes {@code (int)
 * (SplitMix64(11).nextDouble()·10)}, as {@link Workload} makes them for the MLP.
 */
final class CnnWorkload {
  private CnnWorkload() {}

  /** Writes the batch into {@code step}'s feature and label buffers. */
  static void fill(CnnStep step, int n) {
    SplitMix64 x = new SplitMix64(7);
    Tensor f = step.features();
    for (int i = 0; i < n * 784; i++) {
      f.set(i, (float) x.nextDouble());
    }
    SplitMix64 y = new SplitMix64(11);
    Tensor l = step.labels();
    l.fill(0f);
    for (int r = 0; r < n; r++) {
      l.set(r * CnnStep.CLASSES + (int) (y.nextDouble() * CnnStep.CLASSES), 1f);
    }
  }

  /** Features {@code [n, 1, 28, 28]}, float32. */
  static INDArray features(int n) {
    SplitMix64 x = new SplitMix64(7);
    float[] v = new float[n * 784];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) x.nextDouble();
    }
    return Nd4j.create(v, new long[] {n, 1, 28, 28}, 'c');
  }

  /** One-hot labels {@code [n, 10]}, float32. */
  static INDArray labels(int n) {
    SplitMix64 y = new SplitMix64(11);
    INDArray l = Nd4j.zeros(DataType.FLOAT, n, CnnStep.CLASSES);
    for (int r = 0; r < n; r++) {
      l.putScalar(r, (int) (y.nextDouble() * CnnStep.CLASSES), 1f);
    }
    return l;
  }
}
