package dev.kiln.dsl;

/**
 * What a training step does when a gradient holds NaN or an infinity, checked after backward and
 * before clipping. Set it with {@code onNonFinite} on {@link ClipGradNorm}, {@link ClipGradValue} or
 * {@link TrainingConfig}; {@link #ERROR} when none is written.
 */
public enum NonFinitePolicy {
  /**
   * The step throws {@code dev.kiln.runtime.optim.NonFiniteGradientException} naming the step, the layer
   * and the parameter, and leaves parameters, optimizer state, batch-norm running statistics,
   * accumulated gradients and the step counter exactly as they were before it. PyTorch's {@code
   * clip_grad_norm_(..., error_if_nonfinite=True)}, but without any state change.
   */
  ERROR,
  /**
   * The step changes nothing (as {@link #ERROR}) and returns normally; the trainer counts it in
   * {@code skippedSteps()} and {@code fit} tells its listeners ({@code
   * TrainingListener.onSkippedStep}). Like a dynamic loss scaler skipping an overflowing step.
   */
  SKIP_STEP,
  /**
   * No check: the non-finite values flow into clipping and the update exactly as in PyTorch 1.13
   * with {@code error_if_nonfinite=False} (a NaN makes every clipped gradient NaN; an infinity
   * zeroes the finite ones and turns itself into NaN).
   */
  PROPAGATE
}
