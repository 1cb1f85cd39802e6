package dev.kiln.runtime.optim;

import dev.kiln.runtime.tensor.Tensor;

import java.nio.FloatBuffer;

/**
 * Gradient accumulation over {@code steps} consecutive batches, built once by a generated trainer:
 * each batch's gradients, already computed into the {@link ParameterSet}'s gradient buffers, are
 * added to running sums as {@code g/steps}; on the {@code steps}-th batch the mean is written back
 * into the gradient buffers, where clipping, regularization and the optimizer find it, and the
 * sums start over. The mean of the batch means is the plain average (as Keras 3's {@code
 * gradient_accumulation_steps} and PyTorch's {@code loss / k} recipe): for batches of equal size
 * {@code b} it is the gradient of one batch of {@code steps·b}. Scaling each term by {@code
 * 1/steps} keeps the sums finite for finite gradients. Nothing is allocated after construction.
 */
public final class GradientAccumulator {
  private final Tensor[] gradients;
  private final Tensor[] sums;
  private final java.util.Map<String, Tensor> state;
  private final int steps;
  private final float scale;
  private int pending;

  /**
   * @param steps batches per optimizer step, at least 1
   * @throws IllegalArgumentException if {@code steps < 1}
   */
  public GradientAccumulator(ParameterSet parameters, int steps) {
    if (steps < 1) {
      throw new IllegalArgumentException("accumulation steps must be at least 1, got " + steps);
    }
    this.gradients = parameters.gradients();
    this.steps = steps;
    this.scale = 1f / steps;
    this.sums = new Tensor[gradients.length];
    java.util.Map<String, Tensor> named = new java.util.LinkedHashMap<>();
    for (int i = 0; i < sums.length; i++) {
      sums[i] = Tensor.zeros(gradients[i].array().shape());
      named.put(parameters.name(i), sums[i]);
    }
    this.state = java.util.Collections.unmodifiableMap(named);
  }

  /**
   * Adds the current batch's gradients.
   *
   * @return true when this was the last batch of a group: the gradient buffers then hold the
   *     mean over the group and the sums are empty again; false while batches are missing (the
   *     gradient buffers are then scratch)
   */
  public boolean add() {
    boolean last = pending == steps - 1;
    for (int i = 0; i < gradients.length; i++) {
      FloatBuffer g = gradients[i].data();
      FloatBuffer s = sums[i].data();
      int n = gradients[i].length();
      if (pending == 0 && !last) {
        for (int k = 0; k < n; k++) {
          s.put(k, g.get(k) * scale);
        }
      } else if (!last) {
        for (int k = 0; k < n; k++) {
          s.put(k, s.get(k) + g.get(k) * scale);
        }
      } else if (pending > 0) {
        for (int k = 0; k < n; k++) {
          g.put(k, s.get(k) + g.get(k) * scale);
        }
      } // steps == 1: the gradients are already the mean
    }
    pending = last ? 0 : pending + 1;
    return last;
  }

  /** Batches added since the last optimizer step, in {@code [0, steps)}. */
  public int pending() {
    return pending;
  }

  /** Batches per optimizer step. */
  public int steps() {
    return steps;
  }

  /** The running sums by parameter name (live), for checkpoints taken between batches. */
  public java.util.Map<String, Tensor> state() {
    return state;
  }

  /**
   * Restores {@link #pending()} from a checkpoint.
   *
   * @throws IllegalArgumentException unless {@code 0 <= pending < steps}
   */
  public void restorePending(int pending) {
    if (pending < 0 || pending >= steps) {
      throw new IllegalArgumentException("pending must be in [0, " + steps + "), got " + pending);
    }
    this.pending = pending;
  }

  /** Drops the batches added since the last optimizer step. */
  public void clear() {
    pending = 0;
  }
}
