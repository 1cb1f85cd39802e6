package dev.kiln.processor.model;

/**
 * Gradient clipping of a training configuration and what a step does with non-finite gradients.
 * Every variant carries the non-finite policy.
 */
public sealed interface ClippingSpec {
  /** What a step does with NaN or infinite gradients. */
  NonFinitePolicy onNonFinite();

  /** Whether the step checks its gradients for NaN and infinity before committing anything. */
  default boolean checksFinite() {
    return onNonFinite() != NonFinitePolicy.PROPAGATE;
  }

  /** No clipping: the global L2 norm is still measured for {@code lastGradientNorm()}. */
  record None(NonFinitePolicy onNonFinite) implements ClippingSpec {}

  /** {@code @ClipGradValue}: as {@code torch.nn.utils.clip_grad_value_}. */
  record ByValue(double clipValue, NonFinitePolicy onNonFinite) implements ClippingSpec {}

  /**
   * {@code @ClipGradNorm}: {@code torch.nn.utils.clip_grad_norm_} per group.
   *
   * @param scope the groups each clipped to {@code maxNorm}
   */
  record ByNorm(double maxNorm, double normType, ClipScope scope, NonFinitePolicy onNonFinite)
      implements ClippingSpec {}
}
