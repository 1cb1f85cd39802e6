package dev.kiln.runtime.checkpoint;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * What a checkpoint must match, as data: the architecture and hyper-parameters as ordered {@code
 * key → value} entries ({@code layers.hidden1.dense.outputs = 256}, {@code optimizer.momentum =
 * 0.9}), compared field by field; a mismatch names the first differing field with the expected and
 * the found value. Descriptions can be reworded without breaking saved checkpoints.
 *
 * <p>Checkpoints written before fingerprints were structured hold one prose description per entry
 * ({@code model}, {@code optimizer} …); they have no {@link #FORMAT_KEY} entry. A fingerprint
 * carries the prose form its trainer would have written ({@link #legacy()}) so that such files
 * still load; they are compared as before, description by description.
 */
public final class Fingerprint {
  /** The entry that marks a structured fingerprint, with {@link #FORMAT} as its value. */
  public static final String FORMAT_KEY = "fingerprint.format";
  /** The structured format's version. */
  public static final String FORMAT = "2";

  private final Map<String, String> entries;
  private final Map<String, String> legacy;

  private Fingerprint(Map<String, String> entries, Map<String, String> legacy) {
    this.entries = Collections.unmodifiableMap(entries);
    this.legacy = Collections.unmodifiableMap(legacy);
  }

  /**
   * A structured fingerprint of {@code keysAndValues} (key, value, key, value …), in that order.
   *
   * @throws IllegalArgumentException for an odd count or a repeated key
   */
  public static Fingerprint of(String... keysAndValues) {
    Map<String, String> entries = new LinkedHashMap<>();
    entries.put(FORMAT_KEY, FORMAT);
    put(entries, keysAndValues);
    return new Fingerprint(entries, Map.of());
  }

  /** This fingerprint with the prose entries a version before structured fingerprints wrote. */
  public Fingerprint withLegacy(String... keysAndValues) {
    Map<String, String> prose = new LinkedHashMap<>();
    put(prose, keysAndValues);
    return new Fingerprint(new LinkedHashMap<>(entries), prose);
  }

  private static void put(Map<String, String> map, String... keysAndValues) {
    if (keysAndValues.length % 2 != 0) {
      throw new IllegalArgumentException("keys and values come in pairs, got "
          + keysAndValues.length + " strings");
    }
    for (int i = 0; i < keysAndValues.length; i += 2) {
      if (map.put(keysAndValues[i], keysAndValues[i + 1]) != null) {
        throw new IllegalArgumentException("duplicate fingerprint key " + keysAndValues[i]);
      }
    }
  }

  /** The structured entries, {@link #FORMAT_KEY} first: what new checkpoints record. */
  public Map<String, String> entries() {
    return entries;
  }

  /** The prose entries of the version before structured fingerprints (empty if none). */
  public Map<String, String> legacy() {
    return legacy;
  }

  /**
   * How {@code found} (a checkpoint's fingerprint) differs from this one, or null where it
   * matches. A structured {@code found} is compared field by field in this fingerprint's order
   * (then its own extra fields); the answer names the first difference and every other one in
   * its section (the keys before its last dot: {@code layers.logits.training.}, say). A prose
   * {@code found} is compared with {@link #legacy()}, listing every differing description.
   *
   * @param whole true to compare every entry (a training checkpoint against a trainer); false to
   *     compare only this fingerprint's entries (a network against a file that may hold a
   *     training configuration too)
   */
  public String difference(Map<String, String> found, boolean whole) {
    if (!FORMAT.equals(found.get(FORMAT_KEY))) {
      return legacyDifference(found, whole);
    }
    String first = null;
    for (Map.Entry<String, String> e : entries.entrySet()) {
      if (!e.getValue().equals(found.get(e.getKey()))) {
        first = e.getKey();
        break;
      }
    }
    if (first == null && whole) {
      first = found.keySet().stream().filter(k -> !entries.containsKey(k)).findFirst()
          .orElse(null);
    }
    if (first == null) {
      return null;
    }
    // Every difference in the first difference's section (a layer's training overrides, say):
    // the one that matters need not be the first in order.
    String section = first.substring(0, first.lastIndexOf('.') + 1);
    String only = first;
    Predicate<String> inSection =
        k -> section.isEmpty() ? k.equals(only) : k.startsWith(section);
    List<String> differences = new ArrayList<>();
    for (Map.Entry<String, String> e : entries.entrySet()) {
      String theirs = found.get(e.getKey());
      if (inSection.test(e.getKey()) && !e.getValue().equals(theirs)) {
        differences.add(e.getKey() + ": expected " + e.getValue() + ", found "
            + (theirs == null ? "nothing" : theirs));
      }
    }
    if (whole) {
      for (Map.Entry<String, String> e : found.entrySet()) {
        if (inSection.test(e.getKey()) && !entries.containsKey(e.getKey())) {
          differences.add(e.getKey() + ": expected nothing, found " + e.getValue());
        }
      }
    }
    return String.join("; ", differences);
  }

  private String legacyDifference(Map<String, String> found, boolean whole) {
    if (legacy.isEmpty()) {
      return "the file has an unstructured fingerprint and this model has no legacy form";
    }
    List<String> keys = new ArrayList<>(legacy.keySet());
    if (whole) {
      found.keySet().stream().filter(k -> !legacy.containsKey(k)).forEach(keys::add);
    }
    List<String> differences = new ArrayList<>();
    for (String key : keys) {
      String mine = legacy.get(key);
      String theirs = found.get(key);
      if (mine == null || !mine.equals(theirs)) {
        differences.add(key + ": checkpoint has " + (theirs == null ? "nothing" : "'" + theirs
            + "'") + ", this trainer has " + (mine == null ? "nothing" : "'" + mine + "'"));
      }
    }
    return differences.isEmpty() ? null : String.join("; ", differences);
  }

  @Override
  public String toString() {
    return entries.toString();
  }
}
