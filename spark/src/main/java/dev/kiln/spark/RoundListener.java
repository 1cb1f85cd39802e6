package dev.kiln.spark;

import dev.kiln.runtime.train.Trainer;

/**
 * Told on the driver after each averaging round, and at each epoch's end. An exception thrown
 * here ends {@link SparkTraining#fit} (the checkpoint of the round, if one was due, is already
 * written).
 */
public interface RoundListener {
  /**
   * After a round: {@code trainer} holds the averaged state.
   *
   * @param trainer the driver's trainer (read it; changing it changes the run)
   */
  void onRound(RoundMetrics metrics, Trainer trainer);

  /**
   * After the last round of epoch {@code epoch} (from 1), before {@link Trainer#endEpoch}: the
   * place to evaluate. Returns the validation loss that {@code endEpoch} passes to a {@code
   * ReduceOnPlateau} schedule, or NaN for none (the default).
   */
  default double onEpochEnd(int epoch, Trainer trainer) {
    return Double.NaN;
  }
}
