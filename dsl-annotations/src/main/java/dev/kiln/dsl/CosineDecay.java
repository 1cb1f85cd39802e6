package dev.kiln.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Cosine annealing of the learning rate (Loshchilov and Hutter, 2017), counted in optimizer steps
 * from 0: {@code lr(t) = minimum + (lr0 - minimum)·(1 + cos(π·t/steps))/2}.
 *
 * <p>After {@code steps} the rate holds at {@code minimum} by default (as Keras's {@code
 * CosineDecay} with {@code alpha = minimum/lr0} and Optax's {@code cosine_decay_schedule}); with
 * {@code periodic = true} it follows the cosine back up, exactly as PyTorch's {@code
 * CosineAnnealingLR(T_max=steps, eta_min=minimum)} stepped once per batch (period {@code 2·steps}).
 * (Some texts write a cosine schedule as {@code lr0·cos(πt/T)}, which goes negative; not Kiln.)
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface CosineDecay {
  /**
   * Length of the decay in optimizer steps (or epochs, see {@link #unit()}) ({@code T_max}); at
   * least 1, or {@link Steps#AUTO} (the default): the rest of the run.
   */
  int steps() default Steps.AUTO;

  /** The rate reached at {@code steps} ({@code eta_min}); at least 0 and below the base rate. */
  double minimum() default 0.0;

  /**
   * Whether the rate follows the cosine back up after {@code steps} (PyTorch's {@code
   * CosineAnnealingLR}); default false: it holds at {@code minimum} (Keras, Optax).
   */
  boolean periodic() default false;

  /** What {@code t} and {@link #steps()} count; default {@link ScheduleUnit#STEP}. */
  ScheduleUnit unit() default ScheduleUnit.STEP;
}
