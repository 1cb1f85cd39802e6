package dev.kiln.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Clamps every gradient element to {@code [-clipValue, clipValue]}, after backward and before
 * regularization. Exactly PyTorch's {@code torch.nn.utils.clip_grad_value_(parameters,
 * clipValue)} (a NaN stays NaN, ±infinity becomes ±clipValue); Keras's {@code clipvalue}; DL4J's
 * {@code GradientNormalization.ClipElementWiseAbsoluteValue} with {@code
 * gradientNormalizationThreshold(clipValue)}. Not together with {@link ClipGradNorm}.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface ClipGradValue {
  /** The largest allowed magnitude of a gradient element; positive and finite. */
  double value();

  /**
   * What a step does with a NaN or infinite gradient; default {@link NonFinitePolicy#ERROR}. Write
   * it here or on {@link TrainingConfig#onNonFinite()}, not both.
   */
  NonFinitePolicy onNonFinite() default NonFinitePolicy.ERROR;
}
