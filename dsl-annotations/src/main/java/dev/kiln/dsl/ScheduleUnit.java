package dev.kiln.dsl;

/**
 * What a schedule's {@code t} counts. Kiln applies every schedule per optimizer step; with {@link
 * #EPOCH} the schedule's formula is evaluated at the epoch index {@code floor(step /
 * batchesPerEpoch)}, which is what PyTorch gives when {@code scheduler.step()} is called once per
 * epoch instead of once per batch. The batches per epoch are known when {@code fit} starts.
 */
public enum ScheduleUnit {
  /** {@code t} counts optimizer steps (batches), from 0. The default. */
  STEP,
  /** {@code t} counts finished epochs: the rate changes only at epoch boundaries. */
  EPOCH
}
