package dev.kiln.processor.model;

/**
 * The processor's view of {@code dev.kiln.dsl.Loss}; the runtime's {@code
 * dev.kiln.runtime.ops.LossKind} has the same constant names.
 */
public enum LossKind {
  SOFTMAX_CROSS_ENTROPY,
  MSE,
  SIGMOID_BINARY_CROSS_ENTROPY
}
