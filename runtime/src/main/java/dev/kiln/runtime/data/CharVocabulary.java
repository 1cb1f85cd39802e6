package dev.kiln.runtime.data;

import dev.kiln.runtime.checkpoint.TrainingState;
import java.util.Arrays;
import java.util.Optional;

/**
 * The characters of a character-level language model and their token ids: id {@code i} is the
 * {@code i}-th smallest of the distinct Unicode code points of the training text, as nanoGPT's
 * {@code shakespeare_char} ({@code stoi}/{@code itos} of the sorted characters). {@link
 * CharCorpus#characters()} makes one from a text.
 *
 * <p>A model's ids only mean something with the vocabulary they were trained with, so it travels
 * with the training state: {@link #attachTo} stores it in a {@link TrainingState} (the extra array
 * {@value #KEY}, the code points as floats, exact below 2^24), which every checkpoint written from
 * that state then carries; {@link #from} reads it back after {@code trainer.restore(file)}, so a
 * later command (evaluation, generation) decodes the same way:
 *
 * <pre>{@code
 * CharVocabulary characters = corpus.characters();
 * characters.attachTo(trainer.trainingState());   // before fit or save
 * ...
 * trainer.restore(checkpoint);
 * CharVocabulary same = CharVocabulary.from(trainer.trainingState()).orElseThrow();
 * String text = same.decode(ids, 0, ids.length);
 * }</pre>
 */
public final class CharVocabulary {
  /** The name of the extra array that holds the code points in a training state. */
  public static final String KEY = "vocabulary.codePoints";

  private final int[] codePoints;

  private CharVocabulary(int[] codePoints) {
    this.codePoints = codePoints;
  }

  /**
   * The vocabulary of the given code points, which must ascend strictly (id {@code i} is {@code
   * codePoints[i]}).
   *
   * @throws IllegalArgumentException for an empty array, a value that is not a Unicode code point,
   *     or values out of order or repeated (naming the first)
   */
  public static CharVocabulary of(int... codePoints) {
    if (codePoints.length == 0) {
      throw new IllegalArgumentException("a vocabulary needs at least one character");
    }
    for (int i = 0; i < codePoints.length; i++) {
      if (!Character.isValidCodePoint(codePoints[i])) {
        throw new IllegalArgumentException("code point " + codePoints[i] + " at " + i
            + " is not in [0, 0x10FFFF]");
      }
      if (i > 0 && codePoints[i] <= codePoints[i - 1]) {
        throw new IllegalArgumentException("code points must ascend strictly: "
            + codePoints[i - 1] + " then " + codePoints[i] + " at " + i);
      }
    }
    return new CharVocabulary(codePoints.clone());
  }

  /** Distinct characters {@code V}: ids are {@code [0, V)}. */
  public int size() {
    return codePoints.length;
  }

  /** The code point of each id, ascending (a copy). */
  public int[] codePoints() {
    return codePoints.clone();
  }

  /** Whether the text's every character is in this vocabulary. */
  public boolean covers(String text) {
    return text.codePoints().allMatch(c -> Arrays.binarySearch(codePoints, c) >= 0);
  }

  /**
   * The id of a character.
   *
   * @throws IllegalArgumentException naming the character if it is not in the vocabulary
   */
  public int encode(int codePoint) {
    int id = Arrays.binarySearch(codePoints, codePoint);
    if (id < 0) {
      String code = String.format(java.util.Locale.ROOT, "U+%04X", codePoint);
      String shown = Character.isISOControl(codePoint) || Character.isWhitespace(codePoint)
          ? code : "'" + new String(Character.toChars(codePoint)) + "' (" + code + ")";
      throw new IllegalArgumentException("character " + shown + " is not in the vocabulary of "
          + codePoints.length + " characters");
    }
    return id;
  }

  /**
   * The ids of a text's characters.
   *
   * @throws IllegalArgumentException for the first character not in the vocabulary
   */
  public int[] encode(String text) {
    return text.codePoints().map(this::encode).toArray();
  }

  /**
   * The text of {@code count} ids from {@code ids[from]}.
   *
   * @throws IllegalArgumentException for an id outside {@code [0, V)}, naming its index
   */
  public String decode(int[] ids, int from, int count) {
    StringBuilder out = new StringBuilder(count);
    for (int i = from; i < from + count; i++) {
      if (ids[i] < 0 || ids[i] >= codePoints.length) {
        throw new IllegalArgumentException("id " + ids[i] + " at " + i + " is outside [0, "
            + codePoints.length + ")");
      }
      out.appendCodePoint(codePoints[ids[i]]);
    }
    return out.toString();
  }

  /**
   * Stores this vocabulary in {@code state} (extra array {@value #KEY}), to be saved with every
   * checkpoint written from it; replaces one stored before.
   */
  public void attachTo(TrainingState state) {
    float[] values = new float[codePoints.length];
    for (int i = 0; i < values.length; i++) {
      values[i] = codePoints[i];
    }
    state.setExtraArray(KEY, values);
  }

  /**
   * The vocabulary stored in {@code state} (by {@link #attachTo}, or by restoring a checkpoint
   * that carries one); empty when there is none.
   *
   * @throws IllegalArgumentException if the stored values are not a vocabulary
   */
  public static Optional<CharVocabulary> from(TrainingState state) {
    float[] values = state.extraArray(KEY);
    if (values == null) {
      return Optional.empty();
    }
    int[] points = new int[values.length];
    for (int i = 0; i < values.length; i++) {
      if (values[i] != Math.rint(values[i])) {
        throw new IllegalArgumentException("stored vocabulary value " + values[i] + " at " + i
            + " is not a whole number");
      }
      points[i] = (int) values[i];
    }
    return Optional.of(of(points));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CharVocabulary v && Arrays.equals(codePoints, v.codePoints);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(codePoints);
  }

  /** The characters in id order, escaped where not printable, e.g. {@code "\n !&',-.3:;?A…"}. */
  @Override
  public String toString() {
    StringBuilder s = new StringBuilder(codePoints.length + 16).append(codePoints.length)
        .append(" characters \"");
    for (int c : codePoints) {
      if (c == '\n') {
        s.append("\\n");
      } else if (c == '"' || c == '\\') {
        s.append('\\').appendCodePoint(c);
      } else if (Character.isISOControl(c)) {
        s.append(String.format(java.util.Locale.ROOT, "\\u%04x", c));
      } else {
        s.appendCodePoint(c);
      }
    }
    return s.append('"').toString();
  }
}
