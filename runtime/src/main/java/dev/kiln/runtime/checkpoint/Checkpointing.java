package dev.kiln.runtime.checkpoint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * When {@code fit} writes checkpoints and how many it keeps: files {@code
 * checkpoint-<step>.kiln} in one directory, written every {@code everySteps} optimizer steps
 * and/or at each epoch end, the newest {@code keepLast} kept. With {@code resume}, {@code fit}
 * first restores the newest checkpoint in the directory (if any) and continues from the exact
 * batch where it was written.
 *
 * @param directory where checkpoints go; created if missing
 * @param everySteps write every this many optimizer steps; 0 for none
 * @param atEpochEnd write at the end of each epoch
 * @param keepLast how many of the newest checkpoints to keep, at least 1
 * @param resume whether {@code fit} starts from the newest checkpoint in {@code directory}
 */
public record Checkpointing(Path directory, int everySteps, boolean atEpochEnd, int keepLast,
    boolean resume) {
  private static final Pattern NAME = Pattern.compile("checkpoint-(\\d+)\\.kiln");
  /** A temporary file an interrupted write of a checkpoint left (see CheckpointFile). */
  private static final Pattern TEMPORARY = Pattern.compile("\\.checkpoint-\\d+\\.kiln\\.\\d+\\.tmp");

  public Checkpointing {
    if (directory == null) {
      throw new IllegalArgumentException("checkpoint directory is null");
    }
    if (everySteps < 0) {
      throw new IllegalArgumentException("everySteps must be at least 0, got " + everySteps);
    }
    if (keepLast < 1) {
      throw new IllegalArgumentException("keepLast must be at least 1, got " + keepLast);
    }
  }

  /** Checkpoints at each epoch end in {@code directory}, keeping the last 3, no resume. */
  public static Checkpointing atEpochEnds(Path directory) {
    return new Checkpointing(directory, 0, true, 3, false);
  }

  /** The same settings with resume on or off. */
  public Checkpointing withResume(boolean resume) {
    return new Checkpointing(directory, everySteps, atEpochEnd, keepLast, resume);
  }

  /** The same settings, also writing every {@code steps} optimizer steps. */
  public Checkpointing withEverySteps(int steps) {
    return new Checkpointing(directory, steps, atEpochEnd, keepLast, resume);
  }

  /** The file for a checkpoint written after {@code iteration} steps. */
  public Path fileFor(long iteration) {
    return directory.resolve(String.format(Locale.ROOT, "checkpoint-%012d.kiln", iteration));
  }

  /** The checkpoint files in the directory, oldest first. */
  public List<Path> existing() throws IOException {
    if (!Files.isDirectory(directory)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(directory)) {
      return files.filter(p -> NAME.matcher(p.getFileName().toString()).matches()).sorted()
          .toList();
    }
  }

  /** The newest checkpoint, if any. */
  public Optional<Path> latest() throws IOException {
    List<Path> all = existing();
    return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
  }

  /**
   * Deletes all but the newest {@code keepLast} checkpoints, and the temporary files of writes
   * that were interrupted (a kill or Ctrl-C while a checkpoint was being written).
   */
  public void prune() throws IOException {
    List<Path> all = existing();
    for (int i = 0; i < all.size() - keepLast; i++) {
      Files.deleteIfExists(all.get(i));
    }
    if (Files.isDirectory(directory)) {
      try (Stream<Path> files = Files.list(directory)) {
        for (Path p : files.filter(p -> TEMPORARY.matcher(p.getFileName().toString())
            .matches()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }
}
