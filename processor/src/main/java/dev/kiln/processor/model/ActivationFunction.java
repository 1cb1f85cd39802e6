package dev.kiln.processor.model;

/**
 * The processor's view of {@code dev.kiln.dsl.ActivationFunction}: the same constant names,
 * mapped once by {@code dev.kiln.processor.validate.DslEnums}.
 */
public enum ActivationFunction {
  IDENTITY,
  RELU,
  LEAKY_RELU,
  TANH,
  SIGMOID,
  GELU,
  GELU_TANH;

  /** Whether weights before it default to He (Kaiming) initialisation rather than Xavier. */
  public boolean reluFamily() {
    return this == RELU || this == LEAKY_RELU || this == GELU
        || this == GELU_TANH;
  }
}
