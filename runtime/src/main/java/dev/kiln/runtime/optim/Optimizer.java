package dev.kiln.runtime.optim;

import dev.kiln.runtime.tensor.Tensor;

import java.util.Map;

/**
 * Updates parameters in place from their gradients. One instance per trainer; its state (moment
 * buffers, step counts) is allocated once in the constructor, so {@link #update} allocates
 * nothing.
 */
public interface Optimizer {
  /**
   * One update of every parameter of the set the optimizer was built for.
   *
   * @param learningRate the scheduled rate for this step
   */
  void update(double learningRate);

  /**
   * As {@link #update}, but an update that would write NaN or an infinity into a parameter or a
   * buffer (a learning rate too large, an overflowing moment estimate) is undone and refused
   * with {@link NonFiniteUpdateException}: the step of the {@code ERROR} and {@code SKIP_STEP}
   * non-finite policies. Kiln's optimizers check only when a bound computed from the arguments
   * (no pass over the data) says an overflow is possible; this default does not check.
   *
   * @param gradientBound an upper bound on every gradient element's magnitude before
   *     regularization, such as the step's pre-clip gradient norm (any p-norm, p >= 1)
   * @param l1 the largest L1 coefficient added to the gradients before the update (0 for none)
   * @param l2 the largest coupled L2 coefficient added to the gradients before the update, not
   *     counting what the optimizer adds itself (0 for none)
   * @throws NonFiniteUpdateException after undoing the update, naming step, layer and tensor
   */
  default void updateChecked(double learningRate, double gradientBound, double l1, double l2) {
    update(learningRate);
  }

  /**
   * The optimizer's state arrays by name ({@code <param>.<buffer>}, for example {@code
   * hidden1.weight.momentum_buffer}), as live views: for checkpoints.
   */
  Map<String, Tensor> state();

  /** Scalar state (step counts) for checkpoints; restored through {@link #restoreSteps}. */
  long steps();

  /** Restores the step count saved from {@link #steps()}. */
  void restoreSteps(long steps);

  /**
   * The momentum the next update uses, for schedules that cycle it (OneCycle); NaN for an
   * optimizer without one.
   */
  default double momentum() {
    return Double.NaN;
  }

  /** Sets the momentum for the next updates (OneCycle); unsupported by default. */
  default void setMomentum(double momentum) {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " has no momentum");
  }
}
