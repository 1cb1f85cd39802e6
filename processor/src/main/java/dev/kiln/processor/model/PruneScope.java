package dev.kiln.processor.model;

/**
 * The processor's view of {@code dev.kiln.dsl.PruneScope}; the runtime's {@code
 * MagnitudePruner.Scope} has the same constant names.
 */
public enum PruneScope {
  GLOBAL,
  PER_LAYER
}
