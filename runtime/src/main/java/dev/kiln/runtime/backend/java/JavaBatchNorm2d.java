package dev.kiln.runtime.backend.java;

import dev.kiln.runtime.tensor.Tensor;

import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * The Java loops of batch normalisation per channel of {@code [n, C, H, W]} ({@link
 * JavaKernels#batchNorm2dForwardTrain}, {@link JavaKernels#batchNorm2dBackward}): statistics in
 * double in eight lanes by position {@code j mod 8} within a plane (the order the native kernel
 * vectorises), the element-wise passes in float, as PyTorch's CPU kernel. The inverse deviation
 * stays in the scratch's {@code invStd} for the backward pass.
 */
final class JavaBatchNorm2d {
  private JavaBatchNorm2d() {}

  static void forwardTrain(JavaBatchNorm.Scratch scratch, Tensor x, int n, int plane,
      Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar, Tensor xhat, Tensor y,
      boolean relu) {
    FloatBuffer xb = x.data();
    FloatBuffer hb = xhat.data();
    FloatBuffer yb = y.data();
    FloatBuffer rm = runningMean.data();
    FloatBuffer rv = runningVar.data();
    int channels = scratch.channels();
    double momentum = scratch.momentum();
    int sample = channels * plane;
    long m = (long) n * plane;
    for (int c = 0; c < channels; c++) {
      // One pass for both moments, shifted by the channel's first element so that the variance
      // does not cancel (the shifted-data algorithm; Chan, Golub and LeVeque 1983).
      double shift = xb.get(c * plane);
      double s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
      double q0 = 0, q1 = 0, q2 = 0, q3 = 0, q4 = 0, q5 = 0, q6 = 0, q7 = 0;
      for (int s = 0; s < n; s++) {
        int i = s * sample + c * plane;
        int end = i + plane;
        for (; i + 8 <= end; i += 8) {
          double d0 = xb.get(i) - shift;
          double d1 = xb.get(i + 1) - shift;
          double d2 = xb.get(i + 2) - shift;
          double d3 = xb.get(i + 3) - shift;
          double d4 = xb.get(i + 4) - shift;
          double d5 = xb.get(i + 5) - shift;
          double d6 = xb.get(i + 6) - shift;
          double d7 = xb.get(i + 7) - shift;
          s0 += d0;
          s1 += d1;
          s2 += d2;
          s3 += d3;
          s4 += d4;
          s5 += d5;
          s6 += d6;
          s7 += d7;
          q0 += d0 * d0;
          q1 += d1 * d1;
          q2 += d2 * d2;
          q3 += d3 * d3;
          q4 += d4 * d4;
          q5 += d5 * d5;
          q6 += d6 * d6;
          q7 += d7 * d7;
        }
        // The tail (fewer than 8): lanes 0, 1, ... in order.
        for (int k = 0; i < end; i++, k++) {
          double d = xb.get(i) - shift;
          double dd = d * d;
          switch (k) {
            case 0 -> { s0 += d; q0 += dd; }
            case 1 -> { s1 += d; q1 += dd; }
            case 2 -> { s2 += d; q2 += dd; }
            case 3 -> { s3 += d; q3 += dd; }
            case 4 -> { s4 += d; q4 += dd; }
            case 5 -> { s5 += d; q5 += dd; }
            default -> { s6 += d; q6 += dd; }
          }
        }
      }
      double total = ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
      double totalSq = ((q0 + q1) + (q2 + q3)) + ((q4 + q5) + (q6 + q7));
      double squares = totalSq - total * total / m;
      if (squares < 0) {
        squares = 0; // rounding; NaN stays
      }
      double mean = shift + total / m;
      double biasedVar = squares / m;
      double unbiasedVar = squares / (m - 1);
      double invStd = 1.0 / Math.sqrt(biasedVar + scratch.epsilon());
      scratch.invStd[c] = invStd;
      rm.put(c, (float) ((1 - momentum) * rm.get(c) + momentum * mean));
      rv.put(c, (float) ((1 - momentum) * rv.get(c) + momentum * unbiasedVar));
      // The element-wise pass in float, as PyTorch's CPU kernel.
      float meanF = (float) mean;
      float invStdF = (float) invStd;
      float gammaF = gamma.get(c);
      float betaF = beta.get(c);
      for (int s = 0; s < n; s++) {
        int i = s * sample + c * plane;
        int end = i + plane;
        for (; i < end; i++) {
          float h = (xb.get(i) - meanF) * invStdF;
          hb.put(i, h);
          float v = gammaF * h + betaF;
          yb.put(i, relu && v <= 0 ? 0f : v); // NaN stays NaN, -0 becomes 0
        }
      }
    }
  }

  static void backward(JavaBatchNorm.Scratch scratch, Tensor dy, Tensor activation, Tensor xhat,
      int n, int plane, Tensor gamma, Tensor gammaGrad, Tensor betaGrad, Tensor dx) {
    FloatBuffer dyb = dy.data();
    FloatBuffer ab = activation == null ? null : activation.data();
    FloatBuffer hb = xhat.data();
    FloatBuffer dxb = dx.data();
    int channels = scratch.channels();
    int sample = channels * plane;
    long m = (long) n * plane;
    double[] lanes = scratch.lanes;
    for (int c = 0; c < channels; c++) {
      Arrays.fill(lanes, 0);
      for (int s = 0; s < n; s++) {
        int start = s * sample + c * plane;
        for (int j = 0; j < plane; j++) {
          int i = start + j;
          float d = dyb.get(i);
          if (ab != null) { // the ReLU's gradient first, written into dx (which may be dy)
            d = ab.get(i) > 0 ? d : 0f;
            dxb.put(i, d);
          }
          int k = j & 7;
          lanes[k] += d;
          lanes[8 + k] += (double) d * hb.get(i);
        }
      }
      double sumDy = ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3]))
          + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]));
      double sumDyXhat = ((lanes[8] + lanes[9]) + (lanes[10] + lanes[11]))
          + ((lanes[12] + lanes[13]) + (lanes[14] + lanes[15]));
      gammaGrad.set(c, (float) sumDyXhat);
      betaGrad.set(c, (float) sumDy);
      // dx = gamma·σ⁻¹·(dy - mean(dy) - xhat·mean(dy·xhat)), element-wise in float.
      float scale = (float) (gamma.get(c) * scratch.invStd[c]);
      float meanDy = (float) (sumDy / m);
      float meanDyXhat = (float) (sumDyXhat / m);
      FloatBuffer src = ab != null ? dxb : dyb; // the gated gradient, where the ReLU was
      for (int s = 0; s < n; s++) {
        for (int i = s * sample + c * plane, end = i + plane; i < end; i++) {
          dxb.put(i, (src.get(i) - meanDy - hb.get(i) * meanDyXhat) * scale);
        }
      }
    }
  }
}
