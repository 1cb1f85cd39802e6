package dev.kiln.runtime.train;

/**
 * What one epoch of {@link Training#fit} measured.
 *
 * @param epoch the epoch, from 1
 * @param trainLoss mean training loss per sample over the epoch's steps (train mode)
 * @param validation eval-mode loss and accuracy on the validation set, or null without one
 * @param seconds wall time of the epoch's steps, evaluation excluded
 * @param samplesPerSecond training samples per second of wall time
 * @param learningRate the rate the next step will use
 * @param trainAccuracy the fraction of the epoch's training samples whose train-mode output (as
 *     computed by each step, before its update) picked the labelled class, as Keras's running
 *     {@code accuracy}; NaN where the trainer does not expose its outputs
 * @param samples the training samples the epoch's steps saw (rows of every batch trained; a batch
 *     skipped for a non-finite gradient does not count); 0 where not measured
 */
public record EpochResult(int epoch, double trainLoss, Evaluation validation, double seconds,
    double samplesPerSecond, double learningRate, double trainAccuracy, long samples) {
  /** A result without a training accuracy (NaN) or sample count (0). */
  public EpochResult(int epoch, double trainLoss, Evaluation validation, double seconds,
      double samplesPerSecond, double learningRate) {
    this(epoch, trainLoss, validation, seconds, samplesPerSecond, learningRate, Double.NaN, 0);
  }

  /** A result without a sample count (0). */
  public EpochResult(int epoch, double trainLoss, Evaluation validation, double seconds,
      double samplesPerSecond, double learningRate, double trainAccuracy) {
    this(epoch, trainLoss, validation, seconds, samplesPerSecond, learningRate, trainAccuracy, 0);
  }
}
