package dev.kiln.dsl;

/**
 * Over which gradients {@link ClipGradNorm} measures a norm; each group is scaled by {@code min(1,
 * maxNorm / (norm + 1e-6))} on its own.
 */
public enum ClipScope {
  /**
   * One norm over every gradient together: PyTorch's {@code torch.nn.utils.clip_grad_norm_(
   * model.parameters(), ...)}, Keras's {@code global_clipnorm}.
   */
  GLOBAL,
  /**
   * One norm per layer (a {@link Layer} field: its weight, bias, gamma and beta together): DL4J's
   * {@code GradientNormalization.ClipL2PerLayer}.
   */
  PER_LAYER,
  /**
   * One norm per parameter tensor ({@code hidden1.weight}, {@code hidden1.bias}, …): DL4J's
   * {@code GradientNormalization.ClipL2PerParamType}, Keras's per-variable {@code clipnorm}.
   */
  PER_PARAMETER
}
