package dev.kiln.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * RMSprop (Hinton, 2012), exactly PyTorch 1.13's {@code torch.optim.RMSprop}, without bias
 * correction: {@code s = α·s + (1-α)·g²}; the denominator is {@code d = sqrt(s) + ε} (ε outside
 * the square root), or {@code sqrt(s − ḡ²) + ε} when centered, with {@code ḡ = α·ḡ + (1-α)·g};
 * then {@code w -= lr·g/d}, or with momentum {@code buf = μ·buf + g/d} (the buffer starts at 0)
 * and {@code w -= lr·buf}.
 *
 * <p>Keras's {@code RMSprop} names α {@code rho} (default 0.9, not 0.99), uses ε = 1e-7 and puts
 * it inside the square root ({@code sqrt(s + ε)}); its momentum accumulates {@code lr·g/d}, which
 * differs from PyTorch's while the rate changes. DL4J's {@code RmsProp(lr, rmsDecay, epsilon)}:
 * {@code rmsDecay} is α.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface RmsProp {
  /** The base learning rate {@code lr0}, positive and finite; a schedule scales it per step. */
  double learningRate() default 1e-2;

  /** Smoothing constant {@code α} of the squared-gradient average, in [0, 1). Default 0.99. */
  double alpha() default 0.99;

  /** Added to the denominator for stability; positive and finite. Default 1e-8 (PyTorch's). */
  double epsilon() default 1e-8;

  /** Momentum factor {@code μ}, finite and at least 0; 0 turns momentum off. Default 0. */
  double momentum() default 0.0;

  /** Normalises by the estimated variance instead of the second moment. Default false. */
  boolean centered() default false;
}
