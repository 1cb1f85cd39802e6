package dev.kiln.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Max pooling over images {@code [C, H, W]}: each output element is the largest of its {@code
 * size} window, the input padded with -infinity; output {@code [C, outH, outW]} with {@code outH =
 * floor((H + 2·padH - kh)/strideH) + 1}. In backward the whole gradient of a window goes to its
 * first maximum in row-major order (as PyTorch). Applies after the layer's core, batch norm and
 * activation, before its dropout.
 *
 * <p>PyTorch: {@code nn.MaxPool2d(size, stride, padding)}; Keras: {@code MaxPooling2D(pool_size,
 * strides)}; DL4J: {@code SubsamplingLayer(PoolingType.MAX)}.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.FIELD)
public @interface MaxPool {
  /** Window size: one value, or {@code {kh, kw}}; each at least 1. */
  int[] size();

  /** Stride: one value, or {@code {sh, sw}}; each at least 1. Default (empty): the window size. */
  int[] stride() default {};

  /**
   * Padding on each side: one value, or {@code {ph, pw}}; each at least 0 and at most half the
   * window (PyTorch's rule). Default 0.
   */
  int[] padding() default 0;
}
