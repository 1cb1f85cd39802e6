package dev.kiln.runtime.backend.java;

import dev.kiln.runtime.tensor.Tensor;

import java.nio.FloatBuffer;

/**
 * The Java loops of 2×2 max pooling at stride 2 ({@link JavaKernels#maxPool2x2Forward}, {@link
 * JavaKernels#maxPool2x2Backward}; moved from {@code ops.MaxPool2d}).
 */
final class JavaMaxPool2x2 {
  private JavaMaxPool2x2() {}

  /**
   * Without a data-dependent branch (with random data, which element is the maximum is
   * unpredictable, and a compare-and-branch mispredicts about every other window): the maximum by
   * {@link Math#max} (which returns NaN if any is NaN), and its position as the first element
   * equal to it, from the trailing zeros of a mask of the four comparisons: the first maximum in
   * row-major order. A window holding NaN takes the scan (the last NaN wins there).
   */
  static void forward(Tensor x, int planes, int height, int width, Tensor y, int[] argmax,
      boolean relu) {
    FloatBuffer xb = x.data();
    FloatBuffer yb = y.data();
    int outH = height / 2;
    int outW = width / 2;
    int inPlane = height * width;
    int o = 0;
    for (int p = 0; p < planes; p++) {
      int base = p * inPlane;
      for (int oh = 0; oh < outH; oh++) {
        int top = base + 2 * oh * width;
        for (int ow = 0; ow < outW; ow++, o++) {
          int i0 = top + 2 * ow;
          float v0 = xb.get(i0);
          float v1 = xb.get(i0 + 1);
          float v2 = xb.get(i0 + width);
          float v3 = xb.get(i0 + width + 1);
          float max = Math.max(Math.max(v0, v1), Math.max(v2, v3));
          int at;
          if (max == max) {
            int mask = (v0 == max ? 1 : 0) | (v1 == max ? 2 : 0) | (v2 == max ? 4 : 0) | 8;
            int k = Integer.numberOfTrailingZeros(mask); // 0, 1, 2 or 3
            at = i0 - base + (k & 1) + (k >> 1) * width;
            max = xb.get(base + at); // that element itself: -0.0 where it is (max(-0, 0) is 0)
          } else {
            at = i0 - base;
            max = v0;
            if (v1 > max || v1 != v1) {
              max = v1;
              at = i0 - base + 1;
            }
            if (v2 > max || v2 != v2) {
              max = v2;
              at = i0 - base + width;
            }
            if (v3 > max || v3 != v3) {
              max = v3;
              at = i0 - base + width + 1;
            }
          }
          yb.put(o, relu ? Math.max(max, 0f) : max); // max(NaN, 0) is NaN, max(-0, 0) is 0
          argmax[o] = at;
        }
      }
    }
  }

  /**
   * In one pass that writes every input element once (the windows are disjoint: the gradient or
   * 0 in each window, 0 in a last odd row or column that no window covers) instead of zeroing
   * {@code dx} and then scattering into it. An argmax outside its own window is not sent.
   */
  static void backward(Tensor dy, Tensor y, int planes, int height, int width, int[] argmax,
      Tensor dx) {
    FloatBuffer dyb = dy.data();
    FloatBuffer yb = y == null ? null : y.data();
    FloatBuffer dxb = dx.data();
    int outH = height / 2;
    int outW = width / 2;
    int inPlane = height * width;
    int o = 0;
    for (int p = 0; p < planes; p++) {
      int base = p * inPlane;
      for (int oh = 0; oh < outH; oh++) {
        int top = 2 * oh * width;
        for (int ow = 0; ow < outW; ow++, o++) {
          int i0 = top + 2 * ow;
          int i2 = i0 + width;
          float d = dyb.get(o);
          if (yb != null) { // d where y > 0, else +0.0, without a branch (Activations' mask)
            int t = Float.floatToRawIntBits(yb.get(o)) - 1;
            d = Float.intBitsToFloat(Float.floatToRawIntBits(d) & (((t - 0x7f800000) & ~t) >> 31));
          }
          // Zeros over the window, then the gradient at its argmax: no branch on which it is.
          dxb.put(base + i0, 0f);
          dxb.put(base + i0 + 1, 0f);
          dxb.put(base + i2, 0f);
          dxb.put(base + i2 + 1, 0f);
          int a = argmax[o];
          int r = a - i0;
          if (r == 0 || r == 1 || r == width || r == width + 1) {
            dxb.put(base + a, d);
          }
        }
        if (2 * outW < width) { // the last, odd column
          dxb.put(base + top + width - 1, 0f);
          dxb.put(base + top + 2 * width - 1, 0f);
        }
      }
      if (2 * outH < height) { // the last, odd row
        Im2col.zero(dxb, base + 2 * outH * width, base + inPlane);
      }
    }
  }
}
