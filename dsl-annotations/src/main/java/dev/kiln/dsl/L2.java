package dev.kiln.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Coupled L2 regularization: after clipping, {@code λ·w} is added to each affected parameter's
 * gradient (the gradient of {@code λ/2·‖w‖²}), so it flows through momentum and Adam's moments.
 * PyTorch: the optimizer's {@code weight_decay=λ} on a param group holding the weights (also for
 * {@code Adam}, where it is L2, not decoupled decay); DL4J: {@code .l2(λ)}; Keras: {@code
 * kernel_regularizer=l2(λ/2)} (Keras's penalty is {@code λ·‖w‖²}, twice Kiln's).
 *
 * <p>On the training configuration it applies to every layer; on a {@link Layer} field of the
 * model it overrides the configuration's value for that layer ({@code @L2(0)} turns it off there).
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target({ElementType.TYPE, ElementType.FIELD})
public @interface L2 {
  /** The coefficient {@code λ}, per unit of the mean data loss; finite and at least 0. */
  double value();

  /** Which parameters are regularized; weights only by default. */
  ApplyTo applyTo() default ApplyTo.WEIGHTS;
}
