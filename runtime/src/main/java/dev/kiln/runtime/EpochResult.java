package dev.kiln.runtime;

/**
 * What one epoch of {@link Training#fit} measured.
 *
 * @param epoch the epoch, from 1
 * @param trainLoss mean training loss per sample over the epoch's steps (train mode)
 * @param validation eval-mode loss and accuracy on the validation set, or null without one
 * @param seconds wall time of the epoch's steps, evaluation excluded
 * @param samplesPerSecond training samples per second of wall time
 * @param learningRate the rate the next step will use
 */
public record EpochResult(int epoch, double trainLoss, Evaluation validation, double seconds,
    double samplesPerSecond, double learningRate) {}
