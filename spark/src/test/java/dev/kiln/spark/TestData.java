package dev.kiln.spark;

import dev.kiln.runtime.checkpoint.Checkpoint;
import dev.kiln.runtime.tensor.SplitMix64;
import dev.kiln.runtime.train.Trainer;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/** Synthetic rows, flattened states and a loopback-only Spark context for the tests. */
final class TestData {
  private TestData() {}

  /** A local context on the loopback address, without UI; tasks may fail once ({@code local[2,2]}). */
  static JavaSparkContext context(String name) {
    SparkConf conf = new SparkConf().setMaster("local[2,2]").setAppName(name)
        .set("spark.ui.enabled", "false")
        .set("spark.driver.host", "127.0.0.1")
        .set("spark.driver.bindAddress", "127.0.0.1")
        .set("spark.ui.showConsoleProgress", "false");
    return new JavaSparkContext(conf);
  }

  /**
   * {@code n} rows of {@code inputs} Gaussian features, one-hot labels of {@code classes} classes:
   * the class whose fixed random direction has the largest projection (learnable).
   */
  static List<LabeledRow> rows(int n, int inputs, int classes, long seed) {
    SplitMix64 rng = new SplitMix64(seed);
    double[][] directions = new double[classes][inputs];
    for (double[] d : directions) {
      for (int i = 0; i < inputs; i++) {
        d[i] = rng.nextGaussian();
      }
    }
    List<LabeledRow> rows = new ArrayList<>();
    for (int r = 0; r < n; r++) {
      float[] x = new float[inputs];
      for (int i = 0; i < inputs; i++) {
        x[i] = (float) rng.nextGaussian();
      }
      int best = 0;
      double bestValue = Double.NEGATIVE_INFINITY;
      for (int c = 0; c < classes; c++) {
        double v = 0;
        for (int i = 0; i < inputs; i++) {
          v += directions[c][i] * x[i];
        }
        if (v > bestValue) {
          bestValue = v;
          best = c;
        }
      }
      rows.add(LabeledRow.ofClass(x, best, classes));
    }
    return rows;
  }

  /** Every array of the trainer's state, concatenated in registration order. */
  static float[] flat(Trainer t) {
    Checkpoint c = t.trainingState().capture();
    int n = 0;
    for (Checkpoint.Array a : c.arrays().values()) {
      n += a.values().length;
    }
    float[] out = new float[n];
    int at = 0;
    for (Checkpoint.Array a : c.arrays().values()) {
      System.arraycopy(a.values(), 0, out, at, a.values().length);
      at += a.values().length;
    }
    return out;
  }

  /** One array of the trainer's state. */
  static float[] array(Trainer t, String name) {
    return t.trainingState().arrays().get(name).toFloatArray();
  }

  /** The largest |a - b| / (atol + rtol |b|) over the entries. */
  static double worstRatio(float[] a, float[] b, double atol, double rtol) {
    if (a.length != b.length) {
      throw new AssertionError(a.length + " values against " + b.length);
    }
    double worst = 0;
    for (int i = 0; i < a.length; i++) {
      worst = Math.max(worst, Math.abs(a[i] - b[i]) / (atol + rtol * Math.abs(b[i])));
    }
    return worst;
  }

  /** The largest |a - b|. */
  static double maxAbs(float[] a, float[] b) {
    double worst = 0;
    for (int i = 0; i < a.length; i++) {
      worst = Math.max(worst, Math.abs(a[i] - b[i]));
    }
    return worst;
  }
}
