package dev.kiln.spark;

import dev.kiln.runtime.data.Dataset;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One training example as the RDD of {@link SparkTraining#fit} carries it: the features {@code
 * [inputs]} and the label row {@code [outputs]} (one-hot or soft), float32.
 *
 * @param features the network's input values, {@code inputs} of them
 * @param labels the target row, {@code outputs} values (one-hot for classification)
 */
public record LabeledRow(float[] features, float[] labels) implements Serializable {
  private static final long serialVersionUID = 1L;

  /** @throws NullPointerException if an array is null */
  public LabeledRow {
    Objects.requireNonNull(features, "features");
    Objects.requireNonNull(labels, "labels");
  }

  /**
   * A row with a one-hot label.
   *
   * @param classIndex the class, {@code 0 ≤ classIndex < classCount}
   * @throws IllegalArgumentException if the class is out of range
   */
  public static LabeledRow ofClass(float[] features, int classIndex, int classCount) {
    if (classIndex < 0 || classIndex >= classCount) {
      throw new IllegalArgumentException("class index " + classIndex + " outside [0, "
          + classCount + ")");
    }
    float[] labels = new float[classCount];
    labels[classIndex] = 1f;
    return new LabeledRow(features, labels);
  }

  /** Every row of an in-memory dataset, in order (copies). */
  public static List<LabeledRow> of(Dataset data) {
    int f = data.featureCount();
    int c = data.classCount();
    List<LabeledRow> rows = new ArrayList<>(data.size());
    for (int i = 0; i < data.size(); i++) {
      rows.add(new LabeledRow(Arrays.copyOfRange(data.features(), i * f, (i + 1) * f),
          Arrays.copyOfRange(data.labels(), i * c, (i + 1) * c)));
    }
    return rows;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LabeledRow r && Arrays.equals(features, r.features)
        && Arrays.equals(labels, r.labels);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(features) + Arrays.hashCode(labels);
  }

  @Override
  public String toString() {
    return "LabeledRow[" + features.length + " features, " + labels.length + " labels]";
  }
}
