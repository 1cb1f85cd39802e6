package dev.kiln.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares a feed-forward network. Its layers are the fields of type {@link Layer}, in declaration
 * order; the last layer's output is the logits (or predictions) the loss is applied to.
 *
 * <p>Kiln generates {@code <Name>Network} in the same package, with {@code initialize(seed)},
 * {@code parameters()} and {@code predict(features)}.
 *
 * <p>PyTorch equivalent: an {@code nn.Sequential}; Keras: a {@code Sequential} model whose first
 * layer has {@code input_shape=(inputs,)} (for images Keras's {@code (H, W, C)} is Kiln's
 * {@code {C, H, W}}).
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface Model {
  /**
   * The shape of one sample: one value for a feature vector ({@code inputs = 784}: features arrive
   * as {@code [batch, 784]}), or three for images {@code {channels, height, width}} ({@code inputs
   * = {1, 28, 28}}: features arrive as {@code [batch, 1, 28, 28]} or, in the same order, {@code
   * [batch, 784]}; PyTorch's NCHW). Every value at least 1. Left out for a token model, which
   * gives {@link #vocabulary} and {@link #context}.
   */
  int[] inputs() default {};

  /**
   * A token model's vocabulary {@code V}: features are token ids {@code [n, T]} (whole numbers in
   * {@code [0, V)}), targets the next-token ids {@code [n, T]}; 0 for a feature model.
   */
  int vocabulary() default 0;

  /** A token model's context {@code T}, the longest sequence a step takes; 0 for a feature model. */
  int context() default 0;
}
