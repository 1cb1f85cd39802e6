package dev.kiln.runtime.ops;

import dev.kiln.runtime.tensor.Tensor;

/** Argument checks shared by the layer kernels of this package (as {@code NativeKernels.require}). */
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
}
