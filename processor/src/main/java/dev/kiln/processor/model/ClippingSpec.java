package dev.kiln.processor.model;

/** Gradient clipping of a training configuration. */
public sealed interface ClippingSpec {
  /** No clipping: the norm is still measured for {@code lastGradientNorm()}. */
  record None() implements ClippingSpec {}

  /** {@code @ClipGradNorm}: global norm, as {@code torch.nn.utils.clip_grad_norm_}. */
  record GlobalNorm(double maxNorm, double normType) implements ClippingSpec {}
}
