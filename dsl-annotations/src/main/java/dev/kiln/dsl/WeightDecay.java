package dev.kiln.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Decoupled weight decay (Loshchilov and Hutter, 2019): inside the optimizer update, before the
 * gradient step, {@code w ← w − lr(t)·λ·w} with the scheduled rate {@code lr(t)}. It never touches
 * the gradient, so momentum and Adam's moments do not see it. Works with every optimizer: with
 * {@link Adam} it is PyTorch's {@code torch.optim.AdamW(weight_decay=λ)} (and replaces {@link
 * AdamW}'s default decay); with {@link Sgd} it is SGDW; DL4J: {@code .weightDecay(λ, true)}; Keras:
 * {@code AdamW(weight_decay=λ)}. For PyTorch's {@code weight_decay} of SGD, Adam or RMSprop (which
 * is coupled L2) use {@link L2}.
 *
 * <p>On the training configuration it applies to every layer; on a {@link Layer} field of the
 * model it overrides the configuration's value for that layer.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target({ElementType.TYPE, ElementType.FIELD})
public @interface WeightDecay {
  /** The coefficient {@code λ}, per unit of learning rate; finite and at least 0. */
  double value();

  /** Which parameters decay; weights only by default. */
  ApplyTo applyTo() default ApplyTo.WEIGHTS;
}
