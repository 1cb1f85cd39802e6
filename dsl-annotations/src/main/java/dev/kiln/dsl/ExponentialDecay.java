package dev.kiln.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Exponential decay: {@code lr(t) = lr0·gamma^t}, evaluated as a closed form at every step (no
 * product accumulated step by step). PyTorch's {@code ExponentialLR(gamma)}; Keras's {@code
 * ExponentialDecay(lr0, decay_steps=1, decay_rate=gamma)}; Optax's {@code exponential_decay(lr0, 1,
 * gamma)}. (Some texts call a growing {@code lr0·(1 + t/T)^p} "exponential"; Kiln does not.)
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface ExponentialDecay {
  /** The factor per step (or epoch), in (0, 1]. */
  double gamma();

  /** What {@code t} counts; default {@link ScheduleUnit#STEP}. */
  ScheduleUnit unit() default ScheduleUnit.STEP;
}
