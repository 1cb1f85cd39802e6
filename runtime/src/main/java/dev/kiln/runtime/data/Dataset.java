package dev.kiln.runtime.data;

import dev.kiln.runtime.tensor.SplitMix64;
import java.util.Arrays;

/**
 * An in-memory labelled dataset: features {@code [size, featureCount]} and labels {@code [size,
 * classCount]} (one-hot or soft), both row-major float arrays.
 *
 * <p>The dataset owns the arrays it is given and does not copy them; {@link #features()} and
 * {@link #labels()} return them, to be treated as read-only.
 */
public final class Dataset {
  static {
    // Before ND4J loads OpenBLAS, which picks its CPU kernels once (OpenBlasCore).
    dev.kiln.runtime.backend.openblas.OpenBlasCore.select();
  }

  private final float[] features;
  private final float[] labels;
  private final int size;
  private final int featureCount;
  private final int classCount;
  private final String description;

  /**
   * @param features row-major {@code [size, featureCount]}
   * @param labels row-major {@code [size, classCount]}
   * @param description a short human-readable name, for logs and error messages
   * @throws IllegalArgumentException if a count is not positive or an array length does not match
   */
  public Dataset(float[] features, int featureCount, float[] labels, int classCount,
      String description) {
    if (featureCount < 1 || classCount < 1) {
      throw new IllegalArgumentException("featureCount and classCount must be positive, got "
          + featureCount + " and " + classCount);
    }
    if (features.length % featureCount != 0) {
      throw new IllegalArgumentException("expected a multiple of " + featureCount
          + " feature values, got " + features.length);
    }
    this.size = features.length / featureCount;
    if (labels.length != (long) size * classCount) {
      throw new IllegalArgumentException("expected " + size + " x " + classCount + " = "
          + (long) size * classCount + " label values, got " + labels.length);
    }
    this.features = features;
    this.labels = labels;
    this.featureCount = featureCount;
    this.classCount = classCount;
    this.description = description;
  }

  /**
   * A dataset with one-hot labels.
   *
   * @param features row-major {@code [classIndices.length, featureCount]}
   * @param classIndices the class of each row, each in {@code [0, classCount)}
   * @throws IllegalArgumentException if the lengths do not match or a class index is out of range
   */
  public static Dataset ofClassIndices(float[] features, int featureCount, int[] classIndices,
      int classCount, String description) {
    if (features.length != (long) classIndices.length * featureCount) {
      throw new IllegalArgumentException("expected " + classIndices.length + " x " + featureCount
          + " feature values for " + classIndices.length + " labels, got " + features.length);
    }
    if (classCount < 1) {
      throw new IllegalArgumentException("classCount must be positive, got " + classCount);
    }
    float[] labels = new float[classIndices.length * classCount];
    for (int row = 0; row < classIndices.length; row++) {
      int c = classIndices[row];
      if (c < 0 || c >= classCount) {
        throw new IllegalArgumentException("class index of row " + row + " is " + c
            + ", expected 0.." + (classCount - 1));
      }
      labels[row * classCount + c] = 1f;
    }
    return new Dataset(features, featureCount, labels, classCount, description);
  }

  /** As {@link #ofClassIndices(float[], int, int[], int, String)} without a description. */
  public static Dataset ofClassIndices(float[] features, int featureCount, int[] classIndices,
      int classCount) {
    return ofClassIndices(features, featureCount, classIndices, classCount, "dataset");
  }

