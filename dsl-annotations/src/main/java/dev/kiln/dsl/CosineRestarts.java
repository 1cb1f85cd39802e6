package dev.kiln.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Cosine annealing with warm restarts, SGDR (Loshchilov and Hutter, 2017): cycle {@code k} lasts
 * {@code T_k = firstCycle·cycleMultiplier^k} steps; within it, with {@code T_cur} the steps since
 * the cycle began, {@code lr = minimum + (lr0 - minimum)·(1 + cos(π·T_cur/T_k))/2}, and the rate
 * jumps back to {@code lr0} at each restart. PyTorch's {@code CosineAnnealingWarmRestarts(T_0,
 * T_mult, eta_min)}; Keras's {@code CosineDecayRestarts(lr0, first_decay_steps, t_mul, m_mul=1,
 * alpha=minimum/lr0)}; Optax's {@code sgdr_schedule} with equal cycles.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface CosineRestarts {
  /** Length of the first cycle in steps (or epochs) ({@code T_0}); at least 1. */
  int firstCycle();

  /** Growth of each cycle's length ({@code T_mult}); an integer, at least 1; default 1. */
  int cycleMultiplier() default 1;

  /** The rate at the end of each cycle ({@code eta_min}); at least 0 and below the base rate. */
  double minimum() default 0.0;

  /** What {@code t} and the cycle lengths count; default {@link ScheduleUnit#STEP}. */
  ScheduleUnit unit() default ScheduleUnit.STEP;
}
