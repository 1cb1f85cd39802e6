package dev.kiln.runtime.ops;

import dev.kiln.runtime.tensor.Tensor;

/**
 * The losses a trainer may be configured with (mirrors {@code dev.kiln.dsl.Loss}), for code that
 * evaluates outputs outside a training step.
 */
public enum LossKind {
  /** See {@link Losses#softmaxCrossEntropy}. */
  SOFTMAX_CROSS_ENTROPY,
  /** See {@link Losses#meanSquaredError}. */
  MSE,
  /** See {@link Losses#sigmoidBinaryCrossEntropy}. */
  SIGMOID_BINARY_CROSS_ENTROPY;

  /**
   * The mean loss of the first {@code n} rows; {@code scratch} receives the gradient.
   *
   * @param outputs {@code [batch, width]}
   * @param labels {@code [batch, width]}
   * @param scratch {@code [batch, width]}, overwritten
   */
  public double mean(Tensor outputs, Tensor labels, int n, int width, double labelSmoothing,
      Tensor scratch) {
    return switch (this) {
      case SOFTMAX_CROSS_ENTROPY ->
          Losses.softmaxCrossEntropy(outputs, labels, n, width, labelSmoothing, scratch);
      case MSE -> Losses.meanSquaredError(outputs, labels, n, width, scratch);
      case SIGMOID_BINARY_CROSS_ENTROPY ->
          Losses.sigmoidBinaryCrossEntropy(outputs, labels, n, width, scratch);
    };
  }

  /**
   * Whether row {@code r}'s output predicts its label: the arg-max agrees, or for a single output
   * the sides of 0.5 agree (of the sigmoid for binary cross-entropy, of the raw value for MSE).
   */
  public boolean correct(Tensor outputs, Tensor labels, int r, int width) {
    if (width == 1) {
      float out = outputs.get(r);
      boolean predicted = this == SIGMOID_BINARY_CROSS_ENTROPY ? out > 0 : out > 0.5f;
      return predicted == (labels.get(r) > 0.5f);
    }
    return argMax(outputs, r, width) == argMax(labels, r, width);
  }

  private static int argMax(Tensor t, int r, int width) {
    int best = 0;
    float max = t.get(r * width);
    for (int j = 1; j < width; j++) {
      float v = t.get(r * width + j);
      if (v > max) {
        max = v;
        best = j;
      }
    }
    return best;
  }
}
