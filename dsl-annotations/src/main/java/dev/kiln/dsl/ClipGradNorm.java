package dev.kiln.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Rescales gradients whose norm exceeds {@code maxNorm}: with {@code norm} the norm of a group of
 * gradients (all of them for {@link ClipScope#GLOBAL}), each gradient of the group is multiplied by
 * {@code min(1, maxNorm / (norm + 1e-6))}, applied after backward and before regularization.
 *
 * <p>{@code GLOBAL} is exactly PyTorch's {@code torch.nn.utils.clip_grad_norm_(parameters,
 * maxNorm, normType)} and Keras's {@code global_clipnorm}; {@code PER_LAYER} and {@code
 * PER_PARAMETER} are DL4J's {@code ClipL2PerLayer} and {@code ClipL2PerParamType} (with the same
 * {@code 1e-6} as PyTorch; DL4J and Keras's per-variable {@code clipnorm} divide by the bare norm).
 * Norms are accumulated in double, so they do not overflow for finite float32 gradients. Not
 * together with {@link ClipGradValue}.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface ClipGradNorm {
  /** The largest allowed norm of each group; positive and finite. PyTorch's {@code max_norm}. */
  double maxNorm();

  /**
   * The norm's order: 2 (default), 1, or {@code Double.POSITIVE_INFINITY} (max-abs). PyTorch's
   * {@code norm_type}. The trainer's {@code lastGradientNorm()} reports this norm over all
   * gradients, before clipping.
   */
  double normType() default 2.0;

  /** Which gradients share one norm; default {@link ClipScope#GLOBAL}. */
  ClipScope scope() default ClipScope.GLOBAL;

  /**
   * What a step does with a NaN or infinite gradient; default {@link NonFinitePolicy#ERROR}. Write
   * it here or on {@link TrainingConfig#onNonFinite()}, not both.
   */
  NonFinitePolicy onNonFinite() default NonFinitePolicy.ERROR;
}
