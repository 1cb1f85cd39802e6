package dev.kiln.runtime.backend.java;

import dev.kiln.runtime.backend.ConvShape;
import java.nio.FloatBuffer;

/**
 * The lowering of a convolution to a matrix product (Chellapilla, Puri and Simard, 2006; Caffe's
 * {@code im2col}): one sample {@code [C, H, W]} becomes the columns {@code [C·kh·kw, outH·outW]},
 * row {@code (c·kh + i)·kw + j} holding input element {@code (c, oh·sh - ph + i, ow·sw - pw + j)}
 * at column {@code oh·outW + ow}, or 0 where that lies in the padding. The row order is that of
 * a PyTorch weight {@code [out, in, kh, kw]} read as {@code [out, in·kh·kw]}, so {@code W·col} is
 * the cross-correlation {@code Conv2d} computes.
 *
 * <p>Several samples may share one matrix: sample {@code g} then takes the columns from {@code
 * colOffset = g·outH·outW} on, and {@code ld} is the matrix's full row length. The loops run along
 * whole output rows with the valid range of each kernel column worked out once: contiguous runs
 * (stride 1) are bulk copies, padding is written as zeros, and no index is tested per element.
 */
final class Im2col {
  private Im2col() {}

  /** Writes the columns of the sample at {@code x[xOffset]} into {@code col}. */
  static void im2col(ConvShape g, FloatBuffer x, int xOffset, FloatBuffer col, int colOffset,
      int ld) {
    if (g.strideH() == 1 && g.strideW() == 1 && g.outW() == g.width()) {
      im2colSame(g, x, xOffset, col, colOffset, ld);
      return;
    }
    int kh = g.kernelH();
    int kw = g.kernelW();
    int outH = g.outH();
    int outW = g.outW();
    int sw = g.strideW();
    int row = 0;
    for (int c = 0; c < g.channels(); c++) {
      int plane = xOffset + c * g.inPlane();
      for (int i = 0; i < kh; i++) {
        for (int j = 0; j < kw; j++, row++) {
          int lo = g.firstValidColumn(j);
          int hi = g.endValidColumn(j);
          int rowStart = colOffset + row * ld;
          for (int oh = 0; oh < outH; oh++) {
            int dst = rowStart + oh * outW;
            int ih = oh * g.strideH() - g.padH() + i;
            if (ih < 0 || ih >= g.height() || lo == hi) {
              zero(col, dst, dst + outW);
              continue;
            }
            zero(col, dst, dst + lo);
            int src = plane + ih * g.width() + lo * sw - g.padW() + j;
            if (sw == 1) {
              col.put(dst + lo, x, src, hi - lo); // memcpy
            } else {
              for (int ow = lo; ow < hi; ow++, src += sw) {
                col.put(dst + ow, x.get(src));
              }
            }
            zero(col, dst + hi, dst + outW);
          }
        }
      }
    }
  }

  /**
   * {@link #im2col} for stride 1 with as many output as input columns ("same" padding along
   * the width, as a 3×3 kernel with padding 1): then every row of the lowered sample is the
   * input plane shifted by a constant offset, so it is one bulk copy (instead of one per output
   * row), after which the elements whose window column lies in the padding, which the copy
   * filled from the neighbouring input row, are set to 0, and so are the rows above and below
   * the input.
   */
  private static void im2colSame(ConvShape g, FloatBuffer x, int xOffset, FloatBuffer col,
      int colOffset, int ld) {
    int kh = g.kernelH();
    int kw = g.kernelW();
    int outH = g.outH();
    int outW = g.outW();
    int width = g.width();
    int inPlane = g.inPlane();
    int row = 0;
    for (int c = 0; c < g.channels(); c++) {
      int plane = xOffset + c * inPlane;
      for (int i = 0; i < kh; i++) {
        // Output rows whose input row oh - padH + i lies inside the input: [oh0, oh1).
        int oh0 = Math.max(0, g.padH() - i);
        int oh1 = Math.min(outH, g.height() + g.padH() - i);
        for (int j = 0; j < kw; j++, row++) {
          int rowStart = colOffset + row * ld;
          int lo = g.firstValidColumn(j);
          int hi = g.endValidColumn(j);
          if (oh0 >= oh1 || lo == hi) {
            zero(col, rowStart, rowStart + outH * outW);
            continue;
          }
          // Column entry k of this row reads input element shift + k of the plane.
          int shift = (i - g.padH()) * width + (j - g.padW());
          int from = Math.max(oh0 * outW, -shift);
          int to = Math.min(oh1 * outW, inPlane - shift);
          zero(col, rowStart, rowStart + from);
          col.put(rowStart + from, x, plane + shift + from, to - from); // memcpy
          zero(col, rowStart + to, rowStart + outH * outW);
          if (lo > 0 || hi < outW) {
            for (int oh = oh0; oh < oh1; oh++) {
              int dst = rowStart + oh * outW;
              zero(col, dst, dst + lo);
              zero(col, dst + hi, dst + outW);
            }
          }
        }
      }
    }
  }

  /**
   * The adjoint of {@link #im2col}: overwrites the sample at {@code dx[dxOffset]} with the sum,
   * over every column entry, of the entry added at the input element it was copied from
   * (entries in the padding are dropped).
   */
  static void col2im(ConvShape g, FloatBuffer col, int colOffset, int ld, FloatBuffer dx,
      int dxOffset) {
    zero(dx, dxOffset, dxOffset + g.channels() * g.inPlane());
    int kh = g.kernelH();
    int kw = g.kernelW();
    int outH = g.outH();
    int outW = g.outW();
    int sw = g.strideW();
    int row = 0;
    for (int c = 0; c < g.channels(); c++) {
      int plane = dxOffset + c * g.inPlane();
      for (int i = 0; i < kh; i++) {
        for (int j = 0; j < kw; j++, row++) {
          int lo = g.firstValidColumn(j);
          int hi = g.endValidColumn(j);
          int rowStart = colOffset + row * ld;
          for (int oh = 0; oh < outH; oh++) {
            int ih = oh * g.strideH() - g.padH() + i;
            if (ih < 0 || ih >= g.height()) {
              continue;
            }
            int src = rowStart + oh * outW;
            int dst = plane + ih * g.width() + lo * sw - g.padW() + j;
            if (sw == 1) {
              for (int ow = lo; ow < hi; ow++, dst++) {
                dx.put(dst, dx.get(dst) + col.get(src + ow));
              }
            } else {
              for (int ow = lo; ow < hi; ow++, dst += sw) {
                dx.put(dst, dx.get(dst) + col.get(src + ow));
              }
            }
          }
        }
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
