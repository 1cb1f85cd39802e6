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
