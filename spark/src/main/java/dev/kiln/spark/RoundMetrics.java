package dev.kiln.spark;

/**
 * What one averaging round did: every worker took {@code steps} optimizer steps from the same
 * state, then the states were averaged.
 *
 * @param round the round, from 1 (continuing its count after a resume)
 * @param epoch the epoch the round belongs to, from 1 (a round never spans two epochs)
 * @param firstStep the global optimizer step the round started at (the trainer's {@code
 *     iteration()} before it): the step the learning-rate schedule used first
 * @param steps optimizer steps each worker took, {@code averageEvery} or fewer at an epoch's end
 * @param loss mean training data loss over every row of the round, all workers together
 * @param samples rows trained on in the round, all workers together: {@code workers × steps ×
 *     batchSize}
 * @param seconds the round's wall time on the driver, from broadcasting the state to the
 *     averaged state being back in the driver's trainer
 * @param computeSeconds the longest time one worker spent in its training steps
 * @param averagingSeconds {@code seconds - computeSeconds}: everything that is not training:
 *     scheduling, broadcast, restoring and capturing state, serialisation, {@code treeAggregate}
 * @param learningRate the rate of the round's first step
 */
public record RoundMetrics(long round, int epoch, long firstStep, int steps, double loss,
    long samples, double seconds, double computeSeconds, double averagingSeconds,
    double learningRate) {

  /** Rows per second of wall time over the round, all workers together. */
  public double samplesPerSecond() {
    return samples / seconds;
  }

  @Override
  public String toString() {
    return String.format(java.util.Locale.ROOT, "round %d (epoch %d, steps %d-%d): loss %.4f,"
        + " %.0f samples/s, %.1f ms (%.1f ms averaging), lr %.5f", round, epoch, firstStep,
        firstStep + steps - 1, loss, samplesPerSecond(), seconds * 1e3, averagingSeconds * 1e3,
        learningRate);
  }
}
