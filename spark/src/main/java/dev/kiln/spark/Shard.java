package dev.kiln.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import scala.Tuple2;

/**
 * One worker's rows, packed: the rows of the input RDD whose index {@code i} (in RDD order) has
 * {@code i mod workers == index}, in increasing {@code i}. Built once per run and cached; a
 * shard whose rows do not fit the network holds no rows and names the first bad one instead.
 */
final class Shard implements Serializable {
  private static final long serialVersionUID = 1L;
  final int index;
  final int rows;
  final float[] features;
  final float[] labels;
  /** The first row that does not fit, described, or null. */
  final String problem;

  private Shard(int index, int rows, float[] features, float[] labels, String problem) {
    this.index = index;
    this.rows = rows;
    this.features = features;
    this.labels = labels;
    this.problem = problem;
  }

  /** Packs a partition of (row index, row) pairs, checking every row against the network. */
  static Shard of(int index, Iterator<Tuple2<Long, LabeledRow>> it, int inputs, int outputs) {
    List<Tuple2<Long, LabeledRow>> all = new ArrayList<>();
    it.forEachRemaining(all::add);
    all.sort(Comparator.comparingLong(Tuple2::_1)); // a shuffle does not keep order
    float[] x = new float[Math.multiplyExact(all.size(), inputs)];
    float[] y = new float[Math.multiplyExact(all.size(), outputs)];
    for (int r = 0; r < all.size(); r++) {
      long row = all.get(r)._1();
      LabeledRow v = all.get(r)._2();
      String bad = v == null ? "is null" : check(v, inputs, outputs);
      if (bad != null) {
        return new Shard(index, all.size(), null, null, "row " + row + " (in RDD order) " + bad);
      }
      System.arraycopy(v.features(), 0, x, r * inputs, inputs);
      System.arraycopy(v.labels(), 0, y, r * outputs, outputs);
    }
    return new Shard(index, all.size(), x, y, null);
  }

  private static String check(LabeledRow v, int inputs, int outputs) {
    if (v.features().length != inputs || v.labels().length != outputs) {
      return "has " + v.features().length + " features and " + v.labels().length + " label"
          + " values; the network takes " + inputs + " and " + outputs;
    }
    for (int i = 0; i < inputs; i++) {
      if (!Float.isFinite(v.features()[i])) {
        return "has feature " + i + " = " + v.features()[i] + "; expected a finite value";
      }
    }
    for (int i = 0; i < outputs; i++) {
      if (!Float.isFinite(v.labels()[i])) {
        return "has label value " + i + " = " + v.labels()[i] + "; expected a finite value";
      }
    }
    return null;
  }

  /** What the driver checks before the first round: index, rows, problem. */
  Summary summary() {
    return new Summary(index, rows, problem);
  }

  /** A shard without its rows. */
  record Summary(int index, int rows, String problem) implements Serializable {}
}
