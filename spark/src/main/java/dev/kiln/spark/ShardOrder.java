package dev.kiln.spark;

import dev.kiln.runtime.tensor.SplitMix64;

/**
 * The order in which a worker visits its shard in an epoch: a Fisher-Yates shuffle (as {@code
 * dev.kiln.runtime.data.Batches}) driven by SplitMix64 seeded from the run's seed, the epoch and
 * the shard, so a task computes it alone and a retried task computes the same.
 */
public final class ShardOrder {
  private ShardOrder() {}

  /**
   * The generator seed of shard {@code shard} in epoch {@code epoch}: {@code mix(seed ⊕
   * mix(epoch + 1) ⊕ mix(mix(shard + 1)))} with SplitMix64's output function {@code mix}.
   */
  public static long seed(long runSeed, int epoch, int shard) {
    return runSeed ^ mix(epoch + 1L) ^ mix(mix(shard + 1L));
  }

  /**
   * Row positions {@code 0..size-1} of a shard in the order epoch {@code epoch} (from 0) visits
   * them; the identity when {@code shuffle} is off.
   */
  public static int[] order(long runSeed, int epoch, int shard, int size, boolean shuffle) {
    int[] order = new int[size];
    for (int i = 0; i < size; i++) {
      order[i] = i;
    }
    if (shuffle) {
      SplitMix64 rng = new SplitMix64(seed(runSeed, epoch, shard));
      for (int i = size - 1; i > 0; i--) {
        int j = rng.nextInt(i + 1);
        int t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
    }
    return order;
  }

  /** SplitMix64's output function (Steele, Lea and Flood 2014), a bijection on longs. */
  public static long mix(long z) {
    z += 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
