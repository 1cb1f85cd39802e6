package dev.kiln.runtime.checkpoint;

import java.io.IOException;

/**
 * A checkpoint that cannot be used: truncated, corrupted (CRC mismatch), missing an entry, or
 * written for another model or configuration. The message names the file, the entry and what
 * differs. Nothing was restored when this is thrown.
 */
public final class CheckpointException extends IOException {
  private static final long serialVersionUID = 1L;

  public CheckpointException(String message) {
    super(message);
  }

  public CheckpointException(String message, Throwable cause) {
    super(message, cause);
  }
}
