package dev.kiln.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A warm-up before the schedule: for {@code t < steps} the rate rises from {@code startFactor·lr0}
 * to {@code lr0} ({@link WarmupShape#LINEAR}: {@code lr0·(s + (1 - s)·t/steps)}) or stays at {@code
 * startFactor·lr0} ({@link WarmupShape#CONSTANT}); from {@code t = steps} on, the decay schedule
 * beside it (or the constant {@code lr0} when there is none) runs with its own {@code t} counted
 * from the end of the warm-up, so it starts at {@code lr0}. Exactly PyTorch's {@code
 * SequentialLR([LinearLR(start_factor=s, total_iters=steps), decay], milestones=[steps])}; Hugging
 * Face's {@code get_*_schedule_with_warmup} with {@code startFactor = 0}. A decay whose length is
 * {@link Steps#AUTO} then lasts the rest of the run after the warm-up.
 *
 * <p>Not combined with {@link OneCycle}. With {@link ReduceOnPlateau}, epochs that end inside the
 * warm-up are not counted.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface Warmup {
  /** Length of the warm-up in steps (or epochs, see {@link #unit()}); at least 1. */
  int steps();

  /** The factor of {@code lr0} at step 0, in [0, 1]; default 0 (Hugging Face's warm-up). */
  double startFactor() default 0.0;

  /** Linear ramp (default) or a constant factor. */
  WarmupShape shape() default WarmupShape.LINEAR;

  /** What {@link #steps()} counts; default {@link ScheduleUnit#STEP}. */
  ScheduleUnit unit() default ScheduleUnit.STEP;
}
