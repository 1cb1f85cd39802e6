package dev.kiln.dsl;

/**
 * How {@link Conv2d} pads its input.
 *
 * <ul>
 *   <li>{@link #EXPLICIT}: zeros as given by {@code padding} (PyTorch's {@code padding=p}; {@code
 *       padding = 0} is Keras's {@code "valid"}).
 *   <li>{@link #SAME}: for an odd kernel {@code k}, {@code (k - 1)/2} zeros on each side, so the
 *       output keeps the input's height and width at stride 1 (PyTorch's {@code padding="same"},
 *       Keras's {@code "same"}) and is {@code ceil(in/stride)} at larger strides (where Keras pads
 *       one more zero at the bottom and right instead of one on each side). An even kernel would
 *       need uneven padding and is a compile error.
 * </ul>
 */
public enum Padding {
  EXPLICIT,
  SAME
}
