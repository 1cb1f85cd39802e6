package dev.kiln.samples.cli;

import java.util.Comparator;
import java.util.List;

/** "Did you mean" for values picocli does not check itself (model ids, normalisation kinds). */
final class Suggest {
  private Suggest() {}

  /** {@code "; did you mean X?"} for the closest known word within a few edits, else "". */
  static String didYouMean(String typed, List<String> known) {
    return known.stream().min(Comparator.comparingInt(k -> distance(typed, k)))
        .filter(k -> distance(typed, k) <= Math.max(2, k.length() / 3))
        .map(k -> "; did you mean " + k + "?").orElse("");
  }

  /** Levenshtein distance. */
  static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
