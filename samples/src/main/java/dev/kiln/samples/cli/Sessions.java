package dev.kiln.samples.cli;

import dev.kiln.samples.FashionMnist;
import java.io.PrintStream;
import java.nio.file.Path;

/** A network ready to evaluate or predict with: restored from a checkpoint, or freshly trained. */
final class Sessions {
  private Sessions() {}

  /**
   * A trained session: with {@code checkpoint}, refused (checkpoints cannot be restored yet);
   * without, a fresh network trained with the options, one summary line per epoch.
   */
  static SampleModel.Run trained(RunOptions run, Path checkpoint, FashionMnist.Splits data,
      PrintStream console) {
    if (checkpoint != null) {
      throw new UnsupportedOperationException("--checkpoint is not supported yet: the samples"
          + " cannot restore a saved training state. Leave it out to train a fresh network"
          + " first (with --epochs, --learning-rate ...)");
    }
    SampleModel.Run session = run.newRun();
    console.println("No --checkpoint: training a fresh " + run.sampleModel().title()
        + " network first");
    ProgressListener progress = new ProgressListener(console, System.console() != null,
        run.batchSize(session.trainer()));
    session.fit().fit(data.train(), data.test(), run.fitOptions(), progress);
    return session;
  }
}
