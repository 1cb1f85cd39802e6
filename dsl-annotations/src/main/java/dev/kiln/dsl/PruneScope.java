package dev.kiln.dsl;

/** Which weights {@link Prune} ranks against one another. */
public enum PruneScope {
  /**
   * All pruned layers together, against one target: the smallest weights of the whole network go
   * first, so layers end at different sparsities. PyTorch: {@code
   * torch.nn.utils.prune.global_unstructured(..., pruning_method=L1Unstructured)}.
   */
  GLOBAL,
  /**
   * Each layer alone, each reaching the target (or its own {@code @Prune(finalSparsity)} on the
   * layer field). PyTorch: {@code prune.l1_unstructured} / {@code prune.ln_structured} per module;
   * TensorFlow Model Optimization: {@code prune_low_magnitude} per layer.
   */
  PER_LAYER
}
