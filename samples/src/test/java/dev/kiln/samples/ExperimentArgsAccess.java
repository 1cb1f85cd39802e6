package dev.kiln.samples;

import java.io.PrintStream;
import java.nio.file.Path;

/** Test access to the package-private {@link ExperimentArgs}. */
public final class ExperimentArgsAccess {
  private ExperimentArgsAccess() {}

  /** Whether PruneFashion's arguments parse. */
  public static boolean parse(PrintStream err, String... args) {
    return ExperimentArgs.parse("PruneFashion", Path.of("runs"), err, args) != null;
  }
}
