package dev.kiln.runtime;

import java.nio.FloatBuffer;

/**
 * Batch normalisation over the rows of {@code [n, features]} (Ioffe and Szegedy, 2015), with
 * PyTorch's {@code nn.BatchNorm1d} conventions: normalisation by the biased batch variance, the
 * running variance updated with the unbiased one, {@code running = (1 - momentum)·running +
 * momentum·batch}. Statistics are accumulated in double. One instance per layer holds the
 * per-batch state the backward pass needs; nothing is allocated after construction.
 */
public final class BatchNormKernel {
  private final int features;
  private final double momentum;
  private final double epsilon;
  private final double[] mean;
  private final double[] invStd;
  private final double[] sumDy;
  private final double[] sumDyXhat;

  /**
   * @param features channels {@code C}
   * @param momentum weight of the new batch in the running statistics, in (0, 1]
   * @param epsilon added to the variance, positive
   */
  public BatchNormKernel(int features, double momentum, double epsilon) {
    this.features = features;
    this.momentum = momentum;
    this.epsilon = epsilon;
    this.mean = new double[features];
    this.invStd = new double[features];
    this.sumDy = new double[features];
    this.sumDyXhat = new double[features];
  }

  /**
   * Training-mode forward: normalises with the batch statistics, writes {@code xhat} (kept for
   * backward) and {@code y = gamma·xhat + beta}, and updates the running statistics.
   *
   * @param x input {@code [batch, C]}; {@code n ≥ 2}
   * @param xhat output {@code [batch, C]}, the normalised input
   * @param y output {@code [batch, C]}; may be the same tensor as {@code x}
   * @throws IllegalArgumentException if {@code n < 2} (the unbiased variance needs two samples,
   *     as PyTorch refuses too)
   */
  public void forwardTrain(Tensor x, int n, Tensor gamma, Tensor beta, Tensor runningMean,
      Tensor runningVar, Tensor xhat, Tensor y) {
    if (n < 2) {
      throw new IllegalArgumentException(
          "batch normalisation in training mode needs at least 2 samples per batch, got " + n);
    }
    FloatBuffer xb = x.data();
    int c = features;
    java.util.Arrays.fill(mean, 0);
    java.util.Arrays.fill(invStd, 0);
    for (int r = 0; r < n; r++) {
      int row = r * c;
      for (int j = 0; j < c; j++) {
        mean[j] += xb.get(row + j);
      }
    }
    for (int j = 0; j < c; j++) {
      mean[j] /= n;
    }
    for (int r = 0; r < n; r++) {
      int row = r * c;
      for (int j = 0; j < c; j++) {
        double d = xb.get(row + j) - mean[j];
        invStd[j] += d * d;
      }
    }
    FloatBuffer rm = runningMean.data();
    FloatBuffer rv = runningVar.data();
    for (int j = 0; j < c; j++) {
      double biasedVar = invStd[j] / n;
      double unbiasedVar = invStd[j] / (n - 1);
      invStd[j] = 1.0 / Math.sqrt(biasedVar + epsilon);
      rm.put(j, (float) ((1 - momentum) * rm.get(j) + momentum * mean[j]));
      rv.put(j, (float) ((1 - momentum) * rv.get(j) + momentum * unbiasedVar));
    }
    FloatBuffer hb = xhat.data();
    FloatBuffer yb = y.data();
    FloatBuffer g = gamma.data();
    FloatBuffer b = beta.data();
    for (int r = 0; r < n; r++) {
      int row = r * c;
      for (int j = 0; j < c; j++) {
        float h = (float) ((xb.get(row + j) - mean[j]) * invStd[j]);
        hb.put(row + j, h);
        yb.put(row + j, g.get(j) * h + b.get(j));
      }
    }
  }

  /**
   * Inference-mode forward: {@code y = gamma·(x - runningMean)/sqrt(runningVar + eps) + beta}.
   *
   * @param x input {@code [batch, C]}
   * @param y output {@code [batch, C]}; may be the same tensor as {@code x}
   */
  public static void forwardEval(Tensor x, int n, int c, double epsilon, Tensor gamma, Tensor beta,
      Tensor runningMean, Tensor runningVar, Tensor y) {
    FloatBuffer xb = x.data();
    FloatBuffer yb = y.data();
    FloatBuffer g = gamma.data();
    FloatBuffer b = beta.data();
    FloatBuffer rm = runningMean.data();
    FloatBuffer rv = runningVar.data();
    for (int r = 0; r < n; r++) {
      int row = r * c;
      for (int j = 0; j < c; j++) {
        double h = (xb.get(row + j) - rm.get(j)) / Math.sqrt(rv.get(j) + epsilon);
        yb.put(row + j, (float) (g.get(j) * h + b.get(j)));
      }
    }
  }

  /**
   * Backward of {@link #forwardTrain}: {@code dbeta = Σ dy}, {@code dgamma = Σ dy·xhat}, {@code dx
   * = gamma/(n·σ)·(n·dy - dbeta - xhat·dgamma)} with sums over the batch.
   *
   * @param dy gradient with respect to {@code y}, {@code [batch, C]}
   * @param xhat the normalised input written by {@link #forwardTrain}
   * @param gammaGrad output {@code [C]}, overwritten
   * @param betaGrad output {@code [C]}, overwritten
   * @param dx output {@code [batch, C]}, overwritten; may be the same tensor as {@code dy}
   */
  public void backward(Tensor dy, Tensor xhat, int n, Tensor gamma, Tensor gammaGrad,
      Tensor betaGrad, Tensor dx) {
    FloatBuffer dyb = dy.data();
    FloatBuffer hb = xhat.data();
    int c = features;
    java.util.Arrays.fill(sumDy, 0);
    java.util.Arrays.fill(sumDyXhat, 0);
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
    FloatBuffer dxb = dx.data();
    for (int r = 0; r < n; r++) {
      int row = r * c;
      for (int j = 0; j < c; j++) {
        double scale = g.get(j) * invStd[j] / n;
        double v = scale * (n * (double) dyb.get(row + j) - sumDy[j] - hb.get(row + j) * sumDyXhat[j]);
        dxb.put(row + j, (float) v);
      }
    }
  }
}
