package dev.kiln.runtime.backend.java;

import dev.kiln.runtime.backend.BatchNormScratch;
import dev.kiln.runtime.tensor.Tensor;

import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * The Java loops of batch normalisation in training mode ({@link JavaKernels}): statistics in
 * double, the element-wise passes in float, as PyTorch's CPU kernel does.
 */
final class JavaBatchNorm {
  private JavaBatchNorm() {}

  /** The statistics of the last forward pass, and the backward pass's coefficients, per channel. */
  static final class Scratch extends BatchNormScratch {
    final double[] mean;
    final double[] invStd;
    final double[] sumDy;
    final double[] sumDyXhat;
    final double[] shift;
    final float[] meanF;
    final float[] invStdF;
    final float[] scaleF;
    final float[] meanDyF;
    final float[] meanDyXhatF;
    /** The eight lanes of two sums of JavaBatchNorm2d's backward pass. */
    final double[] lanes = new double[16];

    Scratch(int channels, double momentum, double epsilon) {
      super(channels, momentum, epsilon);
      mean = new double[channels];
      invStd = new double[channels];
      sumDy = new double[channels];
      sumDyXhat = new double[channels];
      shift = new double[channels];
      meanF = new float[channels];
      invStdF = new float[channels];
      scaleF = new float[channels];
      meanDyF = new float[channels];
      meanDyXhatF = new float[channels];
    }
  }

  /** {@link dev.kiln.runtime.backend.Kernels#batchNormForwardTrain} without ReLU. */
  static void forwardTrain(Scratch scratch, Tensor x, int n, Tensor gamma, Tensor beta,
      Tensor runningMean, Tensor runningVar, Tensor xhat, Tensor y) {
    FloatBuffer xb = x.data();
    int c = scratch.channels();
    double momentum = scratch.momentum();
    double epsilon = scratch.epsilon();
    double[] mean = scratch.mean;
    double[] invStd = scratch.invStd;
    double[] shift = scratch.shift;
    float[] meanF = scratch.meanF;
    float[] invStdF = scratch.invStdF;
    // One pass for both moments: sums of d = x - shift and of d², shifted by the first row so
    // that the variance does not cancel catastrophically (the shifted-data algorithm; Chan,
    // Golub and LeVeque 1983). Row-major: the inner loop runs along the contiguous channels.
    double[] sum = mean;
    double[] sumSq = invStd;
    for (int j = 0; j < c; j++) {
      shift[j] = xb.get(j);
      sum[j] = 0;
      sumSq[j] = 0;
    }
    for (int r = 1; r < n; r++) {
      int row = r * c;
      for (int j = 0; j < c; j++) {
        double d = xb.get(row + j) - shift[j];
        sum[j] += d;
        sumSq[j] += d * d;
      }
    }
    FloatBuffer rm = runningMean.data();
    FloatBuffer rv = runningVar.data();
    for (int j = 0; j < c; j++) {
      double s = sum[j];
      double squares = Math.max(0, sumSq[j] - s * s / n);
      double biasedVar = squares / n;
      double unbiasedVar = squares / (n - 1);
      mean[j] = shift[j] + s / n;
      invStd[j] = 1.0 / Math.sqrt(biasedVar + epsilon);
      meanF[j] = (float) mean[j];
      invStdF[j] = (float) invStd[j];
      rm.put(j, (float) ((1 - momentum) * rm.get(j) + momentum * mean[j]));
      rv.put(j, (float) ((1 - momentum) * rv.get(j) + momentum * unbiasedVar));
    }
    // The element-wise pass in float, as PyTorch's CPU kernel does it (statistics accumulated in
    // double, then applied in float): a double pass converts every element twice and runs
    // several times slower.
    FloatBuffer hb = xhat.data();
    FloatBuffer yb = y.data();
    FloatBuffer g = gamma.data();
    FloatBuffer b = beta.data();
    for (int r = 0; r < n; r++) {
      int row = r * c;
      for (int j = 0; j < c; j++) {
        float h = (xb.get(row + j) - meanF[j]) * invStdF[j];
        hb.put(row + j, h);
        yb.put(row + j, g.get(j) * h + b.get(j));
      }
    }
  }

  /** {@link dev.kiln.runtime.backend.Kernels#batchNormBackward} without an activation. */
  static void backward(Scratch scratch, Tensor dy, Tensor xhat, int n, Tensor gamma,
      Tensor gammaGrad, Tensor betaGrad, Tensor dx) {
    FloatBuffer dyb = dy.data();
    FloatBuffer hb = xhat.data();
    int c = scratch.channels();
    double[] invStd = scratch.invStd;
    double[] sumDy = scratch.sumDy;
    double[] sumDyXhat = scratch.sumDyXhat;
    float[] scaleF = scratch.scaleF;
    float[] meanDyF = scratch.meanDyF;
    float[] meanDyXhatF = scratch.meanDyXhatF;
    Arrays.fill(sumDy, 0);
    Arrays.fill(sumDyXhat, 0);
    for (int r = 0; r < n; r++) {
      int row = r * c;
      for (int j = 0; j < c; j++) {
        double d = dyb.get(row + j);
        sumDy[j] += d;
        sumDyXhat[j] += d * hb.get(row + j);
      }
    }
    FloatBuffer g = gamma.data();
    FloatBuffer gg = gammaGrad.data();
    FloatBuffer bg = betaGrad.data();
    for (int j = 0; j < c; j++) {
      gg.put(j, (float) sumDyXhat[j]);
      bg.put(j, (float) sumDy[j]);
    }
    // dx = gamma·σ⁻¹·(dy - mean(dy) - xhat·mean(dy·xhat)): per-channel coefficients from the
    // double sums, the element-wise pass in float (as PyTorch's CPU kernel).
    for (int j = 0; j < c; j++) {
      scaleF[j] = (float) (g.get(j) * invStd[j]);
      meanDyF[j] = (float) (sumDy[j] / n);
      meanDyXhatF[j] = (float) (sumDyXhat[j] / n);
    }
    FloatBuffer dxb = dx.data();
    for (int r = 0; r < n; r++) {
      int row = r * c;
      for (int j = 0; j < c; j++) {
        float v = (dyb.get(row + j) - meanDyF[j] - hb.get(row + j) * meanDyXhatF[j]) * scaleF[j];
        dxb.put(row + j, v);
      }
    }
  }
}
