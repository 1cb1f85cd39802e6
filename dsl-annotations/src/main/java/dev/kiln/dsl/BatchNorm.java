package dev.kiln.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Batch normalisation over the batch axis of {@code [batch, features]} (Ioffe and Szegedy, 2015),
 * applied after the layer's {@link Dense} part and before its {@link Activation}. Learns {@code
 * gamma} (starts at 1) and {@code beta} (starts at 0) of shape {@code [features]} and tracks
 * {@code runningMean} and {@code runningVar}.
 *
 * <p>Training normalises with the batch's biased variance and updates {@code running = (1 -
 * momentum)·running + momentum·batch}, using the unbiased variance for {@code runningVar};
 * inference normalises with the running statistics. This is exactly PyTorch's {@code
 * nn.BatchNorm1d(features, eps, momentum)}. Keras and DL4J name the other weight: their {@code
 * momentum = 0.99} (or {@code decay}) is Kiln's {@code momentum = 0.01}.
 *
 * <p>After a {@link Conv2d} (on images {@code [C, H, W]}) it normalises per channel, with
 * statistics over the batch and all {@code H·W} positions, and {@code gamma}, {@code beta} and the
 * running statistics are {@code [C]}: PyTorch's {@code nn.BatchNorm2d(C, eps, momentum)}.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.FIELD)
public @interface BatchNorm {
  /** Weight of the new batch in the running statistics, in (0, 1]. Default 0.1 (PyTorch's). */
  double momentum() default 0.1;

  /** Added to the variance before the square root; positive. Default 1e-5 (PyTorch's). */
  double epsilon() default 1e-5;
}
