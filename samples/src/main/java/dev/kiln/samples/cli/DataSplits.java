package dev.kiln.samples.cli;

import dev.kiln.runtime.data.CsvDataset;
import dev.kiln.runtime.data.Dataset;
import dev.kiln.samples.FashionMnist;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The training and test data a command uses, as read (not normalised), with the class names:
 * Fashion-MNIST's IDX files (a directory, the installed set or the embedded subset), or CSV files
 * read with {@link CsvDataset}.
 *
 * @param train training rows, features {@code [n, f]} and one-hot labels {@code [n, k]}
 * @param test test rows, same layout
 * @param description which data this is, for messages
 * @param classNames the class names by index
 */
record DataSplits(Dataset train, Dataset test, String description, List<String> classNames) {
  /** The fraction of a CSV --data file kept for training when no --test-data is given. */
  static final double CSV_TRAIN_FRACTION = 0.8;

  /** Loads what {@code o} names, printing one line on {@code log} saying which. */
  static DataSplits load(RunOptions o, PrintStream log) throws IOException {
    if (o.embedded()) {
      FashionMnist.Splits s = FashionMnist.embedded();
      log.println("Data: " + s.description() + " (" + s.train().size() + " training, "
          + s.test().size() + " test images), as --embedded asks");
      return of(s);
    }
    if (o.data != null && !Files.exists(o.data)) {
      throw o.usage("--data " + o.data + ": no such file or directory; give a directory with the"
          + " four Fashion-MNIST IDX files or a CSV file");
    }
    if (o.data != null && Files.isRegularFile(o.data)) {
      return csv(o, log);
    }
    return of(FashionMnist.loadDefault(o.data, log));
  }

  private static DataSplits of(FashionMnist.Splits s) {
    return new DataSplits(s.train(), s.test(), s.description(), FashionMnist.CLASS_NAMES);
  }

  private static DataSplits csv(RunOptions o, PrintStream log) throws IOException {
    CsvDataset.Options options = csvOptions(o);
    CsvDataset train = CsvDataset.read(o.data, options);
    Dataset trainRows;
    Dataset testRows;
    String description;
    if (o.testData != null) {
      if (!Files.isRegularFile(o.testData)) {
        throw o.usage("--test-data " + o.testData + ": no such file");
      }
      CsvDataset test = CsvDataset.read(o.testData, options.classes(train.classes()));
      trainRows = train.dataset();
      testRows = test.dataset();
      description = "CSV " + o.data + " and " + o.testData;
    } else {
      Dataset[] parts = train.dataset().split(CSV_TRAIN_FRACTION,
          o.seed != null ? o.seed : o.sampleModel().defaultSeed());
      trainRows = parts[0];
      testRows = parts[1];
      description = "CSV " + o.data + " (a seeded " + Math.round(CSV_TRAIN_FRACTION * 100)
          + " / " + Math.round(100 - CSV_TRAIN_FRACTION * 100) + " split; --test-data FILE for"
          + " a test file)";
    }
    log.println("Data: " + description + " (" + trainRows.size() + " training, "
        + testRows.size() + " test rows, " + trainRows.featureCount() + " features, classes "
        + train.classes() + ")");
    return new DataSplits(trainRows, testRows, description, train.classes());
  }

  /** The CSV options --csv-label and --csv-no-header ask for. */
  static CsvDataset.Options csvOptions(RunOptions o) {
    CsvDataset.Options options = CsvDataset.options().header(!Boolean.TRUE.equals(o.csvNoHeader));
    if (o.csvLabel != null) {
      if (o.csvLabel.matches("\\d+")) {
        options = options.labelColumn(Integer.parseInt(o.csvLabel));
      } else {
        options = options.labelColumn(o.csvLabel);
      }
    }
    return options;
  }
}
