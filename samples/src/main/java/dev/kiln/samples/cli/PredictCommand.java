package dev.kiln.samples.cli;

import dev.kiln.runtime.data.Dataset;
import dev.kiln.runtime.data.Idx;
import dev.kiln.runtime.data.IdxArray;
import dev.kiln.samples.FashionMnist;
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
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code predict}: the predicted class and its softmax probability for images: the first {@code
 * --count} test images, or every image of an IDX file given with {@code --images}.
 */
@Command(name = "predict", sortOptions = false, mixinStandardHelpOptions = true,
    description = {"Predict the class of images (the test split's first --count, or an IDX"
        + " images file) and print or write predictions.csv.", "Without --checkpoint, trains"
        + " a fresh network first with the given training options."})
final class PredictCommand implements Callable<Integer> {
  @Mixin RunOptions run;

  @Option(names = "--checkpoint", paramLabel = "FILE", description = "The training state to "
      + "predict with (the checkpoint.kiln train writes); default: train a fresh network.")
  Path checkpoint;

  @Option(names = "--images", paramLabel = "FILE", description = "An IDX file of 28x28 images"
      + " (.gz or not) to classify instead of the test split.")
  Path images;

  @Option(names = "--count", paramLabel = "N", defaultValue = "10", description = "Test images"
      + " to classify without --images (default: ${DEFAULT-VALUE}).")
  int count;

  @Option(names = "--out", paramLabel = "DIR", description = "Write predictions.csv here.")
  Path out;

  @Override
  public Integer call() throws Exception {
    PrintStream console = System.out;
    FashionMnist.Splits data = run.loadData(console);
    float[] x;
    int[] actual;
    if (images != null) {
      x = readImages(images);
      actual = null;
    } else {
      Dataset test = data.test().head(Math.min(Math.max(count, 1), data.test().size()));
      x = test.features();
      actual = new int[test.size()];
      for (int r = 0; r < actual.length; r++) {
        actual[r] = test.classIndex(r);
      }
    }
    SampleModel.Run session = Sessions.trained(run, checkpoint, data, console);
    int n = x.length / FashionMnist.FEATURE_COUNT;
    INDArray logits = session.trainer().predict(
        Nd4j.create(x, new long[] {n, FashionMnist.FEATURE_COUNT}, 'c'));
    INDArray p = Transforms.softmax(logits, true);
    int[] predicted = new int[n];
    double[] probability = new double[n];
    for (int r = 0; r < n; r++) {
      predicted[r] = p.getRow(r).argMax().getInt(0);
      probability[r] = p.getDouble(r, predicted[r]);
    }
    int shown = Math.min(n, 20);
    console.printf("%6s  %-12s %11s  %s%n", "image", "predicted", "probability",
        actual != null ? "actual" : "");
    for (int r = 0; r < shown; r++) {
      console.printf(Locale.ROOT, "%6d  %-12s %11.4f  %s%n", r,
          FashionMnist.CLASS_NAMES.get(predicted[r]), probability[r],
          actual == null ? "" : FashionMnist.CLASS_NAMES.get(actual[r])
              + (actual[r] == predicted[r] ? "" : "  (wrong)"));
    }
    if (n > shown) {
      console.printf("... %d more%s%n", n - shown, out == null ? " (use --out DIR)" : "");
    }
    if (out != null) {
      Files.createDirectories(out);
      write(out.resolve("predictions.csv"), predicted, probability, actual);
      console.println("Wrote predictions.csv to " + out);
    }
    return 0;
  }

  private static float[] readImages(Path file) throws IOException {
    IdxArray a = Idx.read(file);
    if (a.dims().length != 3 || a.dims()[1] != 28 || a.dims()[2] != 28) {
      throw new IllegalArgumentException(file + ": expected 28x28 images, got dimensions "
          + Arrays.toString(a.dims()));
    }
    float[] x = a.values().clone();
    for (int i = 0; i < x.length; i++) {
      x[i] /= 255f;
    }
    return x;
  }

  private static void write(Path file, int[] predicted, double[] probability, int[] actual)
      throws IOException {
    try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
        CSVPrinter csv = new CSVPrinter(w, CSVFormat.DEFAULT.builder()
            .setHeader("image", "predicted", "predicted_class", "probability", "actual",
                "actual_class").setRecordSeparator('\n').get())) {
      for (int r = 0; r < predicted.length; r++) {
        csv.printRecord(r, predicted[r], FashionMnist.CLASS_NAMES.get(predicted[r]),
            probability[r], actual == null ? "" : actual[r],
            actual == null ? "" : FashionMnist.CLASS_NAMES.get(actual[r]));
      }
    }
  }
}
