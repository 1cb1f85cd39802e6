package dev.kiln.runtime.ops;

import dev.kiln.runtime.tensor.Tensor;
import java.nio.FloatBuffer;

/**
 * 2-d average pooling with PyTorch's {@code nn.AvgPool2d} defaults on {@code [n, C, H, W]}
 * activations: {@code count_include_pad=True}, so padding counts as zeros and every window is
 * divided by {@code kh·kw}, also at the borders ({@code ceil_mode=False}, no {@code
 * divisor_override}). Keras's {@code AveragePooling2D(padding="same")} divides by the window's
 * elements inside the input instead: its results differ at the borders. Output {@code [n, C,
 * outH, outW]} with {@code outH = floor((H + 2·ph - kh)/sh) + 1}.
 *
 * <p>Window sums are accumulated in double and rounded once. Instances hold only the geometry:
 * immutable, shareable between threads, nothing allocated per call.
 */
public final class AvgPool2d {
  private static final String KIND = "avgPool2d";

  private final Window2d g;
  private final int[] colStart;
  private final int[] colEnd;
  private final int[] rowStart;
  private final int[] rowEnd;
  private final double divisor;

  /**
   * @param channels {@code C}
   * @param height input height {@code H}
   * @param width input width {@code W}
   * @param kernelH window height {@code kh}
   * @param kernelW window width {@code kw}
   * @param strideH vertical stride (PyTorch's default is the kernel size; give it explicitly)
   * @param strideW horizontal stride
   * @param padH zero padding above and below, at most {@code kh/2}
   * @param padW zero padding left and right, at most {@code kw/2}
   * @throws IllegalArgumentException for sizes below 1, padding over half the kernel, or a
   *     window larger than the padded input
   */
  public AvgPool2d(int channels, int height, int width, int kernelH, int kernelW, int strideH,
      int strideW, int padH, int padW) {
    this.g = new Window2d(KIND, channels, height, width, kernelH, kernelW, strideH, strideW, padH,
        padW);
    g.requireHalfKernelPadding(KIND);
    this.rowStart = new int[g.outH];
    this.rowEnd = new int[g.outH];
    this.colStart = new int[g.outW];
    this.colEnd = new int[g.outW];
    MaxPool2d.windows(g.outH, g.strideH, g.padH, g.kernelH, g.height, rowStart, rowEnd);
    MaxPool2d.windows(g.outW, g.strideW, g.padW, g.kernelW, g.width, colStart, colEnd);
    this.divisor = (double) kernelH * kernelW;
  }

  /** Output height {@code floor((H + 2·ph - kh)/sh) + 1}. */
  public int outHeight() {
    return g.outH;
  }

  /** Output width {@code floor((W + 2·pw - kw)/sw) + 1}. */
  public int outWidth() {
    return g.outW;
  }

  /**
   * {@code y = avgpool(x)} for the first {@code n} samples.
   *
   * @param x input {@code [batch, C, H, W]}
   * @param y output {@code [batch, C, outH, outW]}, overwritten; apart from {@code x}
   * @throws IllegalArgumentException for {@code n < 1}, a tensor smaller than its shape, or
   *     {@code y} overlapping {@code x}, before anything is written
   */
  public void forward(Tensor x, int n, Tensor y) {
    Checks.batch(KIND, n);
    Checks.require(KIND, "x", x, g.inElements(n));
    Checks.require(KIND, "y", y, g.outElements(n));
    Checks.apart(KIND, "y", y, g.outElements(n), "x", x, g.inElements(n));
    FloatBuffer xb = x.data();
    FloatBuffer yb = y.data();
    int width = g.width;
    int planes = n * g.channels;
    int o = 0;
    for (int p = 0; p < planes; p++) {
      int base = p * g.inPlane;
      for (int oh = 0; oh < g.outH; oh++) {
        int h0 = rowStart[oh];
        int h1 = rowEnd[oh];
        for (int ow = 0; ow < g.outW; ow++, o++) {
          int w0 = colStart[ow];
          int w1 = colEnd[ow];
          double sum = 0;
          for (int ih = h0; ih < h1; ih++) {
            for (int i = base + ih * width + w0, end = base + ih * width + w1; i < end; i++) {
              sum += xb.get(i);
            }
          }
          yb.put(o, (float) (sum / divisor));
        }
      }
    }
  }

  /**
   * {@code dx}: each output gradient divided by {@code kh·kw} and added to every input element of
   * its window (padding positions get nothing).
   *
   * @param dy gradient with respect to {@code y}, {@code [batch, C, outH, outW]}
   * @param dx output {@code [batch, C, H, W]}, overwritten; apart from {@code dy}
   * @throws IllegalArgumentException for {@code n < 1}, a tensor smaller than its shape, or
   *     overlapping tensors, before anything is written
   */
  public void backward(Tensor dy, int n, Tensor dx) {
    String kernel = KIND + "Backward";
    Checks.batch(kernel, n);
    Checks.require(kernel, "dy", dy, g.outElements(n));
    Checks.require(kernel, "dx", dx, g.inElements(n));
    Checks.apart(kernel, "dx", dx, g.inElements(n), "dy", dy, g.outElements(n));
    FloatBuffer dyb = dy.data();
    FloatBuffer dxb = dx.data();
    MaxPool2d.zero(dxb, 0, (int) g.inElements(n));
    int width = g.width;
    int planes = n * g.channels;
    int o = 0;
    for (int p = 0; p < planes; p++) {
      int base = p * g.inPlane;
      for (int oh = 0; oh < g.outH; oh++) {
        int h0 = rowStart[oh];
        int h1 = rowEnd[oh];
        for (int ow = 0; ow < g.outW; ow++, o++) {
          int w0 = colStart[ow];
          int w1 = colEnd[ow];
          float d = (float) (dyb.get(o) / divisor);
          for (int ih = h0; ih < h1; ih++) {
            for (int i = base + ih * width + w0, end = base + ih * width + w1; i < end; i++) {
              dxb.put(i, dxb.get(i) + d);
            }
          }
        }
      }
    }
  }
}
