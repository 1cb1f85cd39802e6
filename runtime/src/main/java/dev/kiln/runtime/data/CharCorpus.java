package dev.kiln.runtime.data;

import dev.kiln.runtime.tensor.SplitMix64;
import dev.kiln.runtime.tensor.Tensor;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

/**
 * A character-level corpus for language models, as nanoGPT's {@code shakespeare_char}: the tokens
 * are the text's characters (Unicode code points), the vocabulary is the sorted distinct code
 * points (id {@code i} is the {@code i}-th smallest), the first 90 % of the tokens are for training
 * and the last 10 % for validation ({@code cut = floor(0.9·length)}). {@link Split#batch} draws
 * {@code n} windows of {@code t + 1} tokens at seeded random offsets into preallocated buffers:
 * inputs {@code [n, t]} and the next-token targets {@code [n, t]}; it allocates nothing.
 *
 * <p>Files are UTF-8, plain or gzip-compressed (recognised by the magic bytes {@code 1f 8b}, not
 * by the name); malformed UTF-8 is refused, naming the source.
 */
public final class CharCorpus {
  private static final double TRAIN_SHARE = 0.9;

  private final String source;
  private final int[] vocabulary;
  private final int[] tokens;
  private final Split train;
  private final Split validation;

  private CharCorpus(String source, String text) {
    this.source = source;
    int[] codePoints = text.codePoints().toArray();
    if (codePoints.length == 0) {
      throw new IllegalArgumentException(source + " is empty: a corpus needs at least one "
          + "character");
    }
    this.vocabulary = Arrays.stream(codePoints).distinct().sorted().toArray();
    this.tokens = new int[codePoints.length];
    for (int i = 0; i < codePoints.length; i++) {
      tokens[i] = Arrays.binarySearch(vocabulary, codePoints[i]);
    }
    int cut = (int) (TRAIN_SHARE * tokens.length);
    this.train = new Split("training", 0, cut);
    this.validation = new Split("validation", cut, tokens.length);
  }

  /**
   * Reads a UTF-8 text file, plain or gzip-compressed.
   *
   * @throws NoSuchFileException naming the file if it does not exist
   * @throws IOException if it cannot be read, or is not valid UTF-8 (naming the file)
   * @throws IllegalArgumentException if it holds no characters
   */
  public static CharCorpus read(Path file) throws IOException {
    if (!Files.exists(file)) {
      throw new NoSuchFileException(file.toString(), null, "no such text file");
    }
    try (InputStream in = Files.newInputStream(file)) {
      return read(in, file.toString());
    }
  }

