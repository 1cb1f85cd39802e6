package dev.kiln.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Lowers the rate when the validation loss stops improving, exactly as PyTorch's {@code
 * ReduceLROnPlateau(mode, factor, patience, threshold, threshold_mode, cooldown, min_lr, eps=1e-8)}
 * stepped once per epoch with the validation loss; Keras's {@code ReduceLROnPlateau} callback
 * ({@code min_delta} is an {@link ThresholdMode#ABSOLUTE} threshold).
 *
 * <p>After each epoch {@code fit} passes the validation loss to the trainer's {@code endEpoch}: a
 * value better than the best so far (see {@link ThresholdMode}) resets the count of bad epochs;
 * otherwise the count grows, and when it exceeds {@code patience} the rate becomes {@code
 * max(rate·factor, minimum)} (unchanged if that lowers it by 1e-8 or less) and {@code cooldown}
 * epochs follow in which bad epochs are not counted. An epoch without validation data (NaN) changes
 * nothing, as Keras skips a missing metric. The rate starts at the optimizer's {@code lr0}.
 *
 * <p>Its state (rate, best value, counters) is a few numbers, exported for checkpoints by the
 * runtime schedule's {@code state()}.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface ReduceOnPlateau {
  /** The factor applied on a plateau, in (0, 1); default 0.1. */
  double factor() default 0.1;

  /** Epochs without improvement tolerated before the rate is lowered; at least 0; default 10. */
  int patience() default 10;

  /** The least improvement that counts, at least 0 and finite; default 1e-4. */
  double threshold() default 1e-4;

  /** Relative (default) or absolute threshold. */
  ThresholdMode thresholdMode() default ThresholdMode.RELATIVE;

  /** Epochs after a reduction during which bad epochs are not counted; at least 0; default 0. */
  int cooldown() default 0;

  /** The lowest rate ({@code min_lr}); at least 0 and below the base rate; default 0. */
  double minimum() default 0.0;

  /** Whether the monitored value should fall ({@code MIN}, the default, for a loss) or rise. */
  PlateauMode mode() default PlateauMode.MIN;
}
