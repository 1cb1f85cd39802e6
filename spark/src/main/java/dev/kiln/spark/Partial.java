package dev.kiln.spark;

import java.io.Serializable;

/**
 * What {@code treeAggregate} combines: the sum of the workers' flattened states and their
 * counters, loss and timing. One worker's contribution travels as float32 ({@link #single}); a
 * combination of several as double sums ({@link #sum}), so the mean is the float32 rounding of a
 * double sum, independent of the order Spark combines two workers in.
 */
final class Partial implements Serializable {
  private static final long serialVersionUID = 1L;
  int workers;
  float[] single;
  double[] sum;
  /** Counters of the first worker (random-generator states zeroed: not compared). */
  long[] counters;
  /** The first counter index on which two workers disagree, or -1. */
  int disagreement = -1;
  double lossSum;
  long samples;
  long maxComputeNanos;

  /** The empty aggregate (treeAggregate's zero value). */
  static Partial zero() {
    return new Partial();
  }

  /** One worker's result. */
  static Partial of(float[] values, long[] counters, double lossSum, long samples,
      long computeNanos) {
    Partial p = new Partial();
    p.workers = 1;
    p.single = values;
    p.counters = counters;
    p.lossSum = lossSum;
    p.samples = samples;
    p.maxComputeNanos = computeNanos;
    return p;
  }

  /** Adds {@code b} into {@code a} (either may be reused as the result). */
  static Partial merge(Partial a, Partial b) {
    if (b.workers == 0) {
      return a;
    }
    if (a.workers == 0) {
      return b;
    }
    if (a.sum == null) {
      a.sum = widen(a.single);
      a.single = null;
    }
    double[] s = a.sum;
    if (b.sum != null) {
      for (int i = 0; i < s.length; i++) {
        s[i] += b.sum[i];
      }
    } else {
      float[] f = b.single;
      for (int i = 0; i < s.length; i++) {
        s[i] += f[i];
      }
    }
    if (a.disagreement < 0) {
      a.disagreement = b.disagreement;
      for (int k = 0; k < a.counters.length && a.disagreement < 0; k++) {
        if (a.counters[k] != b.counters[k]) {
          a.disagreement = k;
        }
      }
    }
    a.workers += b.workers;
    a.lossSum += b.lossSum;
    a.samples += b.samples;
    a.maxComputeNanos = Math.max(a.maxComputeNanos, b.maxComputeNanos);
    return a;
  }

  /** The mean state: {@code (float) (Σ_w x_w / W)}, the sum in double. */
  float[] mean() {
    if (single != null) {
      return single.clone();
    }
    float[] m = new float[sum.length];
    for (int i = 0; i < m.length; i++) {
      m[i] = (float) (sum[i] / workers);
    }
    return m;
  }

  private static double[] widen(float[] f) {
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      d[i] = f[i];
    }
    return d;
  }
}
