package dev.kiln.runtime.ops;

import dev.kiln.runtime.backend.Backends;
import dev.kiln.runtime.backend.BatchNormScratch;
import dev.kiln.runtime.tensor.Tensor;
import java.nio.FloatBuffer;

/**
 * Batch normalisation per channel of {@code [n, C, H, W]} activations (Ioffe and Szegedy, 2015),
 * with PyTorch's {@code nn.BatchNorm2d} conventions: statistics over the {@code m = n·H·W}
 * elements of each channel, normalisation by the biased batch variance, the running variance
 * updated with the unbiased one ({@code ·m/(m - 1)}), {@code running = (1 - momentum)·running +
 * momentum·batch}. As the dense {@code BatchNormKernel} (the same numerics on {@code [n, C]}),
 * statistics are accumulated in double and applied in float, as PyTorch's CPU kernel does. The
 * training passes run in the chosen kernels ({@link Backends#kernels()}, {@code
 * Kernels.batchNorm2dForwardTrain}: natively cut over the threads by channels, the same bits as
 * the Java loops). One instance per layer holds the per-batch state the backward pass needs (the
 * kernels' {@link BatchNormScratch}); nothing is allocated after construction.
 */
public final class BatchNorm2dKernel {
  private static final String KIND = "batchNorm2d";

  private final int channels;
  private final int plane;
  private final double epsilon;
  /** The chosen kernels' per-layer state: the last forward pass's inverse deviations. */
  private final BatchNormScratch scratch;

  /**
   * @param channels {@code C}
   * @param height {@code H}
   * @param width {@code W}
   * @param momentum weight of the new batch in the running statistics, in (0, 1]
   * @param epsilon added to the variance, positive
   * @throws IllegalArgumentException for a size below 1, a momentum outside (0, 1] or an epsilon
   *     that is not positive
   */
  public BatchNorm2dKernel(int channels, int height, int width, double momentum, double epsilon) {
    if (channels < 1 || height < 1 || width < 1) {
      throw new IllegalArgumentException(KIND + ": expected channels, height and width >= 1, got "
          + channels + ", " + height + ", " + width);
    }
    if (!(momentum > 0 && momentum <= 1)) {
      throw new IllegalArgumentException(KIND + ": expected momentum in (0, 1], got " + momentum);
    }
    if (!(epsilon > 0)) {
      throw new IllegalArgumentException(KIND + ": expected epsilon > 0, got " + epsilon);
    }
    if ((long) channels * height * width > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(KIND + ": a sample of [" + channels + ", " + height
          + ", " + width + "] has more than 2^31 - 1 elements");
    }
    this.channels = channels;
    this.plane = height * width;
    this.epsilon = epsilon;
    this.scratch = Backends.kernels().batchNormScratch(channels, momentum, epsilon);
  }

  /**
   * Training-mode forward: normalises each channel with its batch statistics, writes {@code
   * xhat} (kept for backward) and {@code y = gamma·xhat + beta}, and updates the running
   * statistics.
   *
   * @param x input {@code [batch, C, H, W]}; {@code n·H·W ≥ 2}
   * @param gamma {@code [C]}
   * @param beta {@code [C]}
   * @param runningMean {@code [C]}, updated
   * @param runningVar {@code [C]}, updated
   * @param xhat output {@code [batch, C, H, W]}, the normalised input
   * @param y output {@code [batch, C, H, W]}; may be the same tensor as {@code x}
   * @throws IllegalArgumentException if {@code n·H·W < 2} (the unbiased variance needs two
   *     values, as PyTorch refuses too) or a tensor is smaller than its shape, before anything is
   *     written
   */
  public void forwardTrain(Tensor x, int n, Tensor gamma, Tensor beta, Tensor runningMean,
      Tensor runningVar, Tensor xhat, Tensor y) {
    train(KIND, x, n, gamma, beta, runningMean, runningVar, xhat, y, false);
  }

  /**
   * {@link #forwardTrain} followed by a ReLU in the same pass: {@code y = max(0, gamma·xhat +
   * beta)} (a NaN stays NaN), one pass over the activations less than batch norm and {@link
   * Activations#relu} one after the other. Its backward pass is {@link #backwardRelu}.
   *
   * @throws IllegalArgumentException as {@link #forwardTrain}
   */
  public void forwardTrainRelu(Tensor x, int n, Tensor gamma, Tensor beta, Tensor runningMean,
      Tensor runningVar, Tensor xhat, Tensor y) {
    train(KIND + "Relu", x, n, gamma, beta, runningMean, runningVar, xhat, y, true);
  }

  private void train(String kernel, Tensor x, int n, Tensor gamma, Tensor beta,
      Tensor runningMean, Tensor runningVar, Tensor xhat, Tensor y, boolean relu) {
    long m = (long) n * plane;
    if (n < 1 || m < 2) {
      throw new IllegalArgumentException(kernel + ": training needs at least 2 values per "
          + "channel (n·H·W), got n=" + n + " with H·W=" + plane);
    }
    checkSizes(kernel, n, "x", x, "xhat", xhat, "y", y, "gamma", gamma, "beta", beta,
        "runningMean", runningMean, "runningVar", runningVar);
    Backends.kernels().batchNorm2dForwardTrain(scratch, x, n, plane, gamma, beta, runningMean,
        runningVar, xhat, y, relu);
  }

