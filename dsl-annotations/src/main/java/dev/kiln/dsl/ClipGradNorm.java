package dev.kiln.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Rescales all gradients together when their global norm exceeds {@code maxNorm}: with {@code
 * norm} the norm of the concatenation of every gradient, each gradient is multiplied by {@code
 * min(1, maxNorm / (norm + 1e-6))}. Exactly PyTorch's {@code
 * torch.nn.utils.clip_grad_norm_(parameters, maxNorm, normType)}; Keras's {@code
 * global_clipnorm}. The norm is accumulated in double, so it does not overflow for finite float32
 * gradients.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface ClipGradNorm {
  /** The largest allowed norm; positive. */
  double maxNorm();

  /** The norm's order: 2 (default), 1, or {@code Double.POSITIVE_INFINITY} (max-abs). */
  double normType() default 2.0;
}
