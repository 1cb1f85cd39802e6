package dev.kiln.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Decay at milestones: {@code lr(t) = lr0·gamma^k}, {@code k} the number of milestones {@code m ≤
 * t}. PyTorch's {@code MultiStepLR(milestones, gamma)}; Keras's and Optax's {@code
 * PiecewiseConstantDecay} / {@code piecewise_constant_schedule} with the boundaries and the rates
 * {@code lr0·gamma^k}. After a {@link Warmup}, {@code t} counts from the end of the warm-up.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface MultiStepDecay {
  /**
   * The steps (or epochs) at which the rate is multiplied by {@code gamma}: each at least 1,
   * strictly increasing.
   */
  int[] milestones();

  /** The factor applied at each milestone, in (0, 1]; default 0.1 (as PyTorch). */
  double gamma() default 0.1;

  /** What {@code t} and the milestones count; default {@link ScheduleUnit#STEP}. */
  ScheduleUnit unit() default ScheduleUnit.STEP;
}
