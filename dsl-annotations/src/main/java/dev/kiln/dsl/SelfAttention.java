package dev.kiln.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Multi-head self-attention on {@code [T, D]} (Vaswani et al., 2017), as nanoGPT's {@code
 * CausalSelfAttention} with separate projections: {@code q, k, v = x·W + b} ({@code [D, D]}
 * weights), heads as contiguous slices of {@code D}, scores scaled by {@code 1/sqrt(D/heads)},
 * softmax over keys, heads concatenated, then the output projection. Parameters {@code
 * <field>.query.weight}, {@code .query.bias}, {@code key}, {@code value}, {@code output}; the
 * projection weights are weights for regularization and weight decay.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.FIELD)
public @interface SelfAttention {
  /** Heads, at least 1, dividing the width {@code D}. */
  int heads();

  /** Whether position {@code t} attends only to positions {@code ≤ t} (a decoder). */
  boolean causal() default true;

  /** Whether the four projections have biases. */
  boolean bias() default true;
}