  /**
   * Reads UTF-8 text, plain or gzip-compressed, from a stream (not closed).
   *
   * @param source names the text in messages and {@link #source()}
   * @throws IOException if the stream fails, a gzip stream is damaged (the message names {@code
   *     source}), or the text is not valid UTF-8
   * @throws IllegalArgumentException if it holds no characters
   */
  public static CharCorpus read(InputStream in, String source) throws IOException {
    BufferedInputStream buffered = new BufferedInputStream(in);
    buffered.mark(2);
    int b0 = buffered.read();
    int b1 = buffered.read();
    buffered.reset();
    byte[] bytes;
    if (b0 == 0x1f && b1 == 0x8b) {
      try {
        bytes = new GZIPInputStream(buffered).readAllBytes();
      } catch (IOException e) {
        throw new IOException(source + " starts as gzip but is not a readable gzip file ("
            + e.getMessage() + ")", e);
      }
    } else {
      bytes = buffered.readAllBytes();
    }
    try {
      String text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes)).toString();
      return new CharCorpus(source, text);
    } catch (CharacterCodingException e) {
      throw new IOException(source + " is not valid UTF-8 text", e);
    }
  }

  /**
   * A corpus of the given text.
   *
   * @throws IllegalArgumentException if it is empty
   */
  public static CharCorpus of(String text, String source) {
    return new CharCorpus(source, text);
  }

  /** Where the text came from (file name or the name given). */
  public String source() {
    return source;
  }

  /** Tokens in the whole text. */
  public int length() {
    return tokens.length;
  }

  /** Distinct characters {@code V}. */
  public int vocabularySize() {
    return vocabulary.length;
  }

  /** The vocabulary: code point of each id, ascending (a copy). */
  public int[] vocabulary() {
    return vocabulary.clone();
  }

  /**
   * The vocabulary as a {@link CharVocabulary}: to encode prompts, decode samples and travel with
   * a model's checkpoints ({@link CharVocabulary#attachTo}).
   */
  public CharVocabulary characters() {
    return CharVocabulary.of(vocabulary);
  }

  /** Token {@code i} of the whole text. */
  public int token(int i) {
    return tokens[i];
  }

  /**
   * The id of a character.
   *
   * @throws IllegalArgumentException if it is not in the vocabulary
   */
  public int encode(int codePoint) {
    int id = Arrays.binarySearch(vocabulary, codePoint);
    if (id < 0) {
      throw new IllegalArgumentException("character " + new String(Character.toChars(codePoint))
          + " (U+" + Integer.toHexString(codePoint).toUpperCase() + ") is not in the vocabulary of "
          + source);
    }
    return id;
  }

  /**
   * The ids of a text's characters.
   *
   * @throws IllegalArgumentException for a character not in the vocabulary
   */
  public int[] encode(String text) {
    return text.codePoints().map(this::encode).toArray();
  }

  /**
   * The text of {@code count} ids from {@code ids[from]}.
   *
   * @throws IllegalArgumentException for an id outside {@code [0, V)}
   */
  public String decode(int[] ids, int from, int count) {
    StringBuilder out = new StringBuilder(count);
    for (int i = from; i < from + count; i++) {
      if (ids[i] < 0 || ids[i] >= vocabulary.length) {
        throw new IllegalArgumentException("id " + ids[i] + " at " + i + " is outside [0, "
            + vocabulary.length + ")");
      }
      out.appendCodePoint(vocabulary[ids[i]]);
    }
    return out.toString();
  }

  /** The first 90 % of the tokens. */
  public Split train() {
    return train;
  }

  /** The last 10 % of the tokens. */
  public Split validation() {
    return validation;
  }

  /** A contiguous part of the corpus that batches are drawn from. */
  public final class Split {
    private final String name;
    private final int from;
    private final int to;

    private Split(String name, int from, int to) {
      this.name = name;
      this.from = from;
      this.to = to;
    }

    /** Tokens in this split. */
    public int length() {
      return to - from;
    }

    /** Token {@code i} of this split. */
    public int token(int i) {
      return tokens[from + i];
    }

    /**
     * Writes {@code n} windows at offsets drawn uniformly from {@code [0, length - t)}: for each
     * sample {@code s} and offset {@code o}, {@code ids[s·t + j] = split[o + j]} and {@code
     * targets[s·t + j] = split[o + j + 1]}, {@code j < t}. Draws {@code n} numbers from {@code
     * random}; allocates nothing.
     *
     * @param ids output {@code [n, t]}, at least {@code n·t} long
     * @param targets output {@code [n, t]}, at least {@code n·t} long
     * @throws IllegalArgumentException for {@code n} or {@code t} below 1, buffers too short, or
     *     a split shorter than {@code t + 1} tokens, before anything is drawn or written
     */
    public void batch(SplitMix64 random, int n, int t, int[] ids, int[] targets) {
      check(n, t, ids.length, targets.length);
      for (int s = 0; s < n; s++) {
        int o = from + random.nextInt(length() - t);
        System.arraycopy(tokens, o, ids, s * t, t);
        System.arraycopy(tokens, o + 1, targets, s * t, t);
      }
    }

    /**
     * {@link #batch(SplitMix64, int, int, int[], int[])} into float tensors (the ids as whole
     * numbers, as a token model's step reads them).
     */
    public void batch(SplitMix64 random, int n, int t, Tensor ids, Tensor targets) {
      check(n, t, ids.length(), targets.length());
      for (int s = 0; s < n; s++) {
        int o = from + random.nextInt(length() - t);
        for (int j = 0; j < t; j++) {
          ids.set(s * t + j, tokens[o + j]);
          targets.set(s * t + j, tokens[o + j + 1]);
        }
      }
    }

    private void check(int n, int t, int idsLength, int targetsLength) {
      if (n < 1 || t < 1) {
        throw new IllegalArgumentException("expected n >= 1 and t >= 1, got n=" + n + ", t=" + t);
      }
      if (length() < t + 1) {
        throw new IllegalArgumentException("the " + name + " split of " + source + " has "
            + length() + " characters; a window of context " + t + " needs at least " + (t + 1));
      }
      long count = (long) n * t;
      if (idsLength < count || targetsLength < count) {
        throw new IllegalArgumentException("ids and targets need " + count + " elements each, got "
            + idsLength + " and " + targetsLength);
      }
    }
  }
}
