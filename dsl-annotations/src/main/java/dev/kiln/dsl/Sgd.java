package dev.kiln.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Stochastic gradient descent with optional momentum, exactly as PyTorch's {@code
 * torch.optim.SGD}: with gradient {@code g}, the buffer is {@code buf = g} on the first step and
 * {@code buf = momentum·buf + (1 - dampening)·g} after; the update is {@code w -= lr·buf}, or with
 * Nesterov {@code w -= lr·(g + momentum·buf)} (Sutskever et al., 2013). Keras's {@code SGD} is the
 * same with {@code dampening = 0}; DL4J's {@code Nesterovs} uses another Nesterov form.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface Sgd {
  /**
   * The base learning rate {@code lr0}, positive; a schedule scales it per step. Required, except
   * beside {@link OneCycle}, which sets the rate itself from its {@code maxLearningRate} (the
   * default, NaN, means "not given").
   */
  double learningRate() default Double.NaN;

  /** Momentum factor, at least 0; 0 turns momentum off. Default 0. */
  double momentum() default 0.0;

  /** Dampening of the gradient in the momentum buffer, in [0, 1]. Default 0. */
  double dampening() default 0.0;

  /** Nesterov momentum; needs {@code momentum > 0} and {@code dampening = 0}. Default false. */
  boolean nesterov() default false;
}
