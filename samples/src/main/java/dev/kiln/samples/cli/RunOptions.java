package dev.kiln.samples.cli;

import dev.kiln.runtime.train.EarlyStopping;
import dev.kiln.runtime.train.FitOptions;
import dev.kiln.runtime.train.Trainer;
import dev.kiln.samples.FashionMnist;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The options every command that trains shares: which model, which data, and the overrides of
 * the training configuration. A picocli mixin.
 */
final class RunOptions {
  @Option(names = "--model", defaultValue = "fashion-mlp",
      completionCandidates = SampleModel.Ids.class, description = "Model and training"
      + " configuration: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
  String model;

  @Option(names = "--data", paramLabel = "DIR", description = "Directory with the four "
      + "Fashion-MNIST IDX files (.gz or not). Default: " + FashionMnist.DEFAULT_DIR
      + " when installed, else the subset embedded in the jar.")
  Path data;

  @Option(names = "--embedded", description = "Use the 6,000 / 1,000 image subset embedded in the"
      + " jar even when the full set is installed.")
  boolean embedded;

  @Option(names = "--epochs", paramLabel = "N", description = "Epochs to train (default: the"
      + " configuration's).")
  Integer epochs;

  @Option(names = "--batch-size", paramLabel = "N", description = "Rows per batch, at most the"
      + " configuration's batchSize (default: that).")
  Integer batchSize;

  @Option(names = "--learning-rate", paramLabel = "LR", description = "Base learning rate the"
      + " schedule scales (default: the optimizer's).")
  Double learningRate;

  @Option(names = "--seed", paramLabel = "SEED", description = "Seed of the initialisation and"
      + " the shuffle (default: the configuration's).")
  Long seed;

  @Option(names = "--drop-last", description = "Skip a last batch smaller than the batch size.")
  boolean dropLast;

  @Option(names = "--early-stopping", paramLabel = "PATIENCE", description = "Stop after"
      + " PATIENCE epochs without a lower validation loss and restore the best epoch's"
      + " parameters.")
  Integer patience;

  SampleModel sampleModel() {
    return SampleModel.byId(model);
  }

  /** The data the options name, with one line on {@code log} saying which. */
  FashionMnist.Splits loadData(PrintStream log) throws IOException {
    if (embedded) {
      FashionMnist.Splits s = FashionMnist.embedded();
      log.println("Data: " + s.description() + " (" + s.train().size() + " training, "
          + s.test().size() + " test images), as --embedded asks");
      return s;
    }
    return FashionMnist.loadDefault(data, log);
  }

  /** A fresh trainer with the seed and learning-rate overrides applied. */
  SampleModel.Run newRun() {
    SampleModel m = sampleModel();
    SampleModel.Run run = m.newRun(seed != null ? seed : m.defaultSeed());
    if (learningRate != null) {
      run.trainer().setBaseLearningRate(learningRate);
    }
    return run;
  }

  /** The fit options these command-line options ask for. */
  FitOptions fitOptions() {
    FitOptions.Builder b = FitOptions.builder().dropLast(dropLast);
    if (epochs != null) {
      b.epochs(epochs);
    }
    if (batchSize != null) {
      b.batchSize(batchSize);
    }
    if (seed != null) {
      b.shuffleSeed(seed);
    }
    if (patience != null) {
      b.earlyStopping(EarlyStopping.onValidationLoss(patience));
    }
    return b.build();
  }

  /** The epochs a run will take with {@code trainer}. */
  int epochs(Trainer trainer) {
    return fitOptions().epochs(trainer);
  }

  /** The rows per batch a run will use with {@code trainer}. */
  int batchSize(Trainer trainer) {
    return fitOptions().batchSize(trainer);
  }
}
