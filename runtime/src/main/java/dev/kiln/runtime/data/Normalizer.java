package dev.kiln.runtime.data;

import java.util.Arrays;

/**
 * A per-feature affine normalisation {@code x' = (x − offset) / scale}, fitted on the training
 * split only and then applied unchanged to the validation and test splits (and to inputs at
 * prediction time), so that no statistic of held-out data leaks into training.
 *
 * <ul>
 *   <li>{@link Kind#MIN_MAX}: {@code offset = min}, {@code scale = max − min}: the training
 *       features land in [0, 1], as scikit-learn's {@code MinMaxScaler()}.
 *   <li>{@link Kind#STANDARDIZE}: {@code offset = mean}, {@code scale = std}, the population
 *       standard deviation (divisor {@code n}, as scikit-learn's {@code StandardScaler()} and
 *       NumPy's {@code std}; not PyTorch's default unbiased {@code torch.std}).
 * </ul>
 *
 * <p>A constant feature (scale 0) gets scale 1, so it maps to 0 instead of NaN (scikit-learn does
 * the same). Statistics are accumulated in double.
 *
 * <p>Stored with a model as three values: {@link #kind()}, {@link #offsets()} and {@link
 * #scales()} ({@code float[featureCount]} each); {@link #restore} rebuilds it.
 *
 * <pre>{@code
 * Normalizer norm = Normalizer.standardize().fit(train);
 * Dataset trainN = norm.apply(train);
 * Dataset testN = norm.apply(test);        // the training mean and std
 * }</pre>
 */
public final class Normalizer {
  /** The kind of normalisation. */
  public enum Kind {
    /** Scale the training range of each feature to [0, 1]. */
    MIN_MAX,
    /** Subtract the training mean and divide by the training standard deviation. */
    STANDARDIZE
  }

  private final Kind kind;
  private float[] offsets;
  private float[] scales;

  private Normalizer(Kind kind, float[] offsets, float[] scales) {
    this.kind = kind;
    this.offsets = offsets;
    this.scales = scales;
  }

  /** An unfitted min-max normalizer; call {@link #fit} before {@link #apply}. */
  public static Normalizer minMax() {
    return new Normalizer(Kind.MIN_MAX, null, null);
  }

  /** An unfitted standardizer; call {@link #fit} before {@link #apply}. */
  public static Normalizer standardize() {
    return new Normalizer(Kind.STANDARDIZE, null, null);
  }

  /**
   * A fitted normalizer from stored values (as {@link #offsets()} and {@link #scales()} gave
   * them). The arrays are copied.
   *
   * @throws IllegalArgumentException if the lengths differ or are 0, or a value is not finite or
   *     a scale not positive
   */
  public static Normalizer restore(Kind kind, float[] offsets, float[] scales) {
    if (kind == null || offsets.length == 0 || offsets.length != scales.length) {
      throw new IllegalArgumentException("expected a kind and equally long, non-empty offsets and"
          + " scales, got " + kind + ", " + offsets.length + " and " + scales.length);
    }
    for (int j = 0; j < offsets.length; j++) {
      if (!Float.isFinite(offsets[j]) || !(scales[j] > 0) || !Float.isFinite(scales[j])) {
        throw new IllegalArgumentException("feature " + j + ": offset " + offsets[j] + ", scale "
            + scales[j] + "; expected a finite offset and a finite positive scale");
      }
    }
    return new Normalizer(kind, offsets.clone(), scales.clone());
  }

  /**
   * Computes the offsets and scales from {@code train} (replacing any earlier fit).
   *
   * @return this normalizer
   * @throws IllegalArgumentException if {@code train} is empty or holds a non-finite value
   */
  public Normalizer fit(Dataset train) {
    int n = train.size();
    int width = train.featureCount();
    if (n == 0) {
      throw new IllegalArgumentException("cannot fit a normalizer on an empty dataset");
    }
    float[] x = train.features();
    double[] a = new double[width];
    double[] b = new double[width];
    if (kind == Kind.MIN_MAX) {
      Arrays.fill(a, Double.POSITIVE_INFINITY);
      Arrays.fill(b, Double.NEGATIVE_INFINITY);
    }
    for (int r = 0; r < n; r++) {
      for (int j = 0; j < width; j++) {
        float v = x[r * width + j];
        if (!Float.isFinite(v)) {
          throw new IllegalArgumentException(train.description() + ": row " + r + ", feature "
              + j + " is " + v + "; a normalizer needs finite values");
        }
        if (kind == Kind.MIN_MAX) {
          a[j] = Math.min(a[j], v);
          b[j] = Math.max(b[j], v);
        } else {
          a[j] += v;
        }
      }
    }
    float[] off = new float[width];
    float[] scale = new float[width];
    if (kind == Kind.MIN_MAX) {
      for (int j = 0; j < width; j++) {
        off[j] = (float) a[j];
        scale[j] = nonZero(b[j] - a[j]);
      }
    } else {
      for (int j = 0; j < width; j++) {
        a[j] /= n;
      }
      for (int r = 0; r < n; r++) {
        for (int j = 0; j < width; j++) {
          double d = x[r * width + j] - a[j];
          b[j] += d * d;
        }
      }
      for (int j = 0; j < width; j++) {
        off[j] = (float) a[j];
        scale[j] = nonZero(Math.sqrt(b[j] / n));
      }
    }
    this.offsets = off;
    this.scales = scale;
    return this;
  }

