package dev.kiln.runtime.train;

import dev.kiln.runtime.data.TokenBatches;
import dev.kiln.runtime.ops.LossKind;

/**
 * {@code fit} for token models (language models declared with {@code @Model(vocabulary, context)}):
 * nanoGPT's training loop on Kiln's epoch loop. The training batches are random windows of a
 * corpus ({@link TokenBatches}, nanoGPT's {@code get_batch}); an "epoch" is an interval of {@link
 * TokenBatches#stepsPerEpoch()} batches, after which the validation loss is estimated ({@link
 * TokenValidation}, nanoGPT's {@code estimate_loss} every {@code eval_interval} iterations). So a
 * run of {@code I} iterations evaluated every {@code E} is {@code FitOptions.epochs(I / E)} with
 * {@code new TokenBatches(train, n, T, E, seed)}.
 *
 * <p>Everything else is {@link Training#fit}'s: the schedule planned for the whole run ({@code
 * AUTO} lengths), listeners ({@link TrainingListener#onStep} per step, {@link
 * TrainingListener#onEpochEnd} per interval with the validation loss and next-token accuracy),
 * early stopping on the validation loss, checkpoints (every N steps and at each interval's end) and
 * exact resume: the checkpoint keeps the windows' generator state at the interval's start and the
 * batches drawn since, so a resumed run draws the same batches and reaches the same losses as an
 * uninterrupted one. The running training accuracy is not reported (NaN).
 */
public final class TokenTraining {
  private TokenTraining() {}

  /**
   * Trains {@code options.epochs(trainer)} intervals of {@code train}'s batches.
   *
   * @param validation estimated after each interval; may be null unless early stopping is set
   * @param options epochs (intervals), early stopping, checkpoints, logging; its batch size and
   *     shuffle settings do not apply ({@code train} has its own); null for the defaults
   * @throws IllegalArgumentException if the trainer is not a token model's, the windows are not
   *     its context long, or the batch exceeds its compiled {@code BATCH_SIZE}; before the first
   *     step
   */
  public static FitResult fit(Trainer trainer, TokenBatches train, TokenValidation validation,
      FitOptions options, TrainingListener... listeners) {
    FitOptions o = options == null ? FitOptions.defaults() : options;
    if (trainer.loss() != LossKind.SOFTMAX_CROSS_ENTROPY) {
      throw new IllegalArgumentException("token fit trains with the softmax cross-entropy over"
          + " next tokens; this trainer's loss is " + trainer.loss());
    }
    int context = trainer.featureBuffer().size(1);
    if (trainer.labelBuffer().size(1) != context) {
      throw new IllegalArgumentException("token fit needs a token model's trainer (ids and"
          + " targets [n, T]); this one takes " + context + " features and "
          + trainer.labelBuffer().size(1) + " label columns");
    }
    if (train.context() != context) {
      throw new IllegalArgumentException("the training windows have " + train.context()
          + " tokens; the trainer steps on whole windows of its context " + context);
    }
    if (train.batchSize() > trainer.batchSize()) {
      throw new IllegalArgumentException("batch size " + train.batchSize() + " exceeds the"
          + " compiled BATCH_SIZE " + trainer.batchSize());
    }
    Training.Validation check = validation == null ? null : validation::run;
    return Training.loop(trainer, trainer.loss(), train, check, o, listeners, false);
  }
}
