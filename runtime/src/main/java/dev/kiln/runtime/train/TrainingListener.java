package dev.kiln.runtime.train;

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

  /**
   * After a batch the trainer skipped because a gradient held NaN or an infinity ({@code
   * onNonFinite = SKIP_STEP}): nothing was updated and {@link #onStep} is not called for it.
   * Called on the training thread.
   *
   * @param iteration optimizer steps taken so far (unchanged by the skipped batch)
   * @param skippedSteps batches skipped so far, including this one ({@link
   *     Trainer#skippedSteps()})
   */
  default void onSkippedStep(Trainer trainer, long iteration, int epoch, long skippedSteps) {}

  /** After each epoch, with its measurements. */
  default void onEpochEnd(Trainer trainer, EpochResult result) {}
}
