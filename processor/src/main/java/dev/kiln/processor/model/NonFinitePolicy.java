package dev.kiln.processor.model;

/** The processor's view of {@code dev.kiln.dsl.NonFinitePolicy}. */
public enum NonFinitePolicy {
  ERROR,
  SKIP_STEP,
  PROPAGATE
}
