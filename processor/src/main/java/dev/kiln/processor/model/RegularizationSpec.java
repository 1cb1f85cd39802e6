package dev.kiln.processor.model;

/**
 * Coupled regularization of a training configuration, applied after clipping.
 *
 * @param l2 the {@code @L2} coefficient, 0 for none
 * @param l2AllParameters whether L2 applies to every parameter, not only weights
 */
public record RegularizationSpec(double l2, boolean l2AllParameters) {
  /** No regularization. */
  public static RegularizationSpec none() {
    return new RegularizationSpec(0, false);
  }
}
