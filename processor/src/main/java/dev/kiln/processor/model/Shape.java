package dev.kiln.processor.model;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The shape of one sample as it flows between layers, without the batch axis: {@code [features]}
 * (rank 1), {@code [C, H, W]} (images, rank 3) or {@code [T, D]} (sequences, rank 2). Every
 * dimension is at least 1. {@link #toString()} is the form messages and javadoc show, {@code [32,
 * 28, 28]}.
 *
 * @param dims the dimensions, outermost first
 */
public record Shape(List<Integer> dims) {
  public Shape {
    dims = List.copyOf(dims);
    if (dims.isEmpty()) {
      throw new IllegalArgumentException("a shape has at least one dimension");
    }
  }

  /** A shape of the given dimensions. */
  public static Shape of(int... dims) {
    return new Shape(java.util.Arrays.stream(dims).boxed().toList());
  }

  /** A flat feature vector {@code [features]}. */
  public static Shape features(int features) {
    return of(features);
  }

  /** A sequence {@code [T, D]}: {@code steps} positions of {@code width} features. */
  public static Shape sequence(int steps, int width) {
    return of(steps, width);
  }

  /** Whether this is a sequence {@code [T, D]} (rank 2). */
  public boolean isSequence() {
    return dims.size() == 2;
  }

  /** The last dimension: features per position of a sequence, the size of a vector. */
  public int last() {
    return dims.get(dims.size() - 1);
  }

  /** The number of dimensions. */
  public int rank() {
    return dims.size();
  }

  /** Dimension {@code i}, outermost first. */
  public int dim(int i) {
    return dims.get(i);
  }

  /** The number of values per sample: the product of the dimensions. */
  public long size() {
    long n = 1;
    for (int d : dims) {
      n *= d;
    }
    return n;
  }

  /** The dimensions as {@code long}s, for array shapes. */
  public long[] toLongArray() {
    return dims.stream().mapToLong(Integer::longValue).toArray();
  }

  @Override
  public String toString() {
    return dims.stream().map(String::valueOf).collect(Collectors.joining(", ", "[", "]"));
  }
}
