package dev.kiln.dsl;

/** How {@link OneCycle} moves between two rates (PyTorch's {@code anneal_strategy}). */
public enum Annealing {
  /** {@code end + (start - end)/2·(1 + cos(π·pct))}: PyTorch's {@code 'cos'}, the default. */
  COSINE,
  /** {@code start + (end - start)·pct}: PyTorch's {@code 'linear'}. */
  LINEAR
}
