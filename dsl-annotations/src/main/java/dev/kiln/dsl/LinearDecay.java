package dev.kiln.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Linear interpolation of a factor of the base rate: {@code lr(t) = lr0·(s + (e - s)·min(t,
 * steps)/steps)} with {@code s = startFactor}, {@code e = endFactor}; it holds at {@code lr0·e}
 * after {@code steps}. PyTorch's {@code LinearLR(start_factor, end_factor, total_iters)} (whose
 * defaults 1/3 → 1 over 5 steps are a warm-up; Kiln's defaults decay to 0 over the run, as Hugging
 * Face's linear schedule); Optax's {@code linear_schedule(lr0·s, lr0·e, steps)}.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface LinearDecay {
  /** The factor of {@code lr0} at step 0; finite, at least 0; default 1. */
  double startFactor() default 1.0;

  /** The factor of {@code lr0} from {@code steps} on; finite, at least 0; default 0. */
  double endFactor() default 0.0;

  /**
   * Length in steps (or epochs) of the interpolation ({@code total_iters}); at least 1, or {@link
   * Steps#AUTO} (the default): the rest of the run.
   */
  int steps() default Steps.AUTO;

  /** What {@code t} and {@link #steps()} count; default {@link ScheduleUnit#STEP}. */
  ScheduleUnit unit() default ScheduleUnit.STEP;
}
