package dev.kiln.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Coupled L2 regularization: after clipping, {@code λ·w} is added to each affected parameter's
 * gradient (the gradient of {@code λ/2·‖w‖²}), so it flows through momentum. PyTorch: the
 * optimizer's {@code weight_decay=λ} on a param group holding the weights; Keras: {@code
 * kernel_regularizer=l2(λ/2)} (Keras's penalty is {@code λ·‖w‖²}, twice Kiln's).
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface L2 {
  /** The coefficient {@code λ}; at least 0. */
  double value();

  /** Which parameters are regularized; weights only by default. */
  ApplyTo applyTo() default ApplyTo.WEIGHTS;
}
