package dev.kiln.spark;

import dev.kiln.runtime.train.Trainer;
import java.util.List;

/**
 * The outcome of {@link SparkTraining#fit}.
 *
 * @param trainer the driver's trainer holding the final averaged state; its network is the
 *     trained network ({@code trainer.network()} on a generated trainer)
 * @param rounds the metrics of every round this call ran (after a resume, only those)
 * @param workers the number of workers (shards)
 * @param stepsPerEpoch optimizer steps per epoch of each worker: {@code ⌊min shard rows /
 *     batchSize⌋}
 * @param rows the rows of the input RDD
 * @param <T> the trainer type
 */
public record SparkResult<T extends Trainer>(T trainer, List<RoundMetrics> rounds, int workers,
    int stepsPerEpoch, long rows) {
  public SparkResult {
    rounds = List.copyOf(rounds);
  }
}
