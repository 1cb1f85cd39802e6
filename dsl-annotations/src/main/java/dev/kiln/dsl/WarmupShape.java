package dev.kiln.dsl;

/** How {@link Warmup} raises the rate to the base rate. */
public enum WarmupShape {
  /**
   * From {@code startFactor·lr0} linearly to {@code lr0}: {@code lr0·(s + (1 - s)·t/steps)}.
   * PyTorch's {@code LinearLR(start_factor=s, end_factor=1, total_iters=steps)}. The default.
   */
  LINEAR,
  /**
   * {@code startFactor·lr0} for the whole warm-up, then {@code lr0}: PyTorch's {@code
   * ConstantLR(factor=s, total_iters=steps)} (the "constant warm-up" of He et al., 2016).
   */
  CONSTANT
}
