package dev.kiln.samples.cli;

import dev.kiln.runtime.data.Dataset;
import dev.kiln.runtime.data.Idx;
import dev.kiln.runtime.data.IdxArray;
import dev.kiln.runtime.ops.LossKind;
import dev.kiln.runtime.train.Predictions;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code predict}: the predicted class and its probability for rows of data: the first {@code
 * --count} rows of the test split (Fashion-MNIST or CSV), or every image of an IDX file given
 * with {@code --images}. Probabilities come from {@link Predictions} (softmax of the logits).
 */
@Command(name = "predict", sortOptions = false, mixinStandardHelpOptions = true,
    description = {"Predict the class of rows (the test split's first --count, or an IDX"
        + " images file) and print them or write predictions.csv with every class probability.",
        "Without --checkpoint, trains a fresh network first with the given training options."})
final class PredictCommand implements Callable<Integer> {
  @Mixin RunOptions run;

  @Option(names = "--checkpoint", paramLabel = "FILE", description = "The training state to "
      + "predict with (the checkpoint.kiln train writes); default: train a fresh network.")
  Path checkpoint;

  @Option(names = "--images", paramLabel = "FILE", description = "An IDX file of 28x28 images"
      + " (.gz or not) to classify instead of the test split.")
  Path images;

  @Option(names = "--count", paramLabel = "N", defaultValue = "10", description = "Test rows"
      + " to classify without --images (default: ${DEFAULT-VALUE}).")
  int count;

  @Option(names = "--out", paramLabel = "DIR", description = "Write predictions.csv here.")
  Path out;

  @Override
  public Integer call() throws Exception {
    PrintStream console = System.out;
    run.check();
    if (count < 1) {
      throw run.usage("--count " + count + ": give how many test rows to classify, at least 1"
          + " (for example --count 20)");
    }
    if (images != null && !Files.isRegularFile(images)) {
      throw run.usage("--images " + images + ": no such file; give an IDX file of 28x28 images"
          + " such as t10k-images-idx3-ubyte.gz");
    }
    Sessions.checkCheckpoint(run, checkpoint);
    DataSplits data = run.loadData(console);
    float[] x;
    int[] actual;
    int features = data.train().featureCount();
    if (images != null) {
      x = readImages(images, features);
      actual = null;
    } else {
      if (count > data.test().size()) {
        console.printf("--count %d: the test split has %d rows; classifying all of them%n",
            count, data.test().size());
      }
      Dataset test = data.test().head(Math.min(count, data.test().size()));
      x = test.features().clone();
      actual = new int[test.size()];
      for (int r = 0; r < actual.length; r++) {
        actual[r] = test.classIndex(r);
      }
    }
    Sessions.Trained session = Sessions.trained(run, checkpoint, data, console);
    int n = x.length / features;
    Predictions p = Predictions.of(session.run().trainer(), Nd4j.create(
        session.prepare(x, features), new long[] {n, features}, 'c'),
        LossKind.SOFTMAX_CROSS_ENTROPY).withClassNames(data.classNames());
    int shown = Math.min(n, 20);
    console.printf("%6s  %-12s %11s  %s%n", "row", "predicted", "probability",
        actual != null ? "actual" : "");
    for (int r = 0; r < shown; r++) {
      console.printf(Locale.ROOT, "%6d  %-12s %11.4f  %s%n", r, p.predictedName(r),
          p.probability(r), actual == null ? "" : p.className(actual[r])
              + (actual[r] == p.predictedClass(r) ? "" : "  (wrong)"));
    }
    if (n > shown) {
      console.printf("... %d more%s%n", n - shown, out == null ? " (use --out DIR)" : "");
    }
    if (out != null) {
      Files.createDirectories(out);
      write(out.resolve("predictions.csv"), p, actual);
      console.println("Wrote predictions.csv to " + out);
    }
    return 0;
  }

  private float[] readImages(Path file, int features) throws IOException {
    IdxArray a = Idx.read(file);
    int[] d = a.dims();
    if (d.length < 2 || (long) a.values().length / d[0] != features) {
      throw new IllegalArgumentException(file + ": expected images of " + features + " values"
          + " (28x28), got dimensions " + Arrays.toString(d));
    }
    float[] x = a.values().clone();
    for (int i = 0; i < x.length; i++) {
      x[i] /= 255f;
    }
    return x;
  }

  /** {@code predictions.csv}: the row, the predicted class, its probability, every class's. */
  private static void write(Path file, Predictions p, int[] actual) throws IOException {
    int k = (int) p.probabilities().size(1);
    String[] header = new String[6 + k];
    String[] fixed = {"row", "predicted", "predicted_class", "probability", "actual",
        "actual_class"};
    System.arraycopy(fixed, 0, header, 0, fixed.length);
    for (int c = 0; c < k; c++) {
      header[6 + c] = "p_" + p.className(c);
    }
    try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
        CSVPrinter csv = new CSVPrinter(w, CSVFormat.DEFAULT.builder().setHeader(header)
            .setRecordSeparator('\n').get())) {
      Object[] row = new Object[header.length];
      for (int r = 0; r < p.size(); r++) {
        row[0] = r;
        row[1] = p.predictedClass(r);
        row[2] = p.predictedName(r);
        row[3] = p.probability(r);
        row[4] = actual == null ? "" : actual[r];
        row[5] = actual == null ? "" : p.className(actual[r]);
        for (int c = 0; c < k; c++) {
          row[6 + c] = p.probabilities().getFloat(r, c);
        }
        csv.printRecord(row);
      }
    }
  }
}
