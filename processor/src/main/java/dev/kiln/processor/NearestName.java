package dev.kiln.processor;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/** "Did you mean": the known name closest to a misspelt one, by edit distance. */
final class NearestName {
  private NearestName() {}

  /**
   * The simple name among {@code qualifiedNames} within edit distance 2 of {@code written}'s
   * simple name (case ignored), the closest first; empty if none is that close.
   */
  static Optional<String> among(String written, Collection<String> qualifiedNames) {
    String target = simple(written).toLowerCase(Locale.ROOT);
    String best = null;
    int bestDistance = 3;
    for (String q : qualifiedNames) {
      String candidate = simple(q);
      int d = distance(target, candidate.toLowerCase(Locale.ROOT));
      if (d < bestDistance) {
        best = candidate;
        bestDistance = d;
      }
    }
    return Optional.ofNullable(best);
  }

  private static String simple(String name) {
    return name.substring(name.lastIndexOf('.') + 1);
  }

  /** Levenshtein distance. */
  static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitute, Math.min(previous[j] + 1, current[j - 1] + 1));
      }
      int[] t = previous;
      previous = current;
      current = t;
    }
    return previous[b.length()];
  }
}
