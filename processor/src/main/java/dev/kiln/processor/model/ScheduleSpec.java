package dev.kiln.processor.model;

/** The learning-rate schedule of a training configuration. */
public sealed interface ScheduleSpec {
  /** No schedule annotation: the base rate at every step. */
  record Constant() implements ScheduleSpec {}

  /** {@code @CosineDecay}. */
  record Cosine(int steps, double minimum, boolean periodic) implements ScheduleSpec {}
}
