package dev.kiln.dsl;

/**
 * How {@link ReduceOnPlateau#threshold()} decides that a value is an improvement on the best one
 * seen (PyTorch's {@code threshold_mode}).
 */
public enum ThresholdMode {
  /**
   * Relative: with {@code MIN}, better means {@code value < best·(1 - threshold)}; with {@code
   * MAX}, {@code value > best·(1 + threshold)}. PyTorch's {@code 'rel'}, the default.
   */
  RELATIVE,
  /**
   * Absolute: with {@code MIN}, better means {@code value < best - threshold}; with {@code MAX},
   * {@code value > best + threshold}. PyTorch's {@code 'abs'}; Keras's {@code min_delta}.
   */
  ABSOLUTE
}
