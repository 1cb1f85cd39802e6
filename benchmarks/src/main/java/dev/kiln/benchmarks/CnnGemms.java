package dev.kiln.benchmarks;

import dev.kiln.runtime.backend.Blas;
import dev.kiln.runtime.ops.Conv2d;
import dev.kiln.runtime.tensor.Tensor;

/**
 * The limit of {@link CnnStep}: only its matrix products, through {@link Blas#gemm} with the
 * shapes and grouping the step uses, on a step's own buffers. Per convolution: the forward
 * products {@code W·col} (one per {@link Conv2d#forwardGroup} samples), the weight-gradient
 * products {@code dY·colᵀ} and, for conv2, the input-gradient products {@code Wᵀ·dY} (one per
 * {@link Conv2d#backwardGroup} samples); per dense layer {@code x·W}, {@code xᵀ·dy} and {@code
 * dy·Wᵀ}. No lowering ({@code im2col}, {@code col2im}), batch norm, pooling or update: the step is
 * no faster than this unless the products get faster.
 */
final class CnnGemms {
  private final CnnStep s;
  private final int n;

  CnnGemms(CnnStep step, int n) {
    this.s = step;
    this.n = n;
  }

  /** conv1 forward products. */
  void conv1Forward() {
    convForward(s.conv1, 9, CnnStep.C1, CnnStep.H0 * CnnStep.H0, s.conv1Weight, s.conv1Pre);
  }

  void conv2Forward() {
    convForward(s.conv2, 288, CnnStep.C2, CnnStep.H1 * CnnStep.H1, s.conv2Weight, s.conv2Pre);
  }

  void conv2Backward() {
    convBackward(s.conv2, 288, CnnStep.C2, CnnStep.H1 * CnnStep.H1, s.conv2Weight,
        s.conv2ActDelta, s.conv2WeightGrad, true);
  }

  void conv1Backward() {
    convBackward(s.conv1, 9, CnnStep.C1, CnnStep.H0 * CnnStep.H0, s.conv1Weight,
        s.conv1ActDelta, s.conv1WeightGrad, false);
  }

  void denseForward() {
    Blas.gemm(false, false, n, CnnStep.HIDDEN, CnnStep.FLAT, 1f, s.conv2Out, CnnStep.FLAT,
        s.hiddenWeight, CnnStep.HIDDEN, 0f, s.hiddenPre, CnnStep.HIDDEN);
    Blas.gemm(false, false, n, CnnStep.CLASSES, CnnStep.HIDDEN, 1f, s.hiddenOut, CnnStep.HIDDEN,
        s.logitsWeight, CnnStep.CLASSES, 0f, s.logitsPre, CnnStep.CLASSES);
  }

  void denseBackward() {
    Blas.gemm(true, false, CnnStep.HIDDEN, CnnStep.CLASSES, n, 1f, s.hiddenOut, CnnStep.HIDDEN,
        s.logitsDelta, CnnStep.CLASSES, 0f, s.logitsWeightGrad, CnnStep.CLASSES);
    Blas.gemm(false, true, n, CnnStep.HIDDEN, CnnStep.CLASSES, 1f, s.logitsDelta,
        CnnStep.CLASSES, s.logitsWeight, CnnStep.CLASSES, 0f, s.hiddenDelta, CnnStep.HIDDEN);
    Blas.gemm(true, false, CnnStep.FLAT, CnnStep.HIDDEN, n, 1f, s.conv2Out, CnnStep.FLAT,
        s.hiddenDelta, CnnStep.HIDDEN, 0f, s.hiddenWeightGrad, CnnStep.HIDDEN);
    Blas.gemm(false, true, n, CnnStep.FLAT, CnnStep.HIDDEN, 1f, s.hiddenDelta, CnnStep.HIDDEN,
        s.hiddenWeight, CnnStep.HIDDEN, 0f, s.conv2Delta, CnnStep.FLAT);
  }

  /** Every product of one step, in the step's order. */
  void run() {
    conv1Forward();
    conv2Forward();
    denseForward();
    denseBackward();
    conv2Backward();
    conv1Backward();
  }

  /** The forward products as {@code Conv2d.forward} makes them (columns: the workspace). */
  private void convForward(Conv2d conv, int patch, int out, int plane, Tensor w, Tensor y) {
    int g = conv.forwardGroup(n);
    for (int start = 0; start < n; start += g) {
      int ld = Math.min(g, n - start) * plane;
      if (g == 1) {
        Blas.gemm(false, false, out, plane, patch, 1f, w, 0, patch, s.convWorkspace, 0, plane,
            0f, y, start * out * plane, plane);
      } else {
        Blas.gemm(false, false, out, ld, patch, 1f, w, 0, patch, s.convWorkspace, 0, ld, 0f,
            s.convWorkspace, patch * g * plane, ld);
      }
    }
  }

  /** The backward products as {@code Conv2d.backward} makes them. */
  private void convBackward(Conv2d conv, int patch, int out, int plane, Tensor w, Tensor dy,
      Tensor dw, boolean inputGradient) {
    int g = conv.backwardGroup(n);
    int product = patch * g * plane;
    for (int start = 0; start < n; start += g) {
      int ld = Math.min(g, n - start) * plane;
      Tensor d = g > 1 ? s.convWorkspace : dy;
      int offset = g > 1 ? product : start * out * plane;
      Blas.gemm(false, true, out, patch, ld, 1f, d, offset, ld, s.convWorkspace, 0, ld,
          start == 0 ? 0f : 1f, dw, 0, patch);
      if (inputGradient) {
        Blas.gemm(true, false, patch, ld, out, 1f, w, 0, patch, d, offset, ld, 0f,
            s.convWorkspace, 0, ld);
      }
    }
  }
}
