package dev.kiln.samples.cli;

import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/** The one-line text of a failure for {@code error: ...}: what went wrong, and with which file. */
final class Messages {
  private Messages() {}

  /** A message that names the file for the JDK's file exceptions, whose own is only the path. */
  static String of(Throwable e) {
    if (e instanceof UncheckedIOException u && u.getCause() != null
        && (u.getMessage() == null || u.getMessage().equals(u.getCause().toString()))) {
      return of(u.getCause());
    }
    if (e instanceof NoSuchFileException f) {
      return "no such file: " + f.getFile() + reason(f);
    }
    if (e instanceof AccessDeniedException f) {
      return "permission denied: " + f.getFile() + reason(f);
    }
    if (e instanceof NotDirectoryException f) {
      return "not a directory: " + f.getFile() + reason(f);
    }
    if (e instanceof FileSystemException f) {
      return f.getFile() + ": " + (f.getReason() != null ? f.getReason() : e.getClass()
          .getSimpleName());
    }
    return e.getMessage() != null ? e.getMessage() : e.toString();
  }

  private static String reason(FileSystemException f) {
    return f.getReason() != null ? " (" + f.getReason() + ")" : "";
  }
}
