package dev.kiln.runtime.ops;

import dev.kiln.runtime.tensor.Tensor;
import java.nio.FloatBuffer;

/**
 * 2-d max pooling with PyTorch's {@code nn.MaxPool2d} semantics (no dilation, {@code
 * ceil_mode=False}) on {@code [n, C, H, W]} activations: each output element is the maximum of
 * its {@code kh×kw} window, padding counting as -infinity; output {@code [n, C, outH, outW]} with
 * {@code outH = floor((H + 2·ph - kh)/sh) + 1}. Ties go to the <b>first</b> maximal element in
 * row-major order of the window, and a NaN wins over any number (a later NaN over an earlier
 * one), as in PyTorch's CPU kernel ({@code aten/src/ATen/native/cpu/MaxPoolKernel.cpp}).
 *
 * <p>The forward pass records, per output element, the index {@code ih·W + iw} within its input
 * plane of the element it took ({@code argmax}, an {@code int[]} the caller allocates once);
 * the backward pass sends each output gradient there, adding where windows overlap. Instances
 * hold only the geometry: immutable, shareable between threads, nothing allocated per call.
 */
public final class MaxPool2d {
  private static final String KIND = "maxPool2d";

  private final Window2d g;
  // Per output column: the first input column of its window inside the input, and one past
  // the last; per output row likewise. Computed once so that the loops test no index.
  private final int[] colStart;
  private final int[] colEnd;
  private final int[] rowStart;
  private final int[] rowEnd;

  /**
   * @param channels {@code C}
   * @param height input height {@code H}
   * @param width input width {@code W}
   * @param kernelH window height {@code kh}
   * @param kernelW window width {@code kw}
   * @param strideH vertical stride (PyTorch's default is the kernel size; give it explicitly)
   * @param strideW horizontal stride
   * @param padH -infinity padding above and below, at most {@code kh/2}
   * @param padW -infinity padding left and right, at most {@code kw/2}
   * @throws IllegalArgumentException for sizes below 1, padding over half the kernel, or a
   *     window larger than the padded input
   */
  public MaxPool2d(int channels, int height, int width, int kernelH, int kernelW, int strideH,
      int strideW, int padH, int padW) {
    this.g = new Window2d(KIND, channels, height, width, kernelH, kernelW, strideH, strideW, padH,
        padW);
    g.requireHalfKernelPadding(KIND);
    this.rowStart = new int[g.outH];
    this.rowEnd = new int[g.outH];
    this.colStart = new int[g.outW];
    this.colEnd = new int[g.outW];
    windows(g.outH, g.strideH, g.padH, g.kernelH, g.height, rowStart, rowEnd);
    windows(g.outW, g.strideW, g.padW, g.kernelW, g.width, colStart, colEnd);
  }

  /** The window of each output index along one axis, clipped to the input. */
  static void windows(int out, int stride, int pad, int kernel, int in, int[] start, int[] end) {
    for (int o = 0; o < out; o++) {
      int s = o * stride - pad;
      start[o] = Math.max(s, 0);
      end[o] = Math.min(s + kernel, in);
    }
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
   * {@code y = maxpool(x)} for the first {@code n} samples, recording where each maximum was.
   *
   * @param x input {@code [batch, C, H, W]}
   * @param y output {@code [batch, C, outH, outW]}, overwritten; apart from {@code x}
   * @param argmax output, at least {@code n·C·outH·outW} entries: per output element the index
   *     {@code ih·W + iw} within its input plane of the element taken; for {@link #backward}
   * @throws IllegalArgumentException for {@code n < 1}, a buffer smaller than its shape, or
   *     {@code y} overlapping {@code x}, before anything is written
   */
  public void forward(Tensor x, int n, Tensor y, int[] argmax) {
    Checks.batch(KIND, n);
    Checks.require(KIND, "x", x, g.inElements(n));
    Checks.require(KIND, "y", y, g.outElements(n));
    Checks.require(KIND, "argmax", argmax, g.outElements(n));
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
          int best = h0 * width + w0;
          float max = Float.NEGATIVE_INFINITY;
          for (int ih = h0; ih < h1; ih++) {
            for (int index = ih * width + w0, end = ih * width + w1; index < end; index++) {
              float v = xb.get(base + index);
              if (v > max || v != v) { // strictly greater: the first maximum stays; NaN wins
                max = v;
                best = index;
              }
            }
          }
          yb.put(o, max);
          argmax[o] = best;
        }
      }
    }
  }

  /**
   * {@code dx}: each output gradient added at the input element its forward pass took.
   *
   * @param dy gradient with respect to {@code y}, {@code [batch, C, outH, outW]}
   * @param argmax as written by {@link #forward} for the same {@code n}
   * @param dx output {@code [batch, C, H, W]}, overwritten; apart from {@code dy}
   * @throws IllegalArgumentException for {@code n < 1}, a buffer smaller than its shape,
   *     overlapping tensors, or an index outside its plane, before anything is written
   */
  public void backward(Tensor dy, int n, int[] argmax, Tensor dx) {
    String kernel = KIND + "Backward";
    Checks.batch(kernel, n);
    Checks.require(kernel, "dy", dy, g.outElements(n));
    Checks.require(kernel, "argmax", argmax, g.outElements(n));
    Checks.require(kernel, "dx", dx, g.inElements(n));
    Checks.apart(kernel, "dx", dx, g.inElements(n), "dy", dy, g.outElements(n));
    int inPlane = g.inPlane;
    int outPlane = g.outPlane;
    int outputs = (int) g.outElements(n);
    for (int o = 0; o < outputs; o++) {
      if (argmax[o] < 0 || argmax[o] >= inPlane) {
        throw new IllegalArgumentException(kernel + ": argmax[" + o + "] = " + argmax[o]
            + " outside a plane of " + inPlane + " elements");
      }
    }
    FloatBuffer dyb = dy.data();
    FloatBuffer dxb = dx.data();
    Im2col.zero(dxb, 0, (int) g.inElements(n));
    int planes = n * g.channels;
    for (int p = 0, o = 0; p < planes; p++) {
      int base = p * inPlane;
      for (int end = o + outPlane; o < end; o++) {
        int i = base + argmax[o];
        dxb.put(i, dxb.get(i) + dyb.get(o));
      }
    }
  }
}