  /**
   * Inference-mode forward: {@code y = gamma·(x - runningMean)/sqrt(runningVar + eps) + beta}
   * per channel.
   *
   * @param x input {@code [batch, C, H, W]}
   * @param y output {@code [batch, C, H, W]}; may be the same tensor as {@code x}
   * @throws IllegalArgumentException for {@code n < 1} or a tensor smaller than its shape
   */
  public void forwardEval(Tensor x, int n, Tensor gamma, Tensor beta, Tensor runningMean,
      Tensor runningVar, Tensor y) {
    String kernel = KIND + "Eval";
    Checks.batch(kernel, n);
    checkSizes(kernel, n, "x", x, "y", y, "y", y, "gamma", gamma, "beta", beta, "runningMean",
        runningMean, "runningVar", runningVar);
    FloatBuffer xb = x.data();
    FloatBuffer yb = y.data();
    int sample = channels * plane;
    for (int c = 0; c < channels; c++) {
      double mean = runningMean.get(c);
      double scale = gamma.get(c) / Math.sqrt(runningVar.get(c) + epsilon);
      double shift = beta.get(c);
      for (int s = 0; s < n; s++) {
        for (int i = s * sample + c * plane, end = i + plane; i < end; i++) {
          yb.put(i, (float) ((xb.get(i) - mean) * scale + shift));
        }
      }
    }
  }

  /**
   * Backward of {@link #forwardTrain}, with sums over the batch and positions of each channel:
   * {@code dbeta = Σ dy}, {@code dgamma = Σ dy·xhat}, {@code dx = gamma/(m·σ)·(m·dy - dbeta -
   * xhat·dgamma)}.
   *
   * @param dy gradient with respect to {@code y}, {@code [batch, C, H, W]}
   * @param xhat the normalised input written by the last {@link #forwardTrain} (same {@code n})
   * @param gammaGrad output {@code [C]}, overwritten
   * @param betaGrad output {@code [C]}, overwritten
   * @param dx output {@code [batch, C, H, W]}, overwritten; may be the same tensor as {@code dy}
   * @throws IllegalArgumentException as {@link #forwardTrain}
   */
  public void backward(Tensor dy, Tensor xhat, int n, Tensor gamma, Tensor gammaGrad,
      Tensor betaGrad, Tensor dx) {
    gradients(KIND + "Backward", dy, null, xhat, n, gamma, gammaGrad, betaGrad, dx);
  }

  /**
   * The backward pass of {@link #forwardTrainRelu}: {@link #backward} of the gradient {@code dy}
   * with respect to the ReLU's output, taken only where that output {@code y} is positive (ReLU's
   * derivative, 0 at 0 and at NaN as {@link Activations#reluBackward}); one pass less than the two
   * kernels one after the other.
   *
   * @param y the output of {@link #forwardTrainRelu}, {@code [batch, C, H, W]}
   * @param dx output; may be the same tensor as {@code dy}
   * @throws IllegalArgumentException as {@link #backward}
   */
  public void backwardRelu(Tensor dy, Tensor y, Tensor xhat, int n, Tensor gamma,
      Tensor gammaGrad, Tensor betaGrad, Tensor dx) {
    String kernel = KIND + "ReluBackward";
    Checks.require(kernel, "y", y, (long) Math.max(n, 0) * channels * plane);
    gradients(kernel, dy, y, xhat, n, gamma, gammaGrad, betaGrad, dx);
  }

  private void gradients(String kernel, Tensor dy, Tensor y, Tensor xhat, int n, Tensor gamma,
      Tensor gammaGrad, Tensor betaGrad, Tensor dx) {
    long m = (long) n * plane;
    if (n < 1 || m < 2) {
      throw new IllegalArgumentException(kernel + ": needs the at least 2 values per channel of "
          + "its forward pass, got n=" + n + " with H·W=" + plane);
    }
    checkSizes(kernel, n, "dy", dy, "xhat", xhat, "dx", dx, "gamma", gamma, "gammaGrad",
        gammaGrad, "betaGrad", betaGrad, "gamma", gamma);
    Backends.kernels().batchNorm2dBackward(scratch, dy, y, xhat, n, plane, gamma, gammaGrad,
        betaGrad, dx);
  }

  /** Three {@code [n, C, H, W]} tensors, then four of {@code [C]}, each with its name. */
  private void checkSizes(String kernel, int n, String a1, Tensor act1, String a2, Tensor act2,
      String a3, Tensor act3, String c1, Tensor ch1, String c2, Tensor ch2, String c3,
      Tensor ch3, String c4, Tensor ch4) {
    long elements = (long) n * channels * plane;
    Checks.require(kernel, a1, act1, elements);
    Checks.require(kernel, a2, act2, elements);
    Checks.require(kernel, a3, act3, elements);
    Checks.require(kernel, c1, ch1, channels);
    Checks.require(kernel, c2, ch2, channels);
    Checks.require(kernel, c3, ch3, channels);
    Checks.require(kernel, c4, ch4, channels);
  }
}