  private static float nonZero(double scale) {
    float s = (float) scale;
    return s > 0 ? s : 1f;
  }

  /**
   * A normalised copy of {@code data}; its labels array is shared, not copied.
   *
   * @throws IllegalStateException before {@link #fit}
   * @throws IllegalArgumentException if the feature count differs from the fitted one
   */
  public Dataset apply(Dataset data) {
    float[] out = data.features().clone();
    applyInPlace(out, data.featureCount());
    return new Dataset(out, data.featureCount(), data.labels(), data.classCount(),
        data.description());
  }

  /**
   * Normalises row-major {@code [rows, featureCount]} features in place, for example inputs
   * before {@code predict}.
   *
   * @throws IllegalStateException before {@link #fit}
   * @throws IllegalArgumentException if {@code featureCount} differs from the fitted one or the
   *     length is not a multiple of it
   */
  public void applyInPlace(float[] features, int featureCount) {
    checkFitted();
    if (featureCount != offsets.length || features.length % featureCount != 0) {
      throw new IllegalArgumentException("expected rows of " + offsets.length + " features, got "
          + features.length + " values in rows of " + featureCount);
    }
    for (int i = 0; i < features.length; i++) {
      int j = i % featureCount;
      features[i] = (features[i] - offsets[j]) / scales[j];
    }
  }

  /** The kind of normalisation. */
  public Kind kind() {
    return kind;
  }

  /** Whether {@link #fit} or {@link #restore} gave it its values. */
  public boolean isFitted() {
    return offsets != null;
  }

  /**
   * A copy of the offsets (min or mean per feature).
   *
   * @throws IllegalStateException before {@link #fit}
   */
  public float[] offsets() {
    checkFitted();
    return offsets.clone();
  }

  /**
   * A copy of the scales (range or standard deviation per feature, 1 where that is 0).
   *
   * @throws IllegalStateException before {@link #fit}
   */
  public float[] scales() {
    checkFitted();
    return scales.clone();
  }

  private void checkFitted() {
    if (offsets == null) {
      throw new IllegalStateException("this " + kind + " normalizer is not fitted: call fit(train)"
          + " first");
    }
  }

  /**
   * Attaches this fitted normaliser to {@code state}, so that every checkpoint written from it
   * carries the normaliser (entries {@code extra/normalizer.offsets} and {@code
   * extra/normalizer.scales}, the kind as the counter {@code extra.normalizer.kind}) and {@link
   * #from(dev.kiln.runtime.checkpoint.TrainingState)} finds it again after a restore.
   *
   * @throws IllegalStateException if this normaliser is not fitted
   */
  public void attachTo(dev.kiln.runtime.checkpoint.TrainingState state) {
    if (!isFitted()) {
      throw new IllegalStateException("fit the normalizer before attaching it to a checkpoint");
    }
    state.setExtra("normalizer.kind", kind.ordinal());
    state.setExtraArray("normalizer.offsets", offsets);
    state.setExtraArray("normalizer.scales", scales);
  }

  /**
   * The normaliser attached to {@code state} (directly or by restoring a checkpoint that carries
   * one), if any.
   *
   * @throws IllegalArgumentException if the stored values are not a valid normaliser
   */
  public static java.util.Optional<Normalizer> from(
      dev.kiln.runtime.checkpoint.TrainingState state) {
    Long kind = state.extra("normalizer.kind");
    float[] offsets = state.extraArray("normalizer.offsets");
    float[] scales = state.extraArray("normalizer.scales");
    if (kind == null || offsets == null || scales == null) {
      return java.util.Optional.empty();
    }
    if (kind < 0 || kind >= Kind.values().length) {
      throw new IllegalArgumentException("stored normalizer kind " + kind + " is not one of "
          + java.util.Arrays.toString(Kind.values()));
    }
    return java.util.Optional.of(restore(Kind.values()[(int) (long) kind], offsets, scales));
  }

  @Override
  public String toString() {
    return "Normalizer[" + kind + (offsets == null ? ", unfitted" : ", " + offsets.length
        + " features") + "]";
  }
}
