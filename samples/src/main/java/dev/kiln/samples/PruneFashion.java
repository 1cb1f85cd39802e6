package dev.kiln.samples;

import dev.kiln.runtime.train.Evaluation;
import dev.kiln.runtime.train.FitOptions;
import dev.kiln.runtime.tensor.Tensor;
import dev.kiln.runtime.pruning.CompactNetwork;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The pruning experiment on Fashion-MNIST: the reference MLP trained as {@link FashionTraining}
 * (unpruned), as {@link PrunedFashionTraining} (90% of its dense weights pruned, globally) and as
 * {@link NeuronPrunedFashionTraining} (half of each hidden layer's units removed), same seed and
 * epochs; then the structurally pruned network compacted ({@code compact()}) and its predictions
 * and speed compared with the masked network's. Prints a Markdown table at the end.
 *
 * <p>Arguments: {@code [--data DIR] [--epochs N] [--out DIR] [--only baseline,global,neurons]}.
 * Without {@code --data} the installed full set is used when present, else the embedded subset.
 */
public final class PruneFashion {
  private PruneFashion() {}

  public static void main(String[] args) throws Exception {
    ExperimentArgs a = ExperimentArgs.parse("PruneFashion", Path.of("runs", "pruning"),
        System.err, args);
    if (a == null) {
      System.exit(2);
    }
    PrintStream out = System.out;
    FashionMnist.Splits data = FashionMnist.loadDefault(a.data, out);
    FitOptions options = a.epochs == null ? FitOptions.defaults()
        : FitOptions.builder().epochs(a.epochs).build();
    List<String> rows = new ArrayList<>();
    if (a.runs("baseline")) {
      FashionTrainingTrainer t = new FashionTrainingTrainer(
          FashionMlpNetwork.initialize(FashionTrainingTrainer.SEED));
      long start = System.nanoTime();
      t.fit(data.train(), data.test(), options, new ExperimentLog(out, "unpruned"));
      double seconds = ExperimentLog.seconds(start);
      Evaluation e = t.evaluate(data.test());
      rows.add(row("FashionTraining (unpruned)", e, 0, "-", seconds));
    }
    if (a.runs("global")) {
      PrunedFashionTrainingTrainer t = new PrunedFashionTrainingTrainer(
          FashionMlpNetwork.initialize(PrunedFashionTrainingTrainer.SEED));
      long start = System.nanoTime();
      t.fit(data.train(), data.test(), options, new ExperimentLog(out, "global 90%"));
      double seconds = ExperimentLog.seconds(start);
      Evaluation e = t.evaluate(data.test());
      out.println("global 90%: " + ExperimentLog.sparsity(t) + "; zero weights "
          + zeros(t.parameters(), t.masks().keySet()));
      rows.add(row("PrunedFashionTraining (global, 90%)", e, t.overallSparsity(),
          layers(t.sparsity()), seconds));
    }
    if (a.runs("neurons")) {
      NeuronPrunedFashionTrainingTrainer t = new NeuronPrunedFashionTrainingTrainer(
          FashionMlpNetwork.initialize(NeuronPrunedFashionTrainingTrainer.SEED));
      long start = System.nanoTime();
      t.fit(data.train(), data.test(), options, new ExperimentLog(out, "neurons 50%"));
      double seconds = ExperimentLog.seconds(start);
      Evaluation e = t.evaluate(data.test());
      rows.add(row("NeuronPrunedFashionTraining (units, 50% per layer)", e,
          t.overallSparsity(), layers(t.sparsity()), seconds));
      compare(out, t, data, a.out);
    }
    out.println();
    out.println("| training | test accuracy | sparsity (overall) | per layer | training time |");
    out.println("|---|---|---|---|---|");
    rows.forEach(out::println);
  }

  /** Compacts the structurally pruned network and compares outputs and speed with the masked. */
  private static void compare(PrintStream out, NeuronPrunedFashionTrainingTrainer t,
      FashionMnist.Splits data, Path dir) throws Exception {
    CompactNetwork compact = t.compact();
    INDArray x = features(data.test().features(), data.test().size());
    INDArray masked = t.network().predict(x);
    INDArray small = compact.predict(x);
    double maxDiff = masked.sub(small).amaxNumber().doubleValue();
    double agree = masked.argMax(1).eq(small.argMax(1)).castTo(DataType.FLOAT).meanNumber()
        .doubleValue();
    out.printf(Locale.ROOT, "compact network: layer widths %s (full 256, 256, 10), %,d"
            + " parameters (full %,d); max |masked - compact| over the test logits %.3g;"
            + " same predicted class on %.4f of the test set%n",
        Arrays.toString(compact.widths()), compact.parameterCount(), 784 * 256 + 256 * 256
            + 256 * 10 + 256 + 256 + 10 + 4 * 256, maxDiff, agree);
    double full = time(() -> t.network().predict(x));
    double reduced = time(() -> compact.predict(x));
    out.printf(Locale.ROOT, "predict on the %,d test images (median of 15 runs): masked %.1f ms,"
        + " compact %.1f ms, speed-up %.2fx%n", data.test().size(), full * 1e3, reduced * 1e3,
        full / reduced);
    Files.createDirectories(dir);
    Path file = dir.resolve("fashion-mlp-compact.kiln");
    compact.save(file);
    INDArray reloaded = CompactNetwork.load(file).predict(x);
    out.printf(Locale.ROOT, "saved the compact network to %s (%,d bytes); reloaded outputs equal:"
        + " %s%n", file, Files.size(file), reloaded.equals(small));
  }

  /** Median wall time of 15 runs after 3 warm-up runs, in seconds. */
  private static double time(Runnable r) {
    for (int i = 0; i < 3; i++) {
      r.run();
    }
    double[] t = new double[15];
    for (int i = 0; i < t.length; i++) {
      long start = System.nanoTime();
      r.run();
      t[i] = ExperimentLog.seconds(start);
    }
    Arrays.sort(t);
    return t[t.length / 2];
  }

  private static INDArray features(float[] values, int rows) {
    return Nd4j.create(values, new long[] {rows, FashionMnist.FEATURE_COUNT}, DataType.FLOAT);
  }

  private static String zeros(Map<String, INDArray> parameters, java.util.Set<String> pruned) {
    long zero = 0;
    long total = 0;
    for (String name : pruned) {
      float[] w = Tensor.wrap(parameters.get(name)).toFloatArray();
      for (float v : w) {
        zero += v == 0f ? 1 : 0;
      }
      total += w.length;
    }
    return String.format(Locale.ROOT, "%,d of %,d", zero, total);
  }

  private static String layers(Map<String, Double> sparsity) {
    StringBuilder b = new StringBuilder();
    sparsity.forEach((k, v) -> b.append(b.length() == 0 ? "" : ", ")
        .append(String.format(Locale.ROOT, "%s %.3f", k, v)));
    return b.toString();
  }

  private static String row(String name, Evaluation e, double sparsity, String layers,
      double seconds) {
    return String.format(Locale.ROOT, "| %s | %.4f | %.3f | %s | %.0f s |", name, e.accuracy(),
        sparsity, layers, seconds);
  }
}