  /**
   * A dataset from IDX images {@code [n, rows, cols]} (bytes 0..255, scaled to [0, 1]) and IDX
   * labels {@code [n]} (class indices). The image values are copied, not scaled in place.
   *
   * @throws IllegalArgumentException if the ranks or the counts differ from that (naming both
   *     sources and the byte offset of the label file's count), or a label is not an integer in
   *     {@code [0, classCount)}
   */
  public static Dataset fromIdx(IdxArray images, IdxArray labels, int classCount,
      String description) {
    if (images.dims().length != 3 || labels.dims().length != 1) {
      throw new IllegalArgumentException(description + ": expected images [n, rows, cols] and "
          + "labels [n], got images " + Arrays.toString(images.dims()) + " and labels "
          + Arrays.toString(labels.dims()));
    }
    if (images.count() != labels.count()) {
      throw new IllegalArgumentException(description + ": " + images.count() + " images but "
          + labels.count() + " labels: " + labels.source() + ": at byte offset 4 (the item count):"
          + " expected " + images.count() + ", the image count of " + images.source() + ", found "
          + labels.count());
    }
    float[] in = images.values();
    float[] features = new float[in.length];
    for (int i = 0; i < in.length; i++) {
      features[i] = in[i] / 255f;
    }
    int[] classes = new int[labels.count()];
    for (int row = 0; row < classes.length; row++) {
      float v = labels.values()[row];
      classes[row] = (int) v;
      if (classes[row] != v) {
        throw new IllegalArgumentException(description + ": label of row " + row + " is " + v
            + ", expected an integer 0.." + (classCount - 1));
      }
    }
    return ofClassIndices(features, images.itemSize(), classes, classCount, description);
  }

  /** Number of rows. */
  public int size() {
    return size;
  }

  /** Values per row of {@link #features()}. */
  public int featureCount() {
    return featureCount;
  }

  /** Values per row of {@link #labels()}. */
  public int classCount() {
    return classCount;
  }

  /** The short human-readable name given when the dataset was made. */
  public String description() {
    return description;
  }

  /** The features, row-major {@code [size, featureCount]}; the backing array, not a copy. */
  public float[] features() {
    return features;
  }

  /** The labels, row-major {@code [size, classCount]}; the backing array, not a copy. */
  public float[] labels() {
    return labels;
  }

  /** The class with the largest label value in {@code row} (the first one on ties). */
  public int classIndex(int row) {
    if (row < 0 || row >= size) {
      throw new IndexOutOfBoundsException("row " + row + " of " + size);
    }
    int best = 0;
    for (int c = 1; c < classCount; c++) {
      if (labels[row * classCount + c] > labels[row * classCount + best]) {
        best = c;
      }
    }
    return best;
  }

  /**
   * A copy of the first {@code n} rows.
   *
   * @throws IllegalArgumentException unless {@code 0 <= n <= size()}
   */
  public Dataset head(int n) {
    if (n < 0 || n > size) {
      throw new IllegalArgumentException("expected 0.." + size + " rows, got " + n);
    }
    return new Dataset(Arrays.copyOf(features, n * featureCount), featureCount,
        Arrays.copyOf(labels, n * classCount), classCount, description + " (first " + n + ")");
  }

  /**
   * Shuffles the rows with {@code seed} and splits them into two copies, for example training and
   * validation: the first holds {@code round(size * firstFraction)} rows, the second the rest. The
   * same seed gives the same split.
   *
   * @throws IllegalArgumentException unless {@code 0 <= firstFraction <= 1}
   */
  public Dataset[] split(double firstFraction, long seed) {
    if (!(firstFraction >= 0 && firstFraction <= 1)) {
      throw new IllegalArgumentException("expected a fraction in [0, 1], got " + firstFraction);
    }
    int[] order = new int[size];
    for (int i = 0; i < size; i++) {
      order[i] = i;
    }
    SplitMix64 rng = new SplitMix64(seed);
    for (int i = size - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    int first = (int) Math.round(size * firstFraction);
    return new Dataset[] {
      rows(order, 0, first, description + " (split part 1)"),
      rows(order, first, size, description + " (split part 2)")
    };
  }

  private Dataset rows(int[] order, int from, int to, String name) {
    float[] f = new float[(to - from) * featureCount];
    float[] l = new float[(to - from) * classCount];
    for (int i = from; i < to; i++) {
      System.arraycopy(features, order[i] * featureCount, f, (i - from) * featureCount,
          featureCount);
      System.arraycopy(labels, order[i] * classCount, l, (i - from) * classCount, classCount);
    }
    return new Dataset(f, featureCount, l, classCount, name);
  }

  @Override
  public String toString() {
    return description + " [" + size + " rows, " + featureCount + " features, " + classCount
        + " classes]";
  }
}
