package dev.kiln.processor.model;

import dev.kiln.processor.model.Specs.NetworkSpec;

/**
 * {@code @Distill} of a training configuration, checked: the teacher's network (same inputs and
 * outputs as the student's), the temperature {@code T > 0} and the soft term's weight {@code α}
 * in [0, 1].
 */
public record DistillationSpec(NetworkSpec teacher, double temperature, double alpha) {
  /** One line for javadoc and checkpoint fingerprints. */
  public String describe() {
    return "teacher " + teacher.target().qualifiedSourceName() + ", temperature " + temperature
        + ", alpha " + alpha;
  }
}
