package dev.kiln.samples;

import dev.kiln.runtime.data.CharCorpus;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * Tiny Shakespeare (Karpathy's char-rnn corpus, public domain; provenance and sha256 in {@code
 * tinyshakespeare/README.md} beside the resource): 1,115,394 characters, 65 distinct, embedded in
 * this jar gzip-compressed, as a {@link CharCorpus} (characters as tokens, first 90 % training,
 * last 10 % validation).
 */
public final class TinyShakespeare {
  /** The resource, relative to this class. */
  static final String RESOURCE = "tinyshakespeare/tinyshakespeare.txt.gz";

  private TinyShakespeare() {}

  /**
   * The embedded corpus.
   *
   * @throws UncheckedIOException if the resource is missing from the jar or cannot be read
   */
  public static CharCorpus load() {
    try (InputStream in = TinyShakespeare.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new FileNotFoundException("resource " + RESOURCE + " is missing from the samples "
            + "jar");
      }
      return CharCorpus.read(in, "Tiny Shakespeare (embedded)");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The corpus in {@code file} (any UTF-8 text, plain or gzip-compressed), or the embedded one
   * for null.
   *
   * @throws IOException if the file is missing (named), unreadable or not UTF-8
   */
  public static CharCorpus load(Path file) throws IOException {
    return file == null ? load() : CharCorpus.read(file);
  }
}
