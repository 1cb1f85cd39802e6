package dev.kiln.runtime;

/** Callbacks from {@link Training#fit}; every method has an empty default. */
public interface TrainingListener {
  /**
   * After each optimizer step. Called on the training thread: keep it cheap and allocation-free.
   *
   * @param iteration steps taken so far, including this one
   * @param loss this step's mean data loss
   */
  default void onStep(Trainer trainer, long iteration, int epoch, float loss) {}

  /** After each epoch, with its measurements. */
  default void onEpochEnd(Trainer trainer, EpochResult result) {}
}
