package dev.kiln.runtime.ops;

import dev.kiln.runtime.backend.Backends;
import dev.kiln.runtime.tensor.Tensor;

import java.nio.FloatBuffer;

/**
 * Losses with their gradients, fused: each call writes the gradient of the batch-mean loss with
 * respect to the network output into {@code grad} and returns the mean loss. Sums are in double.
 * Only the first {@code n} rows of the {@code [batch, width]} tensors are read.
 */
public final class Losses {
  private Losses() {}

  /**
   * Softmax cross-entropy with label smoothing, as PyTorch's {@code F.cross_entropy(logits,
   * target, label_smoothing=ε)} with probability targets: the target row is {@code q = (1-ε)·labels
   * + ε/C}, the loss {@code -(1/n)·Σ q·log softmax(z)} (log-sum-exp with the max subtracted, so
   * logits of any finite size are safe) and the gradient {@code (softmax(z)·Σq - q)/n}.
   *
   * @param logits {@code [batch, C]}
   * @param labels {@code [batch, C]}, one-hot or a distribution per row
   * @param grad output {@code [batch, C]}, overwritten
   * @return the mean loss over the {@code n} rows
   */
  public static double softmaxCrossEntropy(Tensor logits, Tensor labels, int n, int classes,
      double labelSmoothing, Tensor grad) {
    if (n < 1 || classes < 1) {
      throw new IllegalArgumentException("softmaxCrossEntropy: expected n >= 1 rows and classes"
          + " >= 1, got n=" + n + ", classes=" + classes);
    }
    long count = (long) n * classes;
    Tensor.require("softmaxCrossEntropy", "logits", logits, count);
    Tensor.require("softmaxCrossEntropy", "labels", labels, count);
    Tensor.require("softmaxCrossEntropy", "grad", grad, count);
    return Backends.kernels().softmaxCrossEntropy(logits, labels, n, classes, labelSmoothing,
        grad);
  }

  /**
   * Mean squared error over all {@code n·D} elements, as PyTorch's {@code F.mse_loss}; gradient
   * {@code 2·(pred - target)/(n·D)}.
   *
   * @param predictions {@code [batch, D]}
   * @param targets {@code [batch, D]}
   * @param grad output {@code [batch, D]}, overwritten
   */
  public static double meanSquaredError(Tensor predictions, Tensor targets, int n, int width,
      Tensor grad) {
    FloatBuffer p = predictions.data();
    FloatBuffer t = targets.data();
    FloatBuffer g = grad.data();
    int count = n * width;
    double total = 0;
    for (int i = 0; i < count; i++) {
      double d = (double) p.get(i) - t.get(i);
      total += d * d;
      g.put(i, (float) (2 * d / count));
    }
    return total / count;
  }

  /**
   * Sigmoid binary cross-entropy on logits, as PyTorch's {@code
   * F.binary_cross_entropy_with_logits}: the mean over all elements of {@code max(x,0) - x·y +
   * log(1 + exp(-|x|))}, gradient {@code (σ(x) - y)/(n·D)}.
   *
   * @param logits {@code [batch, D]}
   * @param targets {@code [batch, D]} in [0, 1]
   * @param grad output {@code [batch, D]}, overwritten
   */
  public static double sigmoidBinaryCrossEntropy(Tensor logits, Tensor targets, int n, int width,
      Tensor grad) {
    FloatBuffer z = logits.data();
    FloatBuffer t = targets.data();
    FloatBuffer g = grad.data();
    int count = n * width;
    double total = 0;
    for (int i = 0; i < count; i++) {
      double x = z.get(i);
      double y = t.get(i);
      total += Math.max(x, 0) - x * y + Math.log1p(Math.exp(-Math.abs(x)));
      g.put(i, (float) ((Activations.sigmoid(x) - y) / count));
    }
    return total / count;
  }
}
