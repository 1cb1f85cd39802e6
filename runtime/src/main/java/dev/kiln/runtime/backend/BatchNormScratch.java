package dev.kiln.runtime.backend;

/**
 * One batch-normalisation layer's settings and the scratch its kernels keep between the forward
 * and the backward pass (the batch statistics), made once per layer by {@link
 * Kernels#batchNormScratch} in the form the chosen kernels use.
 */
public abstract class BatchNormScratch {
  private final int channels;
  private final double momentum;
  private final double epsilon;

  /**
   * @param channels {@code C}, at least 1
   * @throws IllegalArgumentException for fewer than 1 channel
   */
  protected BatchNormScratch(int channels, double momentum, double epsilon) {
    if (channels < 1) {
      throw new IllegalArgumentException("batch norm: expected at least 1 channel, got " + channels);
    }
    this.channels = channels;
    this.momentum = momentum;
    this.epsilon = epsilon;
  }

  /** The number of channels {@code C}. */
  public final int channels() {
    return channels;
  }

  /** The weight of the new batch in the running statistics. */
  public final double momentum() {
    return momentum;
  }

  /** The constant added to the variance. */
  public final double epsilon() {
    return epsilon;
  }
}
