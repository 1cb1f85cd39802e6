package dev.kiln.runtime.optim;

import dev.kiln.runtime.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * The trainable parameters of a network with their gradients, in a fixed order (the order of
 * {@code parameters()}): what clipping, regularization and optimizers act on. Built once by a
 * generated trainer; reading it allocates nothing.
 *
 * <p>Each parameter has a <b>learning-rate scale</b> (default 1): every optimizer updates it with
 * {@code scale × the scheduled rate}, as a PyTorch parameter group with its own {@code lr} (Caffe's
 * {@code lr_mult}). A scale of 0 is legal: the parameter keeps its value while the optimizer's
 * buffers still follow its gradients. A <b>frozen</b> parameter ({@link Builder#freeze}) is skipped
 * by the optimizers altogether (its value and buffers stay as they are, as for a PyTorch parameter
 * with {@code requires_grad=False}) and left out of clipping and the gradient norm, but it keeps
 * its place and its optimizer buffers, so a checkpoint of the frozen configuration restores into
 * an unfrozen one.
 */
public final class ParameterSet {
  private final String[] names;
  private final String[] layers;
  private final ParameterKind[] kinds;
  private final Tensor[] values;
  private final Tensor[] gradients;
  private final double[] learningRateScales;
  private final boolean[] frozen;
  private final double maxLearningRateScale;

  private ParameterSet(List<Entry> entries) {
    int n = entries.size();
    names = new String[n];
    layers = new String[n];
    kinds = new ParameterKind[n];
    values = new Tensor[n];
    gradients = new Tensor[n];
    learningRateScales = new double[n];
    frozen = new boolean[n];
    double max = 0;
    for (int i = 0; i < n; i++) {
      Entry e = entries.get(i);
      names[i] = e.name;
      layers[i] = e.layer;
      kinds[i] = e.kind;
      values[i] = e.value;
      gradients[i] = e.gradient;
      learningRateScales[i] = e.learningRateScale;
      frozen[i] = e.frozen;
      if (!e.frozen) {
        max = Math.max(max, e.learningRateScale);
      }
    }
    maxLearningRateScale = max;
  }

  /** A builder; add parameters in network order. */
  public static Builder builder() {
    return new Builder();
  }

  /** Number of parameters. */
  public int size() {
    return names.length;
  }

  /** Name of parameter {@code i}, such as {@code hidden1.weight}. */
  public String name(int i) {
    return names[i];
  }

  /** The layer (field name) parameter {@code i} belongs to. */
  public String layer(int i) {
    return layers[i];
  }

  /** What parameter {@code i} is. */
  public ParameterKind kind(int i) {
    return kinds[i];
  }

  /** The parameter's values. */
  public Tensor value(int i) {
    return values[i];
  }

  /** The parameter's gradient, same shape. */
  public Tensor gradient(int i) {
    return gradients[i];
  }

  /** All gradients, in order (the array itself: do not modify). */
  public Tensor[] gradients() {
    return gradients;
  }

  /**
   * The factor on the scheduled learning rate for parameter {@code i}: at least 0, finite; 1
   * unless the layer's {@code @LearningRateScale} says otherwise.
   */
  public double learningRateScale(int i) {
    return learningRateScales[i];
  }

  /** Whether parameter {@code i} is frozen: no optimizer update, no clipping, no norm. */
  public boolean frozen(int i) {
    return frozen[i];
  }

  /**
   * The largest learning-rate scale of a parameter that is not frozen (0 if there is none): an
   * optimizer's bound on the rate any parameter is updated with is {@code lr × this}.
   */
  public double maxLearningRateScale() {
    return maxLearningRateScale;
  }

  /** Builds a {@link ParameterSet}. */
  public static final class Builder {
    private final List<Entry> entries = new ArrayList<>();

    private Builder() {}

    /**
     * Adds a parameter.
     *
     * @throws IllegalArgumentException if value and gradient differ in length
     */
    public Builder add(String name, String layer, ParameterKind kind, Tensor value,
        Tensor gradient) {
      if (value.length() != gradient.length()) {
        throw new IllegalArgumentException(name + ": value has " + value.length()
            + " elements, gradient " + gradient.length());
      }
      entries.add(new Entry(name, layer, kind, value, gradient));
      return this;
    }

    /**
     * Sets the learning-rate scale of every parameter of {@code layer} added so far.
     *
     * @param scale at least 0 and finite; 0 keeps the layer's values (its buffers still update)
     * @throws IllegalArgumentException for a negative or non-finite scale, or a layer without
     *     parameters in the set
     */
    public Builder learningRateScale(String layer, double scale) {
      if (!(scale >= 0 && Double.isFinite(scale))) {
        throw new IllegalArgumentException("learning-rate scale of layer " + layer
            + " must be finite and at least 0, got " + scale);
      }
      for (Entry e : of(layer)) {
        e.learningRateScale = scale;
      }
      return this;
    }

    /**
     * Freezes every parameter of {@code layer} added so far: optimizers skip them (values and
     * buffers unchanged) and clipping leaves them out.
     *
     * @throws IllegalArgumentException for a layer without parameters in the set
     */
    public Builder freeze(String layer) {
      for (Entry e : of(layer)) {
        e.frozen = true;
      }
      return this;
    }

    private List<Entry> of(String layer) {
      List<Entry> found = entries.stream().filter(e -> e.layer.equals(layer)).toList();
      if (found.isEmpty()) {
        throw new IllegalArgumentException("no parameter of layer " + layer + " in the set; its"
            + " layers are " + entries.stream().map(e -> e.layer).distinct().toList());
      }
      return found;
    }

    public ParameterSet build() {
      return new ParameterSet(entries);
    }
  }

  private static final class Entry {
    final String name;
    final String layer;
    final ParameterKind kind;
    final Tensor value;
    final Tensor gradient;
    double learningRateScale = 1;
    boolean frozen;

    Entry(String name, String layer, ParameterKind kind, Tensor value, Tensor gradient) {
      this.name = name;
      this.layer = layer;
      this.kind = kind;
      this.value = value;
      this.gradient = gradient;
    }
  }
}
