package dev.kiln.samples.cli;

import java.nio.file.Path;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The options of {@code train}, which the jar also runs when no command is given (picocli's own
 * parsing of the top-level command, so an unknown word is refused with a "did you mean"). A
 * picocli mixin.
 */
final class TrainOptions {
  @Mixin RunOptions run;

  @Mixin TextOptions text;

  @Option(names = "--out", paramLabel = "DIR", description = "Where metrics.csv, the plots and"
      + " the checkpoints go (default: runs/<date-time>). A folder that holds a run is refused"
      + " unless --resume or --overwrite is given.")
  Path out;

  @Option(names = "--resume", description = "Continue the run in --out from its newest"
      + " checkpoint, at the exact batch where it was written, with the run's own options.")
  boolean resume;

  @Option(names = "--overwrite", description = "Delete the run in --out (its metrics, plots and"
      + " checkpoints) when training starts, and start a new one there.")
  boolean overwrite;

  @Option(names = "--checkpoint-every", paramLabel = "STEPS", description = "Also write a"
      + " checkpoint every STEPS optimizer steps (default: only at each epoch end).")
  int checkpointEvery;

  @Option(names = "--keep-checkpoints", paramLabel = "K", defaultValue = "3", description =
      "How many of the newest checkpoints to keep in <out>/checkpoints (default: ${DEFAULT-VALUE}).")
  int keepCheckpoints;
}
