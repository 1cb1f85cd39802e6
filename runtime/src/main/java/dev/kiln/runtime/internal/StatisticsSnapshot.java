package dev.kiln.runtime.internal;

import dev.kiln.runtime.tensor.Tensor;

/**
 * Copies of state a training step changes before it knows whether the step will be committed:
 * batch normalisation's running statistics, which the forward pass updates. A generated trainer
 * {@link #save saves} them before the forward pass and {@link #restore restores} them when it
 * rejects the step (a NaN or infinite gradient), so a rejected step leaves them bitwise unchanged.
 * The copies are allocated once, here.
 */
public final class StatisticsSnapshot {
  private final Tensor[] live;
  private final Tensor[] copies;

  /** Tracks {@code live}; each gets a copy of its own shape. */
  public StatisticsSnapshot(Tensor... live) {
    this.live = live.clone();
    this.copies = new Tensor[live.length];
    for (int i = 0; i < live.length; i++) {
      copies[i] = Tensor.zeros(live[i].array().shape());
    }
  }

  /** Copies the live values into the snapshot; allocates nothing. */
  public void save() {
    for (int i = 0; i < live.length; i++) {
      copies[i].data().put(0, live[i].data(), 0, live[i].length());
    }
  }

  /** Copies the snapshot back into the live values; allocates nothing. */
  public void restore() {
    for (int i = 0; i < live.length; i++) {
      live[i].data().put(0, copies[i].data(), 0, live[i].length());
    }
  }
}
