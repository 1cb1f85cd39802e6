/**
 * Magnitude pruning for generated trainers: the gradual sparsity schedule of Zhu and Gupta
 * ({@link dev.kiln.runtime.pruning.PruningSchedule}), PyTorch's {@code torch.nn.utils.prune}
 * selection rules ({@link dev.kiln.runtime.pruning.Pruning}), the preallocated masks a trainer
 * keeps ({@link dev.kiln.runtime.pruning.MagnitudePruner}) and the smaller eval-mode network a
 * structurally pruned model compacts into ({@link dev.kiln.runtime.pruning.CompactNetwork}).
 */
package dev.kiln.runtime.pruning;
