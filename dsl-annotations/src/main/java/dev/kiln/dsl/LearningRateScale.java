package dev.kiln.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * On a {@link Layer} field, or on a field of a {@link Block} type (then every layer inside it that
 * gives no scale of its own): the layer's parameters are updated with {@code value ×} the
 * scheduled learning rate, in every optimizer, for fine-tuning with a small rate for early layers
 * ("discriminative learning rates"). The schedule, warm-up and OneCycle still shape the rate over
 * time; the scale multiplies what they give at each step, and so does the layer's decoupled weight
 * decay ({@code w ← w·(1 − scale·lr·λ)}).
 *
 * <p>PyTorch: a parameter group {@code {"params": layer.parameters(), "lr": value * base_lr}} (its
 * {@code LRScheduler}s scale every group's rate by the same factor, as Kiln does); Caffe: {@code
 * lr_mult}; Keras has no built-in equivalent. A scale of 0 is legal: the layer's values never
 * change, while the optimizer's buffers (momentum, Adam's moments) still follow its gradients, as
 * a PyTorch group with {@code lr = 0}; to stop a layer altogether use {@link Freeze} on the
 * configuration or {@link Frozen} on the field.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.FIELD)
public @interface LearningRateScale {
  /** The factor on the scheduled rate; at least 0 and finite (1 changes nothing). */
  double value();
}
