package dev.kiln.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Step decay: the rate is multiplied by {@code gamma} every {@code stepSize} steps, {@code lr(t) =
 * lr0·gamma^floor(t/stepSize)}. PyTorch's {@code StepLR(step_size, gamma)}; Keras's {@code
 * ExponentialDecay(lr0, decay_steps=stepSize, decay_rate=gamma, staircase=True)}; Optax's {@code
 * exponential_decay(lr0, stepSize, gamma, staircase=True)}. After a {@link Warmup}, {@code t}
 * counts from the end of the warm-up.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface StepDecay {
  /** Steps (or epochs, see {@link #unit()}) between two decays ({@code step_size}); at least 1. */
  int stepSize();

  /** The factor applied at each decay, in (0, 1]; default 0.1 (as PyTorch). */
  double gamma() default 0.1;

  /** What {@code t} and {@link #stepSize()} count; default {@link ScheduleUnit#STEP}. */
  ScheduleUnit unit() default ScheduleUnit.STEP;
}
