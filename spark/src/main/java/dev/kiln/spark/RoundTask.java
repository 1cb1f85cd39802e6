package dev.kiln.spark;

import java.io.Serializable;

/**
 * What the driver broadcasts for one round: the state every worker starts from and which steps of
 * which epoch to take.
 *
 * @param runId identifies the run, so executors reuse their trainers within it
 * @param state the driver's averaged state
 * @param epoch the epoch, from 0
 * @param firstStep the first step within the epoch (from 0) of this round
 * @param steps steps each worker takes
 * @param batchSize rows per step of each worker
 * @param seed the run's seed (shuffling)
 * @param shuffle whether shards are visited in a shuffled order
 */
record RoundTask(String runId, StateVector state, int epoch, int firstStep, int steps,
    int batchSize, long seed, boolean shuffle) implements Serializable {}
