package dev.kiln.processor.model;

/**
 * The processor's view of {@code dev.kiln.dsl.ClipScope}; the runtime's {@code
 * GradientClipper.Scope} has the same constant names.
 */
public enum ClipScope {
  GLOBAL,
  PER_LAYER,
  PER_PARAMETER
}
