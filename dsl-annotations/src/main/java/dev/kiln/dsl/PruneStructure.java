package dev.kiln.dsl;

/** What {@link Prune} removes. */
public enum PruneStructure {
  /**
   * Single weights of smallest magnitude {@code |w|}. PyTorch: {@code prune.l1_unstructured};
   * the sparsity counts weights.
   */
  UNSTRUCTURED,
  /**
   * Whole output units of a dense layer (a column of its {@code [in, out]} weight), those whose
   * weights have the smallest L2 norm. PyTorch: {@code prune.ln_structured(module, 'weight',
   * amount, n=2, dim=0)} on {@code nn.Linear.weight [out, in]}; the sparsity counts units. The
   * network's output units (a dense layer with no dense layer after it) are never removed. After
   * training, the trainer's {@code compact()} builds a network with physically fewer units.
   */
  NEURONS
}
