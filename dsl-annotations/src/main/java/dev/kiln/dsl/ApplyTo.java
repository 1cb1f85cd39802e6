package dev.kiln.dsl;

/** Which parameters a regularizer acts on. */
public enum ApplyTo {
  /** Only dense weights ({@code <layer>.weight}); biases and batch-norm gamma/beta are left alone. */
  WEIGHTS,
  /** Every trainable parameter: weights, biases, batch-norm gamma and beta. */
  ALL
}
