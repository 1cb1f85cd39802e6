package dev.kiln.runtime.backend.java;

import dev.kiln.runtime.backend.ConvShape;
import dev.kiln.runtime.tensor.Tensor;

import java.nio.FloatBuffer;

/**
 * The Java loops of the convolution kernels ({@link JavaKernels#conv2dForward}, {@link
 * JavaKernels#conv2dBackward}): groups of {@link ConvShape#forwardGroup} (or {@code
 * backwardGroup}) samples lowered by {@link Im2col} into the workspace, one OpenBLAS product per
 * group on the calling thread. Why groups of that size: {@code ops.Conv2d} and
 * docs/performance.md ("Convolutions").
 */
final class JavaConvolution {
  private JavaConvolution() {}

  static void forward(ConvShape g, Tensor x, int n, Tensor weight, Tensor bias, Tensor y,
      Tensor workspace) {
    FloatBuffer xb = x.data();
    FloatBuffer yb = y.data();
    FloatBuffer wb = workspace.data();
    int outChannels = g.outChannels();
    int patch = g.patch();
    int plane = g.outPlane();
    int outSample = outChannels * plane;
    int inSample = g.channels() * g.inPlane();
    int maxG = Math.min(n, g.forwardGroup());
    int product = patch * maxG * plane; // where the product's output starts (group > 1)
    for (int s = 0; s < n; s += maxG) {
      int group = Math.min(maxG, n - s);
      int ld = group * plane;
      for (int j = 0; j < group; j++) {
        Im2col.im2col(g, xb, (s + j) * inSample, wb, j * plane, ld);
      }
      if (maxG == 1) {
        gemm(false, false, outChannels, plane, patch, weight, 0, patch, workspace, 0, plane, 0f,
            y, s * outSample, plane);
        if (bias != null) {
          addBias(yb, s * outSample, bias.data(), outChannels, plane);
        }
        continue;
      }
      gemm(false, false, outChannels, ld, patch, weight, 0, patch, workspace, 0, ld, 0f,
          workspace, product, ld);
      for (int j = 0; j < group; j++) {
        int dst = (s + j) * outSample;
        for (int o = 0; o < outChannels; o++, dst += plane) {
          yb.put(dst, wb, product + o * ld + j * plane, plane); // memcpy
        }
        if (bias != null) {
          addBias(yb, (s + j) * outSample, bias.data(), outChannels, plane);
        }
      }
    }
  }

  /** Adds {@code bias[o]} to every element of channel {@code o} of one sample. */
  private static void addBias(FloatBuffer y, int start, FloatBuffer bias, int outChannels,
      int plane) {
    for (int o = 0, i = start; o < outChannels; o++) {
      float b = bias.get(o);
      for (int end = i + plane; i < end; i++) {
        y.put(i, y.get(i) + b);
      }
    }
  }

  static void backward(ConvShape g, Tensor x, Tensor dy, int n, Tensor weight, Tensor weightGrad,
      Tensor biasGrad, Tensor dx, Tensor workspace) {
    FloatBuffer dyb = dy.data();
    FloatBuffer wb = workspace.data();
    int outChannels = g.outChannels();
    int patch = g.patch();
    int plane = g.outPlane();
    int outSample = outChannels * plane;
    int inSample = g.channels() * g.inPlane();
    if (biasGrad != null) {
      biasGradient(dyb, n, outChannels, plane, biasGrad.data());
    }
    int maxG = Math.min(n, g.backwardGroup());
    int product = patch * maxG * plane;
    for (int s = 0; s < n; s += maxG) {
      int group = Math.min(maxG, n - s);
      int ld = group * plane;
      float beta = s == 0 ? 0f : 1f;
      for (int j = 0; j < group; j++) {
        Im2col.im2col(g, x.data(), (s + j) * inSample, wb, j * plane, ld);
      }
      Tensor d = dy;
      int dOffset = s * outSample;
      if (maxG > 1) {
        // dY of the group as one [out, group·plane] matrix, next to the columns.
        for (int j = 0; j < group; j++) {
          int src = (s + j) * outSample;
          for (int o = 0; o < outChannels; o++, src += plane) {
            wb.put(product + o * ld + j * plane, dyb, src, plane); // memcpy
          }
        }
        d = workspace;
        dOffset = product;
      }
      gemm(false, true, outChannels, patch, ld, d, dOffset, ld, workspace, 0, ld, beta,
          weightGrad, 0, patch);
      if (dx != null) {
        gemm(true, false, patch, ld, outChannels, weight, 0, patch, d, dOffset, ld, 0f,
            workspace, 0, ld);
        for (int j = 0; j < group; j++) {
          Im2col.col2im(g, wb, j * plane, ld, dx.data(), (s + j) * inSample);
        }
      }
    }
  }

  /**
   * {@code biasGrad[o] = Σ_{samples, positions} dy}, in double, rounded once; four interleaved
   * accumulators, so that the additions do not wait on each other.
   */
  private static void biasGradient(FloatBuffer dy, int n, int outChannels, int plane,
      FloatBuffer biasGrad) {
    for (int o = 0; o < outChannels; o++) {
      double s0 = 0;
      double s1 = 0;
      double s2 = 0;
      double s3 = 0;
      for (int s = 0; s < n; s++) {
        int i = (s * outChannels + o) * plane;
        int end = i + plane;
        for (; i + 3 < end; i += 4) {
          s0 += dy.get(i);
          s1 += dy.get(i + 1);
          s2 += dy.get(i + 2);
          s3 += dy.get(i + 3);
        }
        for (; i < end; i++) {
          s0 += dy.get(i);
        }
      }
      biasGrad.put(o, (float) ((s0 + s1) + (s2 + s3)));
    }
  }

  /** {@code cblas_sgemm} on the calling thread, matrices at element offsets, alpha 1. */
  private static void gemm(boolean transA, boolean transB, int m, int n, int k, Tensor a,
      int aOffset, int lda, Tensor b, int bOffset, int ldb, float beta, Tensor c, int cOffset,
      int ldc) {
    JavaKernels.openBlasGemm(transA, transB, m, n, k, 1f,
        a.address() + (long) aOffset * Float.BYTES, lda,
        b.address() + (long) bOffset * Float.BYTES, ldb, beta,
        c.address() + (long) cOffset * Float.BYTES, ldc);
  }
}
