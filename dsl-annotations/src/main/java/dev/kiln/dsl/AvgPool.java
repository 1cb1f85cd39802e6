package dev.kiln.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Average pooling over images {@code [C, H, W]}: each output element is the mean of its {@code
 * size} window; output {@code [C, outH, outW]} with {@code outH = floor((H + 2·padH - kh)/strideH)
 * + 1}. The padded zeros count in the divisor: every window divides by {@code kh·kw} (PyTorch's
 * {@code nn.AvgPool2d} default {@code count_include_pad=True}; Keras's {@code "same"} pooling
 * divides by the real elements only). Applies after the layer's core, batch norm and activation,
 * before its dropout.
 *
 * <p>PyTorch: {@code nn.AvgPool2d(size, stride, padding)}; Keras: {@code
 * AveragePooling2D(pool_size, strides)}; DL4J: {@code SubsamplingLayer(PoolingType.AVG)}.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.FIELD)
public @interface AvgPool {
  /** Window size: one value, or {@code {kh, kw}}; each at least 1. */
  int[] size();

  /** Stride: one value, or {@code {sh, sw}}; each at least 1. Default (empty): the window size. */
  int[] stride() default {};

  /**
   * Zero padding on each side: one value, or {@code {ph, pw}}; each at least 0 and at most half the
   * window (PyTorch's rule). Default 0.
   */
  int[] padding() default 0;
}
