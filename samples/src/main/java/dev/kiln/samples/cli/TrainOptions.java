package dev.kiln.samples.cli;

import java.nio.file.Path;
import java.util.Map;
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
      + " checkpoint every STEPS optimizer steps (default: only at each epoch end). Recorded in"
      + " options.properties: --resume keeps the run's value unless given again.")
  Integer checkpointEvery;

  @Option(names = "--keep-checkpoints", paramLabel = "K", description = "How many of the newest"
      + " checkpoints to keep in <out>/checkpoints (default: " + KEEP_CHECKPOINTS + "). Recorded"
      + " in options.properties: --resume keeps the run's value unless given again.")
  Integer keepCheckpoints;

  /** Checkpoints kept by default. */
  static final int KEEP_CHECKPOINTS = 3;

  int checkpointEvery() {
    return checkpointEvery != null ? checkpointEvery : 0;
  }

  int keepCheckpoints() {
    return keepCheckpoints != null ? keepCheckpoints : KEEP_CHECKPOINTS;
  }

  /** The checkpoint options as {@code options.properties} records them, defaults resolved. */
  Map<String, String> recordedCheckpointing() {
    return Map.of("--checkpoint-every", Integer.toString(checkpointEvery()),
        "--keep-checkpoints", Integer.toString(keepCheckpoints()));
  }

  /**
   * For {@code --resume}: takes the checkpoint options left out from the run's record (a run
   * recorded before they were recorded keeps the defaults). Given again, they change for the rest
   * of the run: they decide only which checkpoints are written and kept, not what is trained.
   */
  void adoptCheckpointing(Map<String, String> record) {
    if (checkpointEvery == null && record.get("--checkpoint-every") != null) {
      checkpointEvery = Integer.valueOf(record.get("--checkpoint-every"));
    }
    if (keepCheckpoints == null && record.get("--keep-checkpoints") != null) {
      keepCheckpoints = Integer.valueOf(record.get("--keep-checkpoints"));
    }
  }
}
