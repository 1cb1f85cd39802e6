package dev.kiln.runtime.ops;

import dev.kiln.runtime.backend.BatchNormScratch;
import dev.kiln.runtime.backend.Backends;
import dev.kiln.runtime.tensor.Tensor;

import java.nio.FloatBuffer;

/**
 * Batch normalisation over the rows of {@code [n, features]} (Ioffe and Szegedy, 2015), with
 * PyTorch's {@code nn.BatchNorm1d} conventions: normalisation by the biased batch variance, the
 * running variance updated with the unbiased one, {@code running = (1 - momentum)·running +
 * momentum·batch}. Statistics are accumulated in double and applied in float, as PyTorch's CPU
 * kernel does. One instance per layer holds the per-batch state the backward pass needs; nothing
 * is allocated after construction.
 */
public final class BatchNormKernel {
  private final int features;
  // The statistics of the last forward pass and the backward pass's coefficients, in the form
  // the chosen kernels use (Kernels.batchNormScratch).
  private final BatchNormScratch scratch;

  /**
   * @param features channels {@code C}
   * @param momentum weight of the new batch in the running statistics, in (0, 1]
   * @param epsilon added to the variance, positive
   */
  public BatchNormKernel(int features, double momentum, double epsilon) {
    if (features < 1) {
      throw new IllegalArgumentException("batch norm: expected at least 1 feature, got " + features);
    }
    this.features = features;
    this.scratch = Backends.kernels().batchNormScratch(features, momentum, epsilon);
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
    forward(x, n, gamma, beta, runningMean, runningVar, xhat, y, false);
  }

  /**
   * {@link #forwardTrain} followed by ReLU, in one pass: {@code out = max(0, gamma·xhat + beta)},
   * bitwise what {@code forwardTrain(x, …, y)} then {@link Activations#relu}{@code (y, out)} give,
   * without writing {@code y}. {@code x} keeps its values. Pair it with {@link #backwardRelu}.
   *
   * @param out output {@code [batch, C]}, the layer's activation; may be the same tensor as
   *     {@code x}
   * @throws IllegalArgumentException as {@link #forwardTrain}
   */
  public void forwardTrainRelu(Tensor x, int n, Tensor gamma, Tensor beta, Tensor runningMean,
      Tensor runningVar, Tensor xhat, Tensor out) {
    forward(x, n, gamma, beta, runningMean, runningVar, xhat, out, true);
  }

  /**
   * A dense layer then this batch norm and ReLU: {@link Dense#forward}{@code (x, n, in, weight,
   * bias, C, pre)} followed by {@link #forwardTrainRelu}{@code (pre, n, ..., out)}, bitwise the
   * same as those two calls. Where the product is cut along its inputs on several threads
   * ({@code Dense.forward}), each thread normalises the channels whose sums it has just written,
   * in the same dispatch.
   *
   * @param x the layer's input {@code [batch, in]}
   * @param weight {@code [in, C]}
   * @param bias {@code [C]}, or null for a dense layer without bias
   * @param pre output {@code [batch, C]}, the dense output (batch norm's input, kept)
   * @param out output {@code [batch, C]}, the layer's activation
   * @throws IllegalArgumentException as {@link #forwardTrain}, or for a tensor smaller than its
   *     shape
   */
  public void denseForwardTrainRelu(Tensor x, int n, int in, Tensor weight, Tensor bias,
      Tensor pre, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar, Tensor xhat,
      Tensor out) {
    denseForwardTrainRelu(x, n, in, weight, bias, pre, "pre", gamma, beta, runningMean,
        runningVar, xhat, out);
  }

  /** Both forms; {@code preName} names the dense output's tensor in messages. */
  private void denseForwardTrainRelu(Tensor x, int n, int in, Tensor weight, Tensor bias,
      Tensor pre, String preName, Tensor gamma, Tensor beta, Tensor runningMean,
      Tensor runningVar, Tensor xhat, Tensor out) {
    if (n < 2) {
      throw new IllegalArgumentException(
          "batch normalisation in training mode needs at least 2 samples per batch, got " + n);
    }
    Dense.checkForward(x, n, in, weight, bias, features, pre, preName);
    checkSizes("batchNorm", n, preName, pre, "xhat", xhat, "out", out, "gamma", gamma, "beta",
        beta, "runningMean", runningMean, "runningVar", runningVar);
    Backends.kernels().denseBatchNormReluForwardTrain(scratch, x, n, in, weight, bias, pre,
        gamma, beta, runningMean, runningVar, xhat, out);
  }

