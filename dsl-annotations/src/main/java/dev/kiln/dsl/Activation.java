package dev.kiln.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * An element-wise activation, applied after the layer's {@link Dense} and {@link BatchNorm} parts
 * and before its {@link Dropout}. Shape-preserving.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.FIELD)
public @interface Activation {
  /** The function. */
  ActivationFunction value();

  /** Slope for negative inputs of {@link ActivationFunction#LEAKY_RELU}; default 0.01 (PyTorch's). */
  double negativeSlope() default 0.01;
}
