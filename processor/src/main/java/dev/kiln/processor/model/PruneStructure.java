package dev.kiln.processor.model;

/**
 * The processor's view of {@code dev.kiln.dsl.PruneStructure}; the runtime's {@code
 * MagnitudePruner.Structure} has the same constant names.
 */
public enum PruneStructure {
  UNSTRUCTURED,
  NEURONS
}
