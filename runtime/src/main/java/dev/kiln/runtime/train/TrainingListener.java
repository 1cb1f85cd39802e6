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
   * After each batch that was trained (an optimizer step, or with gradient accumulation a batch
   * added to the step): {@link Training#fit} calls this one, whose default calls {@link
   * #onStep(Trainer, long, int, float)}. Called on the training thread: keep it cheap and
   * allocation-free. Keras's {@code on_train_batch_end} gets the batch's logs; PyTorch Lightning's
   * {@code on_train_batch_end} the batch.
   *
   * @param iteration optimizer steps taken so far, including this one
   * @param loss the batch's mean data loss
   * @param batchSize the rows of this batch (the last batch of an epoch may be smaller than the
   *     configured size)
   * @param learningRate the rate the step used: the schedule's rate before the step counted
   *     (the base rate of every layer; a layer's {@code @LearningRateScale} multiplies it)
   */
  default void onStep(Trainer trainer, long iteration, int epoch, float loss, int batchSize,
      double learningRate) {
    onStep(trainer, iteration, epoch, loss);
  }

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
