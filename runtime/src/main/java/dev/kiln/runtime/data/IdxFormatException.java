package dev.kiln.runtime.data;

import java.io.IOException;

/**
 * An IDX file (or stream) that cannot be read: bad header, truncated or corrupt data, trailing
 * bytes. The message always names the source, the byte offset (in the decompressed IDX stream),
 * what was expected there and what was found.
 */
public final class IdxFormatException extends IOException {
  /** The file path or resource name. */
  private final String source;
  /** The byte offset in the decompressed IDX stream. */
  private final long offset;

  /**
   * @param source the file path or resource name
   * @param offset the byte offset in the (decompressed) IDX stream where the problem is
   * @param expected what the format requires there
   * @param found what the stream holds instead
   */
  public IdxFormatException(String source, long offset, String expected, String found) {
    this(source, offset, expected, found, null);
  }

  /** As {@link #IdxFormatException(String, long, String, String)}, with the underlying cause. */
  public IdxFormatException(
      String source, long offset, String expected, String found, Throwable cause) {
    super(source + ": at byte offset " + offset + ": expected " + expected + ", found " + found,
        cause);
    this.source = source;
    this.offset = offset;
  }

  /** The file path or resource name that failed to read. */
  public String source() {
    return source;
  }

  /** The byte offset in the decompressed IDX stream where the problem was found. */
  public long offset() {
    return offset;
  }
}
