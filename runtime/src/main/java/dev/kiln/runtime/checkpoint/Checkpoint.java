package dev.kiln.runtime.checkpoint;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The contents of a checkpoint: float32 arrays by name, integer counters by name, and a
 * fingerprint of the model and training configuration (descriptive entries such as {@code
 * layers} or {@code optimizer}) that must match for a restore.
 *
 * @param kind what was saved: {@code training} (the whole trainer state) or {@code network}
 *     (an inference export: parameters and batch-norm statistics only)
 * @param fingerprint entry name to description; compared entry by entry on restore
 * @param arrays array name to its values (row-major) and shape
 * @param counters counter name to value (steps, random-generator states, positions)
 */
public record Checkpoint(String kind, Map<String, String> fingerprint,
    Map<String, Array> arrays, Map<String, Long> counters) {

  /** One float32 array: row-major values and shape. */
  public record Array(float[] values, long[] shape) {
    public Array {
      long n = 1;
      for (long d : shape) {
        n *= d;
      }
      if (n != values.length) {
        throw new IllegalArgumentException("shape " + java.util.Arrays.toString(shape) + " needs "
            + n + " values, got " + values.length);
      }
    }
  }

  public Checkpoint {
    fingerprint = Collections.unmodifiableMap(new LinkedHashMap<>(fingerprint));
    arrays = Collections.unmodifiableMap(new LinkedHashMap<>(arrays));
    counters = Collections.unmodifiableMap(new LinkedHashMap<>(counters));
  }
}
