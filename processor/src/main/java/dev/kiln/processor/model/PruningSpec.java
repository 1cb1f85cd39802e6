package dev.kiln.processor.model;

import java.util.List;

/**
 * {@code @Prune} of a training configuration, checked, with the layers it prunes resolved: every
 * dense layer except excluded ones, {@code @Frozen} ones, and under {@code NEURONS} the layers
 * whose units are the network's outputs.
 *
 * @param initialSparsity {@code s_i}, in [0, 1)
 * @param finalSparsity {@code s_f}, in [{@code s_i}, 1)
 * @param beginStep first pruning step, at least 0
 * @param endStep step at which {@code s_f} is reached, at least {@code beginStep}
 * @param frequency steps between mask updates, at least 1
 * @param scope how entries are ranked: all pruned layers together or each alone
 * @param structure single weights or whole units
 * @param layers the pruned layers in network order, never empty
 * @param beginFraction with a schedule in fractions of the run, where it begins (then {@code
 *     beginStep} and {@code endStep} are -1); null for a schedule in steps
 * @param endFraction with a schedule in fractions, where {@code s_f} is reached; else null
 */
public record PruningSpec(double initialSparsity, double finalSparsity, int beginStep,
    int endStep, int frequency, PruneScope scope, PruneStructure structure,
    List<PrunedLayer> layers, Double beginFraction, Double endFraction) {
  public PruningSpec {
    layers = List.copyOf(layers);
  }

  /** A schedule in optimizer steps. */
  public PruningSpec(double initialSparsity, double finalSparsity, int beginStep, int endStep,
      int frequency, PruneScope scope, PruneStructure structure, List<PrunedLayer> layers) {
    this(initialSparsity, finalSparsity, beginStep, endStep, frequency, scope, structure, layers,
        null, null);
  }

  /** Whether the schedule is in fractions of the run, fixed in steps when the run is planned. */
  public boolean inFractions() {
    return beginFraction != null;
  }

  /** The schedule's span for messages: {@code steps 0..900} or {@code 0.1..0.7 of the run}. */
  public String span() {
    return inFractions() ? beginFraction + ".." + endFraction + " of the run"
        : "steps " + beginStep + ".." + endStep;
  }

  /**
   * A pruned layer.
   *
   * @param name the layer's field name
   * @param finalSparsity its own target, or NaN for the configuration's
   */
  public record PrunedLayer(String name, double finalSparsity) {
    /** Whether the layer has a target of its own. */
    public boolean overrides() {
      return !Double.isNaN(finalSparsity);
    }
  }

  /** Whether {@code layer} is pruned. */
  public boolean prunes(String layer) {
    return layers.stream().anyMatch(l -> l.name().equals(layer));
  }

  /** One line for javadoc and checkpoint fingerprints. */
  public String describe() {
    StringBuilder b = new StringBuilder(structure == PruneStructure.NEURONS ? "units" : "weights")
        .append(", ").append(scope == PruneScope.GLOBAL ? "global" : "per layer")
        .append(", sparsity ").append(initialSparsity).append(" -> ").append(finalSparsity)
        .append(" over ").append(span())
        .append(" every ").append(frequency).append(" steps; layers");
    for (PrunedLayer l : layers) {
      b.append(' ').append(l.name());
      if (l.overrides()) {
        b.append(" (").append(l.finalSparsity()).append(')');
      }
    }
    return b.toString();
  }
}
