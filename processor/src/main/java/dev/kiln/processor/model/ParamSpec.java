package dev.kiln.processor.model;

/**
 * One array a layer part owns: named {@code <layer>.<role>} in {@code parameters()} and
 * checkpoints.
 *
 * @param role the name suffix ({@code weight}, {@code bias}, {@code gamma}, {@code beta}, {@code
 *     runningMean}, {@code runningVar})
 * @param shape its shape ({@code [in, out]} for a dense weight)
 * @param kind what it is
 * @param init how {@code initialize(seed)} fills it
 * @param fanIn inputs per output unit, for He and Xavier initialisation
 * @param fanOut outputs per input unit, for Xavier initialisation
 */
public record ParamSpec(String role, Shape shape, ParamKind kind, WeightInit init, int fanIn,
    int fanOut) {
  /** A parameter filled with a constant ({@link WeightInit#ZEROS} or {@link WeightInit#ONES}). */
  public static ParamSpec constant(String role, Shape shape, ParamKind kind, WeightInit init) {
    return new ParamSpec(role, shape, kind, init, 0, 0);
  }
}
