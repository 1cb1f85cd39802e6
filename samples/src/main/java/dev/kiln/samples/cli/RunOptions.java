package dev.kiln.samples.cli;

import dev.kiln.runtime.train.EarlyStopping;
import dev.kiln.runtime.train.FitOptions;
import dev.kiln.runtime.train.Trainer;
import dev.kiln.samples.FashionMnist;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The options every command that trains shares: which model, which data, and the overrides of
 * the training configuration. A picocli mixin. {@link #check()} refuses impossible values before
 * any data is read, naming the option as the user typed it.
 */
final class RunOptions {
  /** The values {@code --normalize} takes. */
  static final java.util.List<String> NORMALIZE = java.util.List.of("none", "standardize",
      "min-max");

  @Spec(Spec.Target.MIXEE) CommandSpec spec;

  @Option(names = "--model", completionCandidates = SampleModel.Ids.class,
      description = "Model and training configuration: ${COMPLETION-CANDIDATES} (default:"
      + " fashion-mlp).")
  String model;

  @Option(names = "--data", paramLabel = "DIR|FILE", description = "Directory with the four "
      + "Fashion-MNIST IDX files (.gz or not), or a CSV file of training rows (see --csv-label,"
      + " --test-data). Default: " + FashionMnist.DEFAULT_DIR
      + " when installed, else the subset embedded in the jar.")
  Path data;

  @Option(names = "--test-data", paramLabel = "FILE", description = "With a CSV --data: the CSV"
      + " file of test rows (default: a seeded fifth of --data).")
  Path testData;

  @Option(names = "--csv-label", paramLabel = "COLUMN", description = "With CSV data: the label"
      + " column, by header name or index from 0 (default: the last column).")
  String csvLabel;

  @Option(names = "--csv-no-header", description = "With CSV data: the first line is data, not"
      + " column names.")
  Boolean csvNoHeader;

  @Option(names = "--normalize", paramLabel = "KIND", description = "Normalise each feature with"
      + " statistics of the training split: standardize or min-max (default: none). Saved in"
      + " the checkpoint and applied again by evaluate and predict.")
  String normalize;

  @Option(names = "--embedded", description = "Use the 6,000 / 1,000 image subset embedded in the"
      + " jar even when the full set is installed.")
  Boolean embedded;

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
  Boolean dropLast;

  @Option(names = "--early-stopping", paramLabel = "PATIENCE", description = "Stop after"
      + " PATIENCE epochs without a lower validation loss and restore the best epoch's"
      + " parameters.")
  Integer patience;

  SampleModel sampleModel() {
    return SampleModel.byId(modelId());
  }

  String modelId() {
    return model != null ? model : SampleModel.FASHION_MLP.id();
  }

  boolean embedded() {
    return Boolean.TRUE.equals(embedded);
  }

  boolean dropLast() {
    return Boolean.TRUE.equals(dropLast);
  }

  /** A usage error (exit status 2) of the command these options belong to. */
  ParameterException usage(String message) {
    return new ParameterException(spec.commandLine(), message);
  }

  /**
   * Refuses values no run can take, before any data is read: an unknown {@code --model}, fewer
   * than one epoch, a batch size outside what the model was compiled for, a learning rate that is
   * not a positive number, a patience below 1, {@code --embedded} with {@code --data}.
   *
   * @throws ParameterException naming the option as typed and what to type instead
   */
  void check() {
    if (model != null && !SampleModel.ids().contains(model)) {
      throw usage("--model " + model + ": no such model; choose one of "
          + String.join(", ", SampleModel.ids()) + Suggest.didYouMean(model, SampleModel.ids()));
    }
    if (normalize != null && !NORMALIZE.contains(normalize)) {
      throw usage("--normalize " + normalize + ": expected one of " + String.join(", ", NORMALIZE)
          + Suggest.didYouMean(normalize, NORMALIZE));
    }
    if (epochs != null && epochs < 1) {
      throw usage("--epochs " + epochs + ": a run needs at least 1 epoch");
    }
    if (learningRate != null && !(learningRate > 0 && Double.isFinite(learningRate))) {
      throw usage("--learning-rate " + learningRate + ": expected a positive number such as"
          + " 0.05");
    }
    if (patience != null && patience < 1) {
      throw usage("--early-stopping " + patience + ": the patience is a number of epochs, at"
          + " least 1");
    }
    if (embedded() && data != null) {
      throw usage("--embedded and --data " + data + " both choose the data: give one of them");
    }
    if (testData != null && data == null) {
      throw usage("--test-data " + testData + " needs --data with the CSV training rows");
    }
    if (batchSize != null) {
      Trainer trainer = sampleModel().newRun(0).trainer();
      if (batchSize > trainer.batchSize()) {
        throw usage(String.format(Locale.ROOT, "--batch-size %d: %s is compiled for batches of"
            + " at most %d rows (its @TrainingConfig batchSize); use --batch-size %d or less",
            batchSize, sampleModel().title(), trainer.batchSize(), trainer.batchSize()));
      }
      if (batchSize < trainer.minimumRows()) {
        throw usage(String.format(Locale.ROOT, "--batch-size %d: %s needs at least %d rows per"
            + " batch%s; use --batch-size %d or more", batchSize, sampleModel().title(),
            trainer.minimumRows(), trainer.minimumRows() > 1 ? " (batch normalisation in"
                + " training mode needs two samples)" : "", trainer.minimumRows()));
      }
    }
  }

  /**
   * Refuses a batch size that leaves a last batch too small for the network without {@code
   * --drop-last}, once the training set's size is known; before anything is written.
   */
  void checkLastBatch(Trainer trainer, int trainSize) {
    int batch = batchSize(trainer);
    int rest = trainSize % batch;
    if (!dropLast() && rest > 0 && rest < trainer.minimumRows()) {
      int better = batch + 1 <= trainer.batchSize() ? batch + 1 : batch - 1;
      throw usage(String.format(Locale.ROOT, "--batch-size %d leaves a last batch of %d row%s"
          + " in each epoch (%,d training samples = %,d x %d + %d), but %s needs at least %d"
          + " rows per batch (batch normalisation in training mode needs two samples); add"
          + " --drop-last to skip that batch, or choose another --batch-size such as %d",
          batch, rest, rest == 1 ? "" : "s", trainSize, trainSize / batch, batch, rest,
          sampleModel().title(), trainer.minimumRows(), better));
    }
  }

  /** The normaliser {@code --normalize} asks for, unfitted; null for none. */
  dev.kiln.runtime.data.Normalizer normalizer() {
    if (normalize == null || normalize.equals("none")) {
      return null;
    }
    return normalize.equals("standardize") ? dev.kiln.runtime.data.Normalizer.standardize()
        : dev.kiln.runtime.data.Normalizer.minMax();
  }

  /** The data the options name, with one line on {@code log} saying which. */
  DataSplits loadData(PrintStream log) throws IOException {
    return DataSplits.load(this, log);
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
    // the command line shows its own progress (ProgressListener), not the library's log lines
    FitOptions.Builder b = FitOptions.builder().dropLast(dropLast()).logging(null);
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

  /**
   * The options the user typed that {@code train --resume} compares with a run's record, option
   * name to value as {@link #recorded} writes it.
   */
  java.util.Map<String, String> given() {
    java.util.Map<String, String> m = new java.util.TreeMap<>();
    put(m, "--model", model);
    put(m, "--data", embedded() ? "embedded"
        : data == null ? null : data.toAbsolutePath().normalize().toString());
    put(m, "--test-data", testData == null ? null
        : testData.toAbsolutePath().normalize().toString());
    put(m, "--csv-label", csvLabel);
    put(m, "--csv-no-header", csvNoHeader);
    put(m, "--normalize", normalize);
    put(m, "--batch-size", batchSize);
    put(m, "--learning-rate", learningRate);
    put(m, "--seed", seed);
    put(m, "--drop-last", dropLast);
    put(m, "--early-stopping", patience);
    put(m, "--epochs", epochs);
    return m;
  }

  /** What a run with {@code trainer} records: the options given, with the defaults resolved. */
  java.util.Map<String, String> recorded(Trainer trainer) {
    java.util.Map<String, String> m = given();
    m.put("--model", modelId());
    m.put("--batch-size", Integer.toString(batchSize(trainer)));
    m.put("--seed", Long.toString(seed != null ? seed : sampleModel().defaultSeed()));
    m.put("--drop-last", Boolean.toString(dropLast()));
    m.put("--epochs", Integer.toString(epochs(trainer)));
    return m;
  }

  /**
   * For {@code --resume}: the options of {@link RunFolder#FIXED} that differ between what the user
   * typed and the run's record, as "--seed 9 (the run used 42)"; the options the user left out
   * are taken from the record.
   */
  java.util.List<String> adopt(java.util.Map<String, String> record) {
    java.util.Map<String, String> typed = given();
    java.util.List<String> differences = new java.util.ArrayList<>();
    for (String name : RunFolder.FIXED) {
      String mine = typed.get(name);
      String theirs = record.get(name);
      if (mine != null && !mine.equals(theirs)) {
        differences.add(name + " " + mine + " (the run used " + (theirs == null
            ? "the default" : name + " " + theirs) + ")");
      } else if (mine == null && theirs != null) {
        set(name, theirs);
      }
    }
    if (epochs == null && record.get("--epochs") != null) {
      set("--epochs", record.get("--epochs"));
    }
    return differences;
  }

  private void set(String name, String value) {
    switch (name) {
      case "--model" -> model = value;
      case "--data" -> {
        if (value.equals("embedded")) {
          embedded = true;
        } else {
          data = Path.of(value);
        }
      }
      case "--test-data" -> testData = Path.of(value);
      case "--csv-label" -> csvLabel = value;
      case "--csv-no-header" -> csvNoHeader = Boolean.valueOf(value);
      case "--normalize" -> normalize = value;
      case "--batch-size" -> batchSize = Integer.valueOf(value);
      case "--learning-rate" -> learningRate = Double.valueOf(value);
      case "--seed" -> seed = Long.valueOf(value);
      case "--drop-last" -> dropLast = Boolean.valueOf(value);
      case "--early-stopping" -> patience = Integer.valueOf(value);
      case "--epochs" -> epochs = Integer.valueOf(value);
      default -> throw new IllegalArgumentException(name);
    }
  }

  private static void put(java.util.Map<String, String> m, String name, Object value) {
    if (value != null) {
      m.put(name, value.toString());
    }
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
