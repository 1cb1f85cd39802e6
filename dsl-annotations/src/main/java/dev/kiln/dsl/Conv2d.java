package dev.kiln.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A 2-d convolution over images {@code [C, H, W]}: {@code filters} kernels {@code [C, kh, kw]}
 * slide over the zero-padded input with the given stride; output {@code [filters, outH, outW]}
 * with {@code outH = floor((H + 2·padH - kh)/strideH) + 1} (likewise {@code outW}). A
 * cross-correlation, as every deep-learning library computes it (no kernel flip).
 *
 * <p>The weight is {@code [filters, C, kh, kw]} (PyTorch's layout, shown as such by {@code
 * parameters()}), the bias {@code [filters]}. It counts as a "weight" for {@code @L1}, {@code
 * @L2}, {@code @WeightDecay} and clipping scopes; the bias does not.
 *
 * <p>{@code kernel}, {@code stride} and {@code padding} take one value for both axes or two,
 * {@code {height, width}}: {@code @Conv2d(filters = 32, kernel = 3, padding = 1)}, {@code
 * @Conv2d(filters = 16, kernel = {3, 5}, stride = {1, 2})}.
 *
 * <p>PyTorch: {@code nn.Conv2d(C, filters, kernel, stride, padding, bias=bias)}; Keras: {@code
 * Conv2D(filters, kernel_size, strides, padding, use_bias)} (Keras's {@code "valid"} is {@code
 * padding = 0}, its {@code "same"} is {@code paddingMode = Padding.SAME}); DL4J: {@code
 * ConvolutionLayer}.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.FIELD)
public @interface Conv2d {
  /** Output channels (the number of kernels); at least 1. */
  int filters();

  /** Kernel size: one value, or {@code {kh, kw}}; each at least 1. */
  int[] kernel();

  /** Stride: one value, or {@code {sh, sw}}; each at least 1. Default 1. */
  int[] stride() default 1;

  /**
   * Zero padding on each side: one value, or {@code {ph, pw}}; each at least 0 and below the
   * kernel size. Default 0. Ignored (and must be left out) with {@code paddingMode = SAME}.
   */
  int[] padding() default 0;

  /** {@link Padding#EXPLICIT} ({@code padding} as given, the default) or {@link Padding#SAME}. */
  Padding paddingMode() default Padding.EXPLICIT;

  /** Whether the layer adds a bias {@code [filters]}. Default true. */
  boolean bias() default true;

  /**
   * How the weight is initialised (fan-in {@code C·kh·kw}, fan-out {@code filters·kh·kw}, as
   * PyTorch computes them); the bias starts at zero. Default {@link Init#AUTO}.
   */
  Init init() default Init.AUTO;
}
