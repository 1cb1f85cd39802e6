package dev.kiln.runtime.ops;

import dev.kiln.runtime.tensor.Tensor;
import java.nio.FloatBuffer;

/**
 * Global average pooling {@code [n, C, H, W] -> [n, C]}: the mean of each channel's plane, as
 * PyTorch's {@code nn.AdaptiveAvgPool2d(1)} followed by {@code torch.flatten(x, 1)}. Sums are
 * accumulated in double and rounded once. Allocates nothing.
 */
public final class GlobalAvgPool {
  private static final String KIND = "globalAvgPool";

  private GlobalAvgPool() {}

  /**
   * {@code y[s, c] = mean(x[s, c, ·, ·])} for the first {@code n} samples.
   *
   * @param x input {@code [batch, C, H, W]}
   * @param y output {@code [batch, C]}, overwritten; apart from {@code x}
   * @throws IllegalArgumentException for a size below 1, a tensor smaller than its shape, or
   *     {@code y} overlapping {@code x}, before anything is written
   */
  public static void forward(Tensor x, int n, int channels, int height, int width, Tensor y) {
    int plane = check(KIND, n, channels, height, width);
    long planes = (long) n * channels;
    Checks.require(KIND, "x", x, planes * plane);
    Checks.require(KIND, "y", y, planes);
    Checks.apart(KIND, "y", y, planes, "x", x, planes * plane);
    FloatBuffer xb = x.data();
    FloatBuffer yb = y.data();
    for (int p = 0; p < planes; p++) {
      double sum = 0;
      for (int i = p * plane, end = i + plane; i < end; i++) {
        sum += xb.get(i);
      }
      yb.put(p, (float) (sum / plane));
    }
  }

  /**
   * {@code dx[s, c, h, w] = dy[s, c] / (H·W)}.
   *
   * @param dy gradient with respect to {@code y}, {@code [batch, C]}
   * @param dx output {@code [batch, C, H, W]}, overwritten; apart from {@code dy}
   * @throws IllegalArgumentException as {@link #forward}
   */
  public static void backward(Tensor dy, int n, int channels, int height, int width, Tensor dx) {
    String kernel = KIND + "Backward";
    int plane = check(kernel, n, channels, height, width);
    long planes = (long) n * channels;
    Checks.require(kernel, "dy", dy, planes);
    Checks.require(kernel, "dx", dx, planes * plane);
    Checks.apart(kernel, "dx", dx, planes * plane, "dy", dy, planes);
    FloatBuffer dyb = dy.data();
    FloatBuffer dxb = dx.data();
    for (int p = 0; p < planes; p++) {
      float d = (float) (dyb.get(p) / (double) plane);
      for (int i = p * plane, end = i + plane; i < end; i++) {
        dxb.put(i, d);
      }
    }
  }

  /** Checks the sizes; returns {@code H·W}. */
  private static int check(String kernel, int n, int channels, int height, int width) {
    Checks.batch(kernel, n);
    if (channels < 1 || height < 1 || width < 1) {
      throw new IllegalArgumentException(kernel + ": expected channels, height and width >= 1, "
          + "got " + channels + ", " + height + ", " + width);
    }
    if ((long) n * channels * height * width > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(kernel + ": [" + n + ", " + channels + ", " + height
          + ", " + width + "] has more than 2^31 - 1 elements");
    }
    return height * width;
  }
}
