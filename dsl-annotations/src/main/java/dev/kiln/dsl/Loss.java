package dev.kiln.dsl;

/** The training loss, applied to the last layer's output; every loss is the mean over the batch. */
public enum Loss {
  /**
   * Softmax over the outputs, then cross-entropy with the labels (one-hot or a distribution per
   * row, {@code [batch, classes]}). The last layer's outputs are logits; do not put a softmax
   * activation on it. With {@link TrainingConfig#labelSmoothing()} {@code ε} the target becomes
   * {@code (1 - ε)·labels + ε / classes}. PyTorch: {@code F.cross_entropy(logits, target,
   * label_smoothing=ε)}; Keras: {@code CategoricalCrossentropy(from_logits=True)}.
   */
  SOFTMAX_CROSS_ENTROPY,
  /**
   * Mean squared error over all {@code batch × outputs} elements. PyTorch: {@code F.mse_loss}
   * (reduction 'mean'); Keras: {@code MeanSquaredError}.
   */
  MSE,
  /**
   * Sigmoid then binary cross-entropy, fused and numerically stable, averaged over all elements;
   * labels in [0, 1]. PyTorch: {@code F.binary_cross_entropy_with_logits}; Keras: {@code
   * BinaryCrossentropy(from_logits=True)}.
   */
  SIGMOID_BINARY_CROSS_ENTROPY
}
