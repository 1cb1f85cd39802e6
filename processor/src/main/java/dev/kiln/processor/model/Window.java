package dev.kiln.processor.model;

/**
 * The geometry of a sliding window over images {@code [C, H, W]} (a convolution kernel or a
 * pooling window), checked: kernel and stride at least 1, padding at least 0 on each side. Each
 * spatial output size is {@code floor((in + 2·padding - kernel)/stride) + 1}, as PyTorch's {@code
 * Conv2d}, {@code MaxPool2d} and {@code AvgPool2d} compute it.
 *
 * @param kernelH window height
 * @param kernelW window width
 * @param strideH vertical stride
 * @param strideW horizontal stride
 * @param padH padding above and below
 * @param padW padding left and right
 */
public record Window(int kernelH, int kernelW, int strideH, int strideW, int padH, int padW) {
  /** The output size of one axis. */
  public static int outSize(int in, int kernel, int stride, int pad) {
    return Math.floorDiv(in + 2 * pad - kernel, stride) + 1;
  }

  /** The output height for an input {@code [C, H, W]}. */
  public int outHeight(Shape input) {
    return outSize(input.dim(1), kernelH, strideH, padH);
  }

  /** The output width for an input {@code [C, H, W]}. */
  public int outWidth(Shape input) {
    return outSize(input.dim(2), kernelW, strideW, padW);
  }

  /** {@code 3x3}, then {@code , stride 2} and {@code , pad 1} where they apply. */
  public String describe(boolean strideIsKernel) {
    StringBuilder b = new StringBuilder().append(kernelH).append('x').append(kernelW);
    boolean defaultStride = strideIsKernel ? strideH == kernelH && strideW == kernelW
        : strideH == 1 && strideW == 1;
    if (!defaultStride) {
      b.append(", stride ").append(pair(strideH, strideW));
    }
    if (padH != 0 || padW != 0) {
      b.append(", pad ").append(pair(padH, padW));
    }
    return b.toString();
  }

  private static String pair(int h, int w) {
    return h == w ? Integer.toString(h) : h + "x" + w;
  }

  /** The geometry as fingerprint settings, {@code kernel=3x3}, {@code stride=1x1}, {@code padding=1x1}. */
  void settings(java.util.Map<String, String> s) {
    s.put("kernel", kernelH + "x" + kernelW);
    s.put("stride", strideH + "x" + strideW);
    s.put("padding", padH + "x" + padW);
  }
}
