package dev.kiln.runtime.data;

import java.util.Arrays;

/**
 * The content of an IDX file: its dimensions and its payload converted to floats, row-major.
 * Unsigned bytes become 0..255; ints and doubles are rounded to the nearest float.
 *
 * <p>The arrays are not copied: treat them as read-only.
 *
 * @param dims the dimensions, outermost first, each at least 1 (for example {@code [n, 28, 28]})
 * @param values the payload, {@code dims[0] * dims[1] * ...} values
 * @param source the file or resource it was read from, for error messages ({@code "IDX data"}
 *     where none was given)
 */
public record IdxArray(int[] dims, float[] values, String source) {
  /** An array without a named source. */
  public IdxArray(int[] dims, float[] values) {
    this(dims, values, "IDX data");
  }

  /**
   * @throws IllegalArgumentException if a dimension is not positive or the value count does not
   *     match the dimensions
   */
  public IdxArray {
    if (source == null) {
      source = "IDX data";
    }
    if (dims.length == 0) {
      throw new IllegalArgumentException("an IDX array needs at least one dimension");
    }
    long count = 1;
    for (int d : dims) {
      if (d < 1) {
        throw new IllegalArgumentException("non-positive dimension in " + Arrays.toString(dims));
      }
      count *= d;
    }
    if (count != values.length) {
      throw new IllegalArgumentException("dims " + Arrays.toString(dims) + " need " + count
          + " values, got " + values.length);
    }
  }

  /** The outermost dimension: the number of items (images, labels). */
  public int count() {
    return dims[0];
  }

  /** The number of values per item: the product of all dimensions but the first. */
  public int itemSize() {
    return values.length / dims[0];
  }

  @Override
  public String toString() {
    return "IdxArray" + Arrays.toString(dims);
  }
}
