package dev.kiln.runtime.ops;

import dev.kiln.runtime.tensor.Tensor;
import java.nio.FloatBuffer;

/**
 * Softmax cross-entropy of a language model over every position of a batch of sequences, with the
 * gradient, fused: as PyTorch's {@code F.cross_entropy(logits.view(-1, V), targets.view(-1))}, the
 * mean over all {@code rows = n·T} positions of {@code logsumexp(z) - z[target]}, and the gradient
 * {@code (softmax(z) - onehot(target))/rows}. Targets are class indices (whole numbers in {@code [0,
 * V)}), held by a float {@link Tensor} or an {@code int[]}; every target is checked before anything
 * is written. Log-sum-exp subtracts the row maximum and sums in double. Nothing is allocated.
 *
 * <p>{@link dev.kiln.runtime.Losses#softmaxCrossEntropy} computes the same from one-hot rows;
 * this kernel takes the indices a token model has, without a {@code [n·T, V]} one-hot buffer.
 */
public final class SequenceCrossEntropy {
  private SequenceCrossEntropy() {}

  /**
   * Writes the gradient of the mean loss into {@code grad} and returns the mean loss.
   *
   * @param logits {@code [n, T, V]} (or {@code [rows, V]})
   * @param targets {@code [n, T]}, class indices as whole numbers
   * @param rows positions {@code n·T}, at least 1
   * @param classes {@code V}, at least 1
   * @param steps {@code T}, used only to name a bad target's (sample, step); 0 if none
   * @param grad output {@code [rows, V]}, overwritten; may be {@code logits}
   * @return the mean loss over the {@code rows} positions
   * @throws IllegalArgumentException for a target that is not a whole number in {@code [0, V)}
   *     (naming its position), bad sizes or a tensor smaller than its shape, before anything is
   *     written
   */
  public static double compute(Tensor logits, Tensor targets, int rows, int classes, int steps,
      Tensor grad) {
    check(logits, rows, classes, grad);
    Checks.require("sequence cross-entropy", "targets", targets, rows);
    FloatBuffer tb = targets.data();
    for (int r = 0; r < rows; r++) {
      Checks.index("sequence cross-entropy", "target", tb.get(r), classes, r, steps);
    }
    double total = 0;
    for (int r = 0; r < rows; r++) {
      total += row(logits.data(), (int) tb.get(r), r, rows, classes, grad.data());
    }
    return total / rows;
  }

  /**
   * {@link #compute(Tensor, Tensor, int, int, int, Tensor)} with targets in an array.
   *
   * @throws IllegalArgumentException as that method
   */
  public static double compute(Tensor logits, int[] targets, int rows, int classes, int steps,
      Tensor grad) {
    check(logits, rows, classes, grad);
    if (targets == null) {
      throw new NullPointerException("sequence cross-entropy: targets is null");
    }
    if (targets.length < rows) {
      throw new IllegalArgumentException("sequence cross-entropy: targets has " + targets.length
          + " elements; " + rows + " needed");
    }
    for (int r = 0; r < rows; r++) {
      Checks.index("sequence cross-entropy", "target", targets[r], classes, r, steps);
    }
    double total = 0;
    for (int r = 0; r < rows; r++) {
      total += row(logits.data(), targets[r], r, rows, classes, grad.data());
    }
    return total / rows;
  }

  /** One position: writes its gradient row and returns its loss. */
  private static double row(FloatBuffer z, int target, int r, int rows, int classes,
      FloatBuffer g) {
    int base = r * classes;
    float max = Float.NEGATIVE_INFINITY;
    for (int j = 0; j < classes; j++) {
      max = Math.max(max, z.get(base + j));
    }
    double sumExp = 0;
    for (int j = 0; j < classes; j++) {
      sumExp += Math.exp(z.get(base + j) - max);
    }
    double logSumExp = max + Math.log(sumExp);
    double loss = logSumExp - z.get(base + target);
    double invRows = 1.0 / rows;
    for (int j = 0; j < classes; j++) {
      double p = Math.exp(z.get(base + j) - logSumExp);
      g.put(base + j, (float) ((j == target ? p - 1 : p) * invRows));
    }
    return loss;
  }

  private static void check(Tensor logits, int rows, int classes, Tensor grad) {
    Checks.positive("sequence cross-entropy", "rows", rows);
    Checks.positive("sequence cross-entropy", "classes", classes);
    long count = (long) rows * classes;
    Checks.require("sequence cross-entropy", "logits", logits, count);
    Checks.require("sequence cross-entropy", "grad", grad, count);
  }
}
