package dev.kiln.runtime.ops;

/**
 * The geometry of a sliding 2-d window over {@code [n, C, H, W]} activations: kernel, stride and
 * zero (or, for max pooling, -infinity) padding per axis, and the output size {@code
 * floor((in + 2·padding - kernel) / stride) + 1} of PyTorch's {@code Conv2d}, {@code MaxPool2d}
 * and {@code AvgPool2d} (no dilation, {@code ceil_mode=False}). Immutable; checked on
 * construction.
 */
final class Window2d {
  final int channels;
  final int height;
  final int width;
  final int kernelH;
  final int kernelW;
  final int strideH;
  final int strideW;
  final int padH;
  final int padW;
  final int outH;
  final int outW;
  /** {@code H·W}: the elements of one input plane. */
  final int inPlane;
  /** {@code outH·outW}: the elements of one output plane. */
  final int outPlane;

  /**
   * @throws IllegalArgumentException for sizes or kernels below 1, strides below 1, negative
   *     padding, or a kernel larger than the padded input (an output size below 1), naming the
   *     layer {@code kind}
   */
  Window2d(String kind, int channels, int height, int width, int kernelH, int kernelW,
      int strideH, int strideW, int padH, int padW) {
    if (channels < 1 || height < 1 || width < 1) {
      throw new IllegalArgumentException(kind + ": expected channels, height and width >= 1, got "
          + channels + ", " + height + ", " + width);
    }
    if (kernelH < 1 || kernelW < 1 || strideH < 1 || strideW < 1) {
      throw new IllegalArgumentException(kind + ": expected kernel and stride >= 1, got kernel ["
          + kernelH + ", " + kernelW + "], stride [" + strideH + ", " + strideW + "]");
    }
    if (padH < 0 || padW < 0) {
      throw new IllegalArgumentException(kind + ": expected padding >= 0, got [" + padH + ", "
          + padW + "]");
    }
    if (kernelH > height + 2L * padH || kernelW > width + 2L * padW) {
      throw new IllegalArgumentException(kind + ": kernel [" + kernelH + ", " + kernelW
          + "] larger than the padded input [" + (height + 2L * padH) + ", "
          + (width + 2L * padW) + "]");
    }
    if ((long) channels * height * width > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(kind + ": a sample of [" + channels + ", " + height
          + ", " + width + "] has more than 2^31 - 1 elements");
    }
    this.channels = channels;
    this.height = height;
    this.width = width;
    this.kernelH = kernelH;
    this.kernelW = kernelW;
    this.strideH = strideH;
    this.strideW = strideW;
    this.padH = padH;
    this.padW = padW;
    this.outH = (height + 2 * padH - kernelH) / strideH + 1;
    this.outW = (width + 2 * padW - kernelW) / strideW + 1;
    this.inPlane = height * width;
    this.outPlane = outH * outW;
  }

  /** PyTorch's rule for pooling: padding at most half the kernel, so no window is all padding. */
  void requireHalfKernelPadding(String kind) {
    if (2 * padH > kernelH || 2 * padW > kernelW) {
      throw new IllegalArgumentException(kind + ": padding [" + padH + ", " + padW
          + "] must be at most half the kernel [" + kernelH + ", " + kernelW + "] (as PyTorch)");
    }
  }

  /** The first output column whose window's column {@code kj} lies inside the input. */
  int firstValidColumn(int kj) {
    int lo = -Math.floorDiv(kj - padW, strideW); // ceil((padW - kj) / strideW)
    return Math.max(0, Math.min(outW, lo));
  }

  /** One past the last output column whose window's column {@code kj} lies inside the input. */
  int endValidColumn(int kj) {
    int hi = Math.floorDiv(width - 1 + padW - kj, strideW) + 1;
    return Math.max(firstValidColumn(kj), Math.min(outW, hi));
  }

  /** {@code [n, C, H, W]} elements. */
  long inElements(int n) {
    return (long) n * channels * inPlane;
  }

  /** {@code [n, C, outH, outW]} elements. */
  long outElements(int n) {
    return (long) n * channels * outPlane;
  }
}