  /**
   * {@link #denseForwardTrainRelu(Tensor, int, int, Tensor, Tensor, Tensor, Tensor, Tensor,
   * Tensor, Tensor, Tensor, Tensor)} without a buffer of its own for the dense output: the product
   * is written into {@code xhat} and normalised there in place. {@code xhat} and {@code out} get
   * the same bits as with a separate {@code pre}; the dense output itself is not kept (backward
   * needs only {@code xhat} and {@code out}). The generated trainer uses this form: one
   * {@code [batch, C]} buffer less to write and to keep in cache per layer.
   *
   * @param x the layer's input {@code [batch, in]}
   * @param weight {@code [in, C]}
   * @param bias {@code [C]}, or null for a dense layer without bias
   * @param xhat output {@code [batch, C]}, the normalised dense output
   * @param out output {@code [batch, C]}, the layer's activation
   * @throws IllegalArgumentException as the form with {@code pre}
   */
  public void denseForwardTrainRelu(Tensor x, int n, int in, Tensor weight, Tensor bias,
      Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar, Tensor xhat,
      Tensor out) {
    denseForwardTrainRelu(x, n, in, weight, bias, xhat, "xhat", gamma, beta, runningMean,
        runningVar, xhat, out);
  }

  private void forward(Tensor x, int n, Tensor gamma, Tensor beta, Tensor runningMean,
      Tensor runningVar, Tensor xhat, Tensor y, boolean relu) {
    if (n < 2) {
      throw new IllegalArgumentException(
          "batch normalisation in training mode needs at least 2 samples per batch, got " + n);
    }
    checkSizes("batchNorm", n, "x", x, "xhat", xhat, relu ? "out" : "y", y, "gamma", gamma,
        "beta", beta, "runningMean", runningMean, "runningVar", runningVar);
    Backends.kernels().batchNormForwardTrain(scratch, x, n, gamma, beta, runningMean,
        runningVar, xhat, y, relu);
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
    // Channel by channel, so each channel's square root is taken once (not once per element).
    for (int j = 0; j < c; j++) {
      double mean = rm.get(j);
      double scale = g.get(j) / Math.sqrt(rv.get(j) + epsilon);
      double shift = b.get(j);
      for (int i = j, end = n * c; i < end; i += c) {
        yb.put(i, (float) ((xb.get(i) - mean) * scale + shift));
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
    backward(dy, null, xhat, n, gamma, gammaGrad, betaGrad, dx);
  }


  /**
   * Backward of {@link #forwardTrainRelu}: ReLU's gradient (dy where the activation is positive)
   * and then {@link #backward}, in one pass, bitwise what {@link Activations#reluBackward} on the
   * pre-activation followed by {@code backward} give (the activation {@code max(0, y)} is positive
   * exactly where {@code y} is).
   *
   * @param dy gradient with respect to the activation, {@code [batch, C]}
   * @param activation the layer's output written by {@link #forwardTrainRelu}
   * @param dx output {@code [batch, C]}, overwritten; may be the same tensor as {@code dy}, which
   *     is then overwritten, else left as it is (natively; the Java loops mask it in place)
   */
  public void backwardRelu(Tensor dy, Tensor activation, Tensor xhat, int n, Tensor gamma,
      Tensor gammaGrad, Tensor betaGrad, Tensor dx) {
    Tensor.require("batchNormBackward", "activation", activation, (long) n * features);
    backward(dy, activation, xhat, n, gamma, gammaGrad, betaGrad, dx);
  }

  /** {@link #backward}, with ReLU's gradient at {@code activation} first unless it is null. */
  private void backward(Tensor dy, Tensor activation, Tensor xhat, int n, Tensor gamma,
      Tensor gammaGrad, Tensor betaGrad, Tensor dx) {
    if (n < 2) {
      throw new IllegalArgumentException(
          "batch normalisation backward needs the at least 2 samples of its forward pass, got " + n);
    }
    checkSizes("batchNormBackward", n, "dy", dy, "xhat", xhat, "dx", dx, "gamma", gamma,
        "gammaGrad", gammaGrad, "betaGrad", betaGrad, "gamma", gamma);
    Backends.kernels().batchNormBackward(scratch, dy, activation, xhat, n, gamma, gammaGrad,
        betaGrad, dx);
  }

  /** Three {@code [n, features]} tensors, then four of {@code [features]}, each with its name. */
  private void checkSizes(String kernel, int n, String r1, Tensor rows1, String r2, Tensor rows2,
      String r3, Tensor rows3, String c1, Tensor channels1, String c2, Tensor channels2,
      String c3, Tensor channels3, String c4, Tensor channels4) {
    long elements = (long) n * features;
    Tensor.require(kernel, r1, rows1, elements);
    Tensor.require(kernel, r2, rows2, elements);
    Tensor.require(kernel, r3, rows3, elements);
    Tensor.require(kernel, c1, channels1, features);
    Tensor.require(kernel, c2, channels2, features);
    Tensor.require(kernel, c3, channels3, features);
    Tensor.require(kernel, c4, channels4, features);
  }
}
