package dev.kiln.samples.cli;

import dev.kiln.samples.FashionMnist;
import java.io.PrintStream;
import java.nio.file.Path;

/** A network ready to evaluate or predict with: restored from a checkpoint, or freshly trained. */
final class Sessions {
  private Sessions() {}

  /**
   * A trained session: with {@code checkpoint}, the model's trainer restored from that file (as
   * {@code train} writes it: {@code checkpoint.kiln} in its output directory); without, a fresh
   * network trained with the options, one summary line per epoch.
   *
   * @throws java.io.IOException if the checkpoint cannot be read or belongs to another model or
   *     configuration
   */
  static SampleModel.Run trained(RunOptions run, Path checkpoint, FashionMnist.Splits data,
      PrintStream console) throws java.io.IOException {
    SampleModel.Run session = run.newRun();
    if (checkpoint != null) {
      session.trainer().restore(checkpoint);
      console.println("Restored " + checkpoint + " (" + run.sampleModel().title() + ", after "
          + session.trainer().iteration() + " steps)");
      return session;
    }
    console.println("No --checkpoint: training a fresh " + run.sampleModel().title()
        + " network first");
    ProgressListener progress = new ProgressListener(console, System.console() != null,
        run.batchSize(session.trainer()));
    session.fit().fit(data.train(), data.test(), run.fitOptions(), progress);
    return session;
  }
}
