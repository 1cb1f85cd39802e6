package dev.kiln.runtime.checkpoint;

import dev.kiln.runtime.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * Everything a trainer must save to resume bit-exactly, registered once when the trainer is
 * built: live tensors (parameters, batch-norm statistics, optimizer buffers, masks) and counters
 * (steps, random-generator states, schedule state), plus a fingerprint of the model and
 * configuration. {@link #save} writes a checkpoint atomically; {@link #restore} checks the whole
 * file (CRCs, fingerprint, every entry present with the right shape) before changing anything.
 *
 * <p>Callers outside the trainer (the {@code fit} loop) keep their own position here as
 * <em>extras</em>: named counters saved with the state and read back after a restore.
 */
public final class TrainingState {
  private final Fingerprint fingerprint;
  private final Map<String, Tensor> arrays = new LinkedHashMap<>();
  private final Map<String, LongSupplier> getters = new LinkedHashMap<>();
  private final Map<String, LongConsumer> setters = new LinkedHashMap<>();
  private final Map<String, Long> extras = new LinkedHashMap<>();
  private final Map<String, float[]> extraArrays = new LinkedHashMap<>();
  /** The entry-name prefix of extra arrays in a checkpoint. */
  private static final String EXTRA_ARRAY = "extra/";

  /** @param fingerprint what a checkpoint must match (its prose form for older files too) */
  public TrainingState(Fingerprint fingerprint) {
    this.fingerprint = java.util.Objects.requireNonNull(fingerprint, "fingerprint");
  }

  /** Registers a live tensor under {@code name}. */
  public TrainingState array(String name, Tensor tensor) {
    if (arrays.put(name, tensor) != null) {
      throw new IllegalArgumentException("duplicate state array " + name);
    }
    return this;
  }

  /** Registers every tensor of {@code named} with a prefix. */
  public TrainingState arrays(String prefix, Map<String, Tensor> named) {
    named.forEach((k, v) -> array(prefix + k, v));
    return this;
  }

  /** Registers a counter read by {@code get} and restored through {@code set}. */
  public TrainingState counter(String name, LongSupplier get, LongConsumer set) {
    if (getters.put(name, get) != null) {
      throw new IllegalArgumentException("duplicate state counter " + name);
    }
    setters.put(name, set);
    return this;
  }

  /**
   * Registers a group of doubles saved bit-exactly (as raw long bits): {@code get} returns them,
   * {@code set} receives them on restore, in one call.
   */
  public TrainingState doubles(String name, java.util.function.Supplier<double[]> get,
      java.util.function.Consumer<double[]> set) {
    return counter(name + ".length", () -> get.get().length, v -> {})
        .groupRestorer(name, get, set);
  }

  private final Map<String, java.util.function.Consumer<Checkpoint>> groups =
      new LinkedHashMap<>();
  private final Map<String, java.util.function.Supplier<double[]>> groupGetters =
      new LinkedHashMap<>();

  private TrainingState groupRestorer(String name, java.util.function.Supplier<double[]> get,
      java.util.function.Consumer<double[]> set) {
    groupGetters.put(name, get);
    groups.put(name, checkpoint -> {
      int n = (int) (long) checkpoint.counters().get(name + ".length");
      double[] values = new double[n];
      for (int i = 0; i < n; i++) {
        values[i] = Double.longBitsToDouble(checkpoint.counters().get(name + "." + i));
      }
      set.accept(values);
    });
    return this;
  }

  /** Sets an extra counter saved with the state (for example the fit loop's position). */
  public void setExtra(String name, long value) {
    extras.put(name, value);
  }

  /** Removes every extra counter and extra array. */
  public void clearExtras() {
    extras.clear();
    extraArrays.clear();
  }

  /**
   * Sets an extra array saved with the state (entry {@code extra/<name>}), for what travels with
   * a checkpoint without being part of the trainer, such as the data's normaliser; a copy is
   * kept. Restoring a checkpoint replaces all extra arrays with the checkpoint's.
   */
  public void setExtraArray(String name, float[] values) {
    extraArrays.put(name, values.clone());
  }

  /** A copy of an extra array, or null when not set (or not in the restored checkpoint). */
  public float[] extraArray(String name) {
    float[] v = extraArrays.get(name);
    return v == null ? null : v.clone();
  }

  /** An extra counter, or null when not set (or not in the restored checkpoint). */
  public Long extra(String name) {
    return extras.get(name);
  }

  /** The fingerprint checkpoints must match. */
  public Fingerprint fingerprint() {
    return fingerprint;
  }

  /** The registered tensors (live). */
  public Map<String, Tensor> arrays() {
    return Collections.unmodifiableMap(arrays);
  }

  /** A snapshot of the state: copies of every tensor and counter. */
  public Checkpoint capture() {
    Map<String, Checkpoint.Array> copies = new LinkedHashMap<>();
    arrays.forEach((k, t) -> copies.put(k, new Checkpoint.Array(t.toFloatArray(),
        t.array().shape())));
    Map<String, Long> counters = new LinkedHashMap<>();
    getters.forEach((k, g) -> counters.put(k, g.getAsLong()));
    groupGetters.forEach((k, g) -> {
      double[] values = g.get();
      for (int i = 0; i < values.length; i++) {
        counters.put(k + "." + i, Double.doubleToRawLongBits(values[i]));
      }
    });
    extras.forEach((k, v) -> counters.put("extra." + k, v));
    extraArrays.forEach((k, v) -> copies.put(EXTRA_ARRAY + k, new Checkpoint.Array(v.clone(),
        new long[] {v.length})));
    return new Checkpoint("training", fingerprint.entries(), copies, counters);
  }

  /** Writes the state to {@code file} atomically. */
  public void save(Path file) throws IOException {
    CheckpointFile.write(file, capture());
  }

  /**
   * Restores the state from {@code file}, all or nothing.
   *
   * @throws CheckpointException if the file is unusable or belongs to another model or
   *     configuration (the message lists what differs); the state is then unchanged
   */
  public void restore(Path file) throws IOException {
    restore(CheckpointFile.read(file), file.toString());
  }

  /** Restores from a checkpoint already read; see {@link #restore(Path)}. */
  public void restore(Checkpoint checkpoint, String source) throws CheckpointException {
    check(checkpoint, source);
    arrays.forEach((k, t) -> t.setFrom(checkpoint.arrays().get(k).values()));
    setters.forEach((k, s) -> s.accept(checkpoint.counters().get(k)));
    groups.values().forEach(g -> g.accept(checkpoint));
    extras.clear();
    checkpoint.counters().forEach((k, v) -> {
      if (k.startsWith("extra.")) {
        extras.put(k.substring("extra.".length()), v);
      }
    });
    extraArrays.clear();
    checkpoint.arrays().forEach((k, v) -> {
      if (k.startsWith(EXTRA_ARRAY)) {
        extraArrays.put(k.substring(EXTRA_ARRAY.length()), v.values().clone());
      }
    });
  }

  private void check(Checkpoint checkpoint, String source) throws CheckpointException {
    if (!checkpoint.kind().equals("training")) {
      throw new CheckpointException(source + " is a " + checkpoint.kind() + " export, not a"
          + " training checkpoint: it has no optimizer state to resume from");
    }
    String difference = fingerprint.difference(checkpoint.fingerprint(), true);
    if (difference != null) {
      throw new CheckpointException(source + " was written for another model or configuration: "
          + difference);
    }
    for (Map.Entry<String, Tensor> e : arrays.entrySet()) {
      Checkpoint.Array a = checkpoint.arrays().get(e.getKey());
      if (a == null) {
        throw new CheckpointException(source + ": array " + e.getKey() + " is missing");
      }
      if (!Arrays.equals(a.shape(), e.getValue().array().shape())) {
        throw new CheckpointException(source + ": array " + e.getKey() + " has shape "
            + Arrays.toString(a.shape()) + ", expected "
            + Arrays.toString(e.getValue().array().shape()));
      }
    }
    for (String name : getters.keySet()) {
      if (!checkpoint.counters().containsKey(name)) {
        throw new CheckpointException(source + ": counter " + name + " is missing");
      }
    }
    for (String name : groupGetters.keySet()) {
      long n = checkpoint.counters().get(name + ".length");
      for (int i = 0; i < n; i++) {
        if (!checkpoint.counters().containsKey(name + "." + i)) {
          throw new CheckpointException(source + ": counter " + name + "." + i + " is missing");
        }
      }
    }
  }
}
