package dev.kiln.processor.model;

/**
 * Gradient clipping of a training configuration and what a step does with non-finite gradients.
 * Every variant carries the non-finite policy: {@code ERROR}, {@code SKIP_STEP} or {@code
 * PROPAGATE} (the names of {@code dev.kiln.dsl.NonFinitePolicy}).
 */
public sealed interface ClippingSpec {
  /** The non-finite policy's constant name. */
  String onNonFinite();

  /** Whether the step checks its gradients for NaN and infinity before committing anything. */
  default boolean checksFinite() {
    return !onNonFinite().equals("PROPAGATE");
  }

  /** No clipping: the global L2 norm is still measured for {@code lastGradientNorm()}. */
  record None(String onNonFinite) implements ClippingSpec {}

  /** {@code @ClipGradValue}: as {@code torch.nn.utils.clip_grad_value_}. */
  record ByValue(double clipValue, String onNonFinite) implements ClippingSpec {}

  /**
   * {@code @ClipGradNorm}: {@code torch.nn.utils.clip_grad_norm_} per group.
   *
   * @param scope {@code GLOBAL}, {@code PER_LAYER} or {@code PER_PARAMETER}
   */
  record ByNorm(double maxNorm, double normType, String scope, String onNonFinite)
      implements ClippingSpec {}
}
