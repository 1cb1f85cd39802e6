package dev.kiln.processor.model;

/**
 * What an array of the network is: a trainable parameter (the runtime's {@code ParameterKind}
 * names the first four) or a running statistic, which the step updates but no optimizer does.
 */
public enum ParamKind {
  WEIGHT,
  BIAS,
  GAMMA,
  BETA,
  RUNNING_MEAN,
  RUNNING_VAR;

  /** Whether an optimizer updates it (every kind but the running statistics). */
  public boolean trainable() {
    return this != RUNNING_MEAN && this != RUNNING_VAR;
  }

  /**
   * Whether it is a "weight" for {@code @L1}, {@code @L2}, {@code @WeightDecay}, pruning and
   * clipping scopes (DESIGN.md: dense, convolution, attention-projection and embedding weights).
   */
  public boolean isWeight() {
    return this == WEIGHT;
  }
}
