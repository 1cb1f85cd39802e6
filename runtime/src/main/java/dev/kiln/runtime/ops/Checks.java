package dev.kiln.runtime.ops;

import dev.kiln.runtime.tensor.Tensor;

/** Argument checks shared by the layer kernels of this package; each names the kernel and the argument. */
final class Checks {
  private Checks() {}

  /**
   * Checks that {@code t} holds at least {@code elements} floats before a kernel touches that
   * many.
   *
   * @throws IllegalArgumentException naming the kernel, the argument and both sizes
   * @throws NullPointerException if {@code t} is null
   */
  static void require(String kernel, String argument, Tensor t, long elements) {
    if (t == null) {
      throw new NullPointerException(kernel + ": " + argument + " is null");
    }
    if (elements < 0 || t.length() < elements) {
      throw new IllegalArgumentException(kernel + ": " + argument + " has " + t.length()
          + " elements; " + elements + " needed");
    }
  }

  /** {@link #require} for an index buffer. */
  static void require(String kernel, String argument, int[] indices, long elements) {
    if (indices == null) {
      throw new NullPointerException(kernel + ": " + argument + " is null");
    }
    if (elements < 0 || indices.length < elements) {
      throw new IllegalArgumentException(kernel + ": " + argument + " has " + indices.length
          + " elements; " + elements + " needed");
    }
  }

  /** Checks a batch size: at least 1. */
  static void batch(String kernel, int n) {
    if (n < 1) {
      throw new IllegalArgumentException(kernel + ": expected a batch of at least 1, got " + n);
    }
  }

  /**
   * Checks that the first {@code aElements} floats of {@code a} and the first {@code bElements}
   * of {@code b} do not share memory (a kernel that reads one while it writes the other).
   *
   * @throws IllegalArgumentException naming both arguments
   */
  static void apart(String kernel, String aName, Tensor a, long aElements, String bName,
      Tensor b, long bElements) {
    long aEnd = a.address() + aElements * Float.BYTES;
    long bEnd = b.address() + bElements * Float.BYTES;
    if (a.address() < bEnd && b.address() < aEnd) {
      throw new IllegalArgumentException(kernel + ": " + aName + " must not overlap " + bName);
    }
  }

  /**
   * Requires {@code value} to be positive.
   *
   * @throws IllegalArgumentException naming it
   */
  static void positive(String kernel, String name, long value) {
    if (value < 1) {
      throw new IllegalArgumentException(kernel + ": expected " + name + " >= 1, got " + value);
    }
  }

  /**
   * The class index held by a float: a whole number in {@code [0, limit)}.
   *
   * @param what what the values are ("token id", "target"), for the message
   * @param position the flat position of the value in its tensor
   * @param width the sequence length {@code T}, to name the position as (sample, step); 0 names
   *     only the flat position
   * @throws IllegalArgumentException if it is not
   */
  static int index(String kernel, String what, float value, int limit, int position, int width) {
    int id = (int) value;
    if (id != value || id < 0 || id >= limit) {
      throw new IllegalArgumentException(kernel + ": " + what + " " + value + " at position "
          + where(position, width) + " is not a whole number in [0, " + limit + ")");
    }
    return id;
  }

  /** {@link #index(String, String, float, int, int, int)} for an int value. */
  static int index(String kernel, String what, int value, int limit, int position, int width) {
    if (value < 0 || value >= limit) {
      throw new IllegalArgumentException(kernel + ": " + what + " " + value + " at position "
          + where(position, width) + " is outside [0, " + limit + ")");
    }
    return value;
  }

  private static String where(int position, int width) {
    return width > 0 ? position + " (sample " + position / width + ", step " + position % width
        + ")" : String.valueOf(position);
  }
}
