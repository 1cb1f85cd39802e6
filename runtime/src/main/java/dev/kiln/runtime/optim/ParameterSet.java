package dev.kiln.runtime.optim;

import dev.kiln.runtime.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * The trainable parameters of a network with their gradients, in a fixed order (the order of
 * {@code parameters()}): what clipping, regularization and optimizers act on. Built once by a
 * generated trainer; reading it allocates nothing.
 */
public final class ParameterSet {
  private final String[] names;
  private final String[] layers;
  private final ParameterKind[] kinds;
  private final Tensor[] values;
  private final Tensor[] gradients;

  private ParameterSet(List<Entry> entries) {
    int n = entries.size();
    names = new String[n];
    layers = new String[n];
    kinds = new ParameterKind[n];
    values = new Tensor[n];
    gradients = new Tensor[n];
    for (int i = 0; i < n; i++) {
      Entry e = entries.get(i);
      names[i] = e.name;
      layers[i] = e.layer;
      kinds[i] = e.kind;
      values[i] = e.value;
      gradients[i] = e.gradient;
    }
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

    public ParameterSet build() {
      return new ParameterSet(entries);
    }
  }

  private record Entry(String name, String layer, ParameterKind kind, Tensor value,
      Tensor gradient) {}
}
