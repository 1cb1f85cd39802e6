package dev.kiln.samples.cli;

import dev.kiln.runtime.checkpoint.CheckpointException;
import dev.kiln.runtime.data.Normalizer;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** A network ready to evaluate or predict with: restored from a checkpoint, or freshly trained. */
final class Sessions {
  private Sessions() {}

  /**
   * A trained network and the normaliser its inputs need (null for none).
   *
   * @param run the model's trainer and its {@code fit} and {@code evaluate}
   * @param normalizer fitted on the training split; the checkpoint carries it
   */
  record Trained(SampleModel.Run run, Normalizer normalizer) {
    /** {@code features} normalised in place as the network was trained. */
    float[] prepare(float[] features, int featureCount) {
      if (normalizer != null) {
        normalizer.applyInPlace(features, featureCount);
      }
      return features;
    }

    /** The dataset normalised as the network was trained (itself without a normaliser). */
    dev.kiln.runtime.data.Dataset prepare(dev.kiln.runtime.data.Dataset data) {
      return normalizer == null ? data : normalizer.apply(data);
    }
  }

  /** Refuses a {@code --checkpoint} that is not a file, before any data is read. */
  static void checkCheckpoint(RunOptions run, Path checkpoint) {
    if (run.sampleModel().tokens()) {
      throw run.usage("--model " + run.modelId() + " is a language model trained on a text: "
          + "train it with train --model " + run.modelId() + " (its metrics.csv holds the"
          + " validation loss); this command takes the image and CSV models");
    }
    if (checkpoint != null && !Files.isRegularFile(checkpoint)) {
      throw run.usage("--checkpoint " + checkpoint + ": no such file; give the checkpoint.kiln"
          + " that train wrote into its --out folder (for example runs/<date-time>/"
          + "checkpoint.kiln), or leave the option out to train a fresh network");
    }
  }

  /**
   * A trained session: with {@code checkpoint}, the model's trainer restored from that file (as
   * {@code train} writes it: {@code checkpoint.kiln} in its output directory) with the
   * normaliser it carries; without, a fresh network trained with the options, one summary line
   * per epoch.
   *
   * @throws java.io.IOException if the checkpoint cannot be read or belongs to another model or
   *     configuration
   */
  static Trained trained(RunOptions run, Path checkpoint, DataSplits data, PrintStream console)
      throws java.io.IOException {
    SampleModel.Run session = run.newRun();
    TrainCommand.checkShape(run, session.trainer(), data);
    if (checkpoint != null) {
      try {
        session.trainer().restore(checkpoint);
      } catch (CheckpointException e) {
        throw new CheckpointException(e.getMessage() + " (--model " + run.modelId()
            + " must name the model that wrote it; --help lists them)", e);
      }
      Normalizer normalizer = Normalizer.from(session.trainer().trainingState()).orElse(null);
      console.println("Restored " + checkpoint + " (" + run.sampleModel().title() + ", after "
          + session.trainer().iteration() + " steps" + (normalizer == null ? ""
          : ", with its " + normalizer.kind().name().toLowerCase(java.util.Locale.ROOT)
              + " normaliser") + ")");
      return new Trained(session, normalizer);
    }
    console.println("No --checkpoint: training a fresh " + run.sampleModel().title()
        + " network first");
    run.checkLastBatch(session.trainer(), data.train().size());
    Normalizer normalizer = run.normalizer();
    if (normalizer != null) {
      normalizer.fit(data.train());
    }
    Trained trained = new Trained(session, normalizer);
    ProgressListener progress = new ProgressListener(console, System.console() != null,
        run.batchSize(session.trainer()));
    session.fit().fit(trained.prepare(data.train()), trained.prepare(data.test()),
        run.fitOptions(), progress);
    return trained;
  }
}
