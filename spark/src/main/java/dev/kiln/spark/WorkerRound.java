package dev.kiln.spark;

import dev.kiln.runtime.train.Trainer;
import java.nio.FloatBuffer;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;

/**
 * One worker's part of a round, run as a Spark task on its cached shard: restore the broadcast
 * state, take the round's steps on the shard's batches, return the resulting state. Deterministic
 * given the broadcast and the shard, so a retried or speculative attempt returns the same bits.
 */
final class WorkerRound implements FlatMapFunction<Iterator<Shard>, Partial> {
  private static final long serialVersionUID = 1L;
  private final Broadcast<RoundTask> broadcast;
  private final TrainerFactory<?> factory;

  WorkerRound(Broadcast<RoundTask> broadcast, TrainerFactory<?> factory) {
    this.broadcast = broadcast;
    this.factory = factory;
  }

  @Override
  public Iterator<Partial> call(Iterator<Shard> shards) throws Exception {
    if (!shards.hasNext()) {
      return List.<Partial>of().iterator();
    }
    Shard shard = shards.next();
    RoundTask task = broadcast.value();
    TrainerPool.Slot slot = TrainerPool.take(task.runId(), factory);
    Partial p = run(task, shard, slot);
    TrainerPool.give(task.runId(), slot);
    return List.of(p).iterator();
  }

  /** The round on one shard with one trainer; public to the package for tests. */
  static Partial run(RoundTask task, Shard shard, TrainerPool.Slot slot) throws Exception {
    Trainer trainer = slot.trainer;
    StateVector start = task.state().forShard(shard.index);
    start.restoreInto(trainer.trainingState(), "the round's broadcast state");
    int[] order = slot.order(task, shard);
    int b = task.batchSize();
    int inputs = trainer.featureBuffer().size(1);
    int outputs = trainer.labelBuffer().size(1);
    FloatBuffer x = trainer.featureBuffer().data();
    FloatBuffer y = trainer.labelBuffer().data();
    double lossSum = 0;
    long begin = System.nanoTime();
    for (int s = task.firstStep(); s < task.firstStep() + task.steps(); s++) {
      for (int r = 0; r < b; r++) {
        int row = order[s * b + r];
        x.put(r * inputs, shard.features, row * inputs, inputs);
        y.put(r * outputs, shard.labels, row * outputs, outputs);
      }
      lossSum += (double) trainer.stepBuffered(b) * b;
    }
    long nanos = System.nanoTime() - begin;
    long[] counters = new long[start.counters.length];
    float[] values = start.valuesOf(trainer.trainingState().capture(), counters);
    for (int k = 0; k < counters.length; k++) {
      if (start.isRandom(k)) {
        counters[k] = 0; // each worker's own stream; the driver advances its own
      }
    }
    return Partial.of(values, counters, lossSum, (long) task.steps() * b, nanos);
  }
}
