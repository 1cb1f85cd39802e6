package dev.kiln.runtime;

/** Callbacks from {@link Training#fit}; every method has an empty default. */
public interface TrainingListener {
  /**
   * Before each epoch's first step.
   *
   * @param epoch the epoch about to run, from 1
   * @param epochs the epochs planned for the run
   * @param steps optimizer steps this epoch will take
   */
  default void onEpochStart(Trainer trainer, int epoch, int epochs, int steps) {}

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
