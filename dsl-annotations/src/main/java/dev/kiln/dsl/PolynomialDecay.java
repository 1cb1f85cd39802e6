package dev.kiln.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Polynomial decay to 0: {@code lr(t) = lr0·(1 - min(t, steps)/steps)^power}, 0 from {@code t =
 * steps} on. PyTorch's {@code PolynomialLR(total_iters, power)}; Keras's {@code
 * PolynomialDecay(lr0, steps, end_learning_rate=0, power)}; Optax's {@code
 * polynomial_schedule(lr0, 0, power, steps)}.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface PolynomialDecay {
  /**
   * Length in steps (or epochs) of the decay ({@code total_iters}); at least 1, or {@link
   * Steps#AUTO} (the default): the rest of the run.
   */
  int steps() default Steps.AUTO;

  /** The exponent; finite and positive; default 1 (linear decay to 0, as PyTorch). */
  double power() default 1.0;

  /** What {@code t} and {@link #steps()} count; default {@link ScheduleUnit#STEP}. */
  ScheduleUnit unit() default ScheduleUnit.STEP;
}
