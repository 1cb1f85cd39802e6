package dev.kiln.samples.gpt;

import dev.kiln.runtime.data.CharCorpus;
import dev.kiln.runtime.tensor.SplitMix64;

/** A small seeded text for the GPT tests: 12 words of 17 letters in lines, 4,000 characters. */
final class Corpora {
  private static final String[] WORDS = {"the", "cat", "sat", "on", "a", "mat", "dog", "ran",
      "to", "hen", "and", "tom"};

  private Corpora() {}

  static String text() {
    SplitMix64 random = new SplitMix64(11);
    StringBuilder s = new StringBuilder();
    while (s.length() < 4000) {
      int words = 3 + random.nextInt(4);
      for (int w = 0; w < words; w++) {
        s.append(w == 0 ? "" : " ").append(WORDS[random.nextInt(WORDS.length)]);
      }
      s.append(".\n");
    }
    return s.toString();
  }

  static CharCorpus corpus() {
    return CharCorpus.of(text(), "test text");
  }
}
