package dev.kiln.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Coupled L1 regularization: after clipping, {@code λ·sign(w)} is added to each affected
 * parameter's gradient (the subgradient of {@code λ·‖w‖₁}, with {@code sign(0) = 0} as PyTorch's
 * {@code torch.sign}), so it flows through momentum. Keras: {@code kernel_regularizer=l1(λ)}
 * (same λ); DL4J: {@code .l1(λ)} (same λ). PyTorch has no built-in L1: it matches adding {@code λ ·
 * sum(|w|)} to the loss.
 *
 * <p>On the training configuration it applies to every layer; on a {@link Layer} field of the
 * model it overrides the configuration's value for that layer.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target({ElementType.TYPE, ElementType.FIELD})
public @interface L1 {
  /** The coefficient {@code λ}, per unit of the mean data loss; finite and at least 0. */
  double value();

  /** Which parameters are regularized; weights only by default. */
  ApplyTo applyTo() default ApplyTo.WEIGHTS;
}
