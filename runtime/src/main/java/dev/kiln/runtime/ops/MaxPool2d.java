package dev.kiln.runtime.ops;

import dev.kiln.runtime.backend.Backends;
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
 * the backward pass sends each output gradient there, adding where windows overlap. 2×2 windows
 * at stride 2 without padding (the common case) run in the chosen kernels ({@link
 * Backends#kernels()}, {@code Kernels.maxPool2x2Forward}: natively cut over the threads by
 * planes, branch-free); other shapes are Java loops here. Instances hold only the geometry:
 * immutable, shareable between threads, nothing allocated per call.
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
  /** 2×2 windows at stride 2 without padding: the kernels' {@code maxPool2x2} pair applies. */
  private final boolean twoByTwo;

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
    this.twoByTwo = g.padH == 0 && g.padW == 0 && g.kernelH == 2 && g.kernelW == 2 && g.strideH == 2
        && g.strideW == 2;
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
    checkForward(KIND, x, n, y, argmax);
    pool(x, n, y, argmax, false);
  }

  /**
   * {@code y = max(0, maxpool(x))}: {@link #forward} followed by a ReLU, which is the same as
   * max pooling the ReLU of {@code x} (ReLU is monotone) in one pass over {@code x} instead of
   * three. Where a window's maximum is not positive, {@code y} is 0 and the gradient is 0
   * whichever element {@code argmax} names (PyTorch's ReLU-then-pool names the first of the
   * window's zeros; this names the largest negative).
   *
   * @throws IllegalArgumentException as {@link #forward}
   */
  public void forwardRelu(Tensor x, int n, Tensor y, int[] argmax) {
    checkForward(KIND + "Relu", x, n, y, argmax);
    pool(x, n, y, argmax, true);
  }

  private void checkForward(String kernel, Tensor x, int n, Tensor y, int[] argmax) {
    Checks.batch(kernel, n);
    Checks.require(kernel, "x", x, g.inElements(n));
    Checks.require(kernel, "y", y, g.outElements(n));
    Checks.require(kernel, "argmax", argmax, g.outElements(n));
    Checks.apart(kernel, "y", y, g.outElements(n), "x", x, g.inElements(n));
  }

  private void pool(Tensor x, int n, Tensor y, int[] argmax, boolean relu) {
    if (twoByTwo) {
      Backends.kernels().maxPool2x2Forward(x, n * g.channels, g.height, g.width, y, argmax, relu);
      return;
    }
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
          yb.put(o, relu ? Math.max(max, 0f) : max); // max(NaN, 0) is NaN, max(-0, 0) is 0
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
    checkBackward(KIND + "Backward", dy, n, argmax, dx, null);
    unpool(dy, null, n, argmax, dx);
  }

  /**
   * The backward pass of {@link #forwardRelu}: as {@link #backward}, with each output gradient
   * sent only where the output {@code y} is positive (ReLU's derivative, 0 at 0 as PyTorch).
   *
   * @param y the output of {@link #forwardRelu}, {@code [batch, C, outH, outW]}
   * @throws IllegalArgumentException as {@link #backward}, or for {@code y} smaller than its
   *     shape
   */
  public void backwardRelu(Tensor dy, Tensor y, int n, int[] argmax, Tensor dx) {
    checkBackward(KIND + "ReluBackward", dy, n, argmax, dx, y);
    unpool(dy, y, n, argmax, dx);
  }

  private void checkBackward(String kernel, Tensor dy, int n, int[] argmax, Tensor dx, Tensor y) {
    Checks.batch(kernel, n);
    Checks.require(kernel, "dy", dy, g.outElements(n));
    if (y != null) {
      Checks.require(kernel, "y", y, g.outElements(n));
    }
    Checks.require(kernel, "argmax", argmax, g.outElements(n));
    Checks.require(kernel, "dx", dx, g.inElements(n));
    Checks.apart(kernel, "dx", dx, g.inElements(n), "dy", dy, g.outElements(n));
    int inPlane = g.inPlane;
    int outputs = (int) g.outElements(n);
    for (int o = 0; o < outputs; o++) {
      if (argmax[o] < 0 || argmax[o] >= inPlane) {
        throw new IllegalArgumentException(kernel + ": argmax[" + o + "] = " + argmax[o]
            + " outside a plane of " + inPlane + " elements");
      }
    }
  }

  /** {@code dx}: each gradient (where {@code y > 0}, if {@code y} is given) added at its argmax. */
  private void unpool(Tensor dy, Tensor y, int n, int[] argmax, Tensor dx) {
    if (twoByTwo) {
      Backends.kernels().maxPool2x2Backward(dy, y, n * g.channels, g.height, g.width, argmax, dx);
      return;
    }
    FloatBuffer dyb = dy.data();
    FloatBuffer yb = y == null ? null : y.data();
    FloatBuffer dxb = dx.data();
    int inPlane = g.inPlane;
    int outPlane = g.outPlane;
    zero(dxb, 0, (int) g.inElements(n));
    int planes = n * g.channels;
    for (int p = 0, o = 0; p < planes; p++) {
      int base = p * inPlane;
      for (int end = o + outPlane; o < end; o++) {
        if (yb != null && !(yb.get(o) > 0)) {
          continue;
        }
        int i = base + argmax[o];
        dxb.put(i, dxb.get(i) + dyb.get(o));
      }
    }
  }

  /** Writes 0 to elements {@code [from, to)}. */
  static void zero(FloatBuffer b, int from, int to) {
    for (int i = from; i < to; i++) {
      b.put(i, 0f);
    }
  }
}
