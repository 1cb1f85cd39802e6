package dev.kiln.spark;

import dev.kiln.runtime.checkpoint.Checkpoint;
import dev.kiln.runtime.checkpoint.CheckpointException;
import dev.kiln.runtime.checkpoint.TrainingState;
import java.io.Serializable;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A trainer's whole {@link TrainingState} flattened for Spark: every registered array (parameters,
 * batch-norm statistics, optimizer buffers) concatenated in registration order into one {@code
 * float[]}, and every counter (steps, generator states, schedule state as raw double bits, extras)
 * in a {@code long[]}, with the names, shapes and fingerprint needed to turn it back into a
 * {@link Checkpoint} and restore it. What the driver broadcasts each round.
 */
final class StateVector implements Serializable {
  private static final long serialVersionUID = 1L;
  /**
   * Counters that are random-generator states: each worker draws its own stream from them
   * ({@link #forShard}) and the driver advances them itself ({@link #advanceRandom}); they are not
   * averaged.
   */
  static final Set<String> RANDOM_COUNTERS = Set.of("dropoutRandom");

  final String[] names;
  final long[][] shapes;
  final int[] offsets;
  final LinkedHashMap<String, String> fingerprint;
  final String[] counterNames;
  final long[] counters;
  final float[] values;

  private StateVector(String[] names, long[][] shapes, int[] offsets,
      LinkedHashMap<String, String> fingerprint, String[] counterNames, long[] counters,
      float[] values) {
    this.names = names;
    this.shapes = shapes;
    this.offsets = offsets;
    this.fingerprint = fingerprint;
    this.counterNames = counterNames;
    this.counters = counters;
    this.values = values;
  }

  /** The state of {@code state} now (a copy). */
  static StateVector capture(TrainingState state) {
    Checkpoint c = state.capture();
    int n = c.arrays().size();
    String[] names = new String[n];
    long[][] shapes = new long[n][];
    int[] offsets = new int[n + 1];
    int i = 0;
    for (Map.Entry<String, Checkpoint.Array> e : c.arrays().entrySet()) {
      names[i] = e.getKey();
      shapes[i] = e.getValue().shape();
      offsets[i + 1] = Math.addExact(offsets[i], e.getValue().values().length);
      i++;
    }
    float[] values = new float[offsets[n]];
    i = 0;
    for (Checkpoint.Array a : c.arrays().values()) {
      System.arraycopy(a.values(), 0, values, offsets[i++], a.values().length);
    }
    String[] counterNames = c.counters().keySet().toArray(new String[0]);
    long[] counters = new long[counterNames.length];
    for (int k = 0; k < counters.length; k++) {
      counters[k] = c.counters().get(counterNames[k]);
    }
    return new StateVector(names, shapes, offsets, new LinkedHashMap<>(c.fingerprint()),
        counterNames, counters, values);
  }

  /** The same layout with other values and counters. */
  StateVector with(float[] newValues, long[] newCounters) {
    return new StateVector(names, shapes, offsets, fingerprint, counterNames, newCounters,
        newValues);
  }

  /** Number of floats: parameters, statistics and optimizer buffers together. */
  int length() {
    return values.length;
  }

  /** Restores {@code state} to this, all or nothing (see {@link TrainingState#restore}). */
  void restoreInto(TrainingState state, String source) throws CheckpointException {
    state.restore(toCheckpoint(counters), source);
  }

  /**
   * This state as worker {@code shard} starts it: each random-generator counter {@code s}
   * becomes {@code mix(s ⊕ mix(shard + 1))}, so workers draw different dropout masks.
   */
  StateVector forShard(int shard) {
    long[] own = counters.clone();
    for (int k = 0; k < own.length; k++) {
      if (RANDOM_COUNTERS.contains(counterNames[k])) {
        own[k] = ShardOrder.mix(own[k] ^ ShardOrder.mix(shard + 1L));
      }
    }
    return with(values, own);
  }

  /** Whether counter {@code k} is a random-generator state. */
  boolean isRandom(int k) {
    return RANDOM_COUNTERS.contains(counterNames[k]);
  }

  /** The driver's generator state after a round: {@code mix(s)}. */
  static long advanceRandom(long state) {
    return ShardOrder.mix(state);
  }

  /**
   * The values of {@code state} now, in this layout.
   *
   * @throws IllegalStateException if the trainer registers other arrays or counters
   */
  float[] valuesOf(Checkpoint c, long[] countersOut) {
    if (c.arrays().size() != names.length || c.counters().size() != counterNames.length) {
      throw new IllegalStateException("the worker's trainer has " + c.arrays().size()
          + " arrays and " + c.counters().size() + " counters, the driver's " + names.length
          + " and " + counterNames.length + ": the factory builds different trainers");
    }
    float[] out = new float[values.length];
    for (int i = 0; i < names.length; i++) {
      Checkpoint.Array a = c.arrays().get(names[i]);
      if (a == null || a.values().length != offsets[i + 1] - offsets[i]) {
        throw new IllegalStateException("the worker's trainer has no array " + names[i]
            + " of " + (offsets[i + 1] - offsets[i]) + " values");
      }
      System.arraycopy(a.values(), 0, out, offsets[i], a.values().length);
    }
    for (int k = 0; k < counterNames.length; k++) {
      Long v = c.counters().get(counterNames[k]);
      if (v == null) {
        throw new IllegalStateException("the worker's trainer has no counter " + counterNames[k]);
      }
      countersOut[k] = v;
    }
    return out;
  }

  private Checkpoint toCheckpoint(long[] counterValues) {
    Map<String, Checkpoint.Array> arrays = new LinkedHashMap<>();
    for (int i = 0; i < names.length; i++) {
      arrays.put(names[i], new Checkpoint.Array(
          Arrays.copyOfRange(values, offsets[i], offsets[i + 1]), shapes[i]));
    }
    Map<String, Long> c = new LinkedHashMap<>();
    for (int k = 0; k < counterNames.length; k++) {
      c.put(counterNames[k], counterValues[k]);
    }
    return new Checkpoint("training", fingerprint, arrays, c);
  }
}
