package dev.kiln.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A fully connected layer {@code y = x·W + b}, with {@code x} {@code [batch, in]}, the weight
 * {@code W} {@code [in, units]} (row-vector convention: the transpose of PyTorch's {@code
 * nn.Linear.weight}) and the bias {@code b} {@code [units]}.
 *
 * <p>PyTorch: {@code nn.Linear(in, units, bias)}; Keras: {@code Dense(units, use_bias)}; DL4J:
 * {@code DenseLayer}.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.FIELD)
public @interface Dense {
  /** Number of output units; at least 1. */
  int value();

  /** Whether the layer adds a bias {@code [units]}. Default true. */
  boolean bias() default true;

  /** How the weight is initialised; biases always start at zero. Default {@link Init#AUTO}. */
  Init init() default Init.AUTO;
}
