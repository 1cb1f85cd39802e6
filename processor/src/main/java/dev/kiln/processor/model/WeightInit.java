package dev.kiln.processor.model;

/**
 * How a parameter starts: the resolved {@code dev.kiln.dsl.Init} of a weight (never {@code AUTO}
 * here), or a constant for biases and normalisation parameters.
 */
public enum WeightInit {
  HE_UNIFORM,
  HE_NORMAL,
  XAVIER_UNIFORM,
  XAVIER_NORMAL,
  /** All zeros (biases, beta, running means). */
  ZEROS,
  /** All ones (gamma, running variances). */
  ONES
}
