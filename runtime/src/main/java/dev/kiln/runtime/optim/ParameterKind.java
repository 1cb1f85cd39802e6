package dev.kiln.runtime.optim;

/** What a trainable parameter is, for rules that treat weights and the rest differently. */
public enum ParameterKind {
  /** A dense layer's weight {@code [in, out]}. */
  WEIGHT,
  /** A dense layer's bias {@code [out]}. */
  BIAS,
  /** Batch norm's scale {@code [features]}. */
  GAMMA,
  /** Batch norm's shift {@code [features]}. */
  BETA
}
