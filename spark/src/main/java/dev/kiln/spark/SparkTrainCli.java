package dev.kiln.spark;

import dev.kiln.runtime.data.Dataset;
import dev.kiln.runtime.train.Trainer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code spark-train}: trains a generated trainer (by default the reference Fashion-MNIST MLP of
 * kiln-samples) on Spark with {@link SparkTraining}, printing one line per epoch (loss, test
 * accuracy, samples/s, averaging time) and a summary. Without {@code --master} and outside
 * {@code spark-submit} it runs on {@code local[workers]}. See docs/distributed.md.
 */
@Command(name = "spark-train", mixinStandardHelpOptions = true,
    version = "Kiln spark-train 0.1.0-SNAPSHOT",
    description = "Data-parallel training of a Kiln trainer on Apache Spark (parameter"
        + " averaging every k steps).")
public final class SparkTrainCli implements Callable<Integer> {
  @Option(names = "--workers", description = "Workers (shards; default: 2).")
  int workers = 2;

  @Option(names = "--average-every", paramLabel = "K",
      description = "Optimizer steps between averagings (default: ${DEFAULT-VALUE}).")
  int averageEvery = SparkOptions.DEFAULT_AVERAGE_EVERY;

  @Option(names = "--epochs", description = "Epochs (default: the trainer's).")
  int epochs;

  @Option(names = "--batch-size", description = "Rows per step of each worker (default: the"
      + " trainer's).")
  int batchSize;

  @Option(names = "--trainer", description = "Generated trainer class (default:"
      + " ${DEFAULT-VALUE}).")
  String trainer = "dev.kiln.samples.FashionTrainingTrainer";

  @Option(names = "--seed", description = "Network initialisation seed (default: 42).")
  long seed = 42;

  @Option(names = "--data", description = "Directory of the four IDX files (default: the"
      + " Debian package dataset-fashion-mnist's, else the subset in kiln-samples.jar).")
  Path data;

  @Option(names = "--embedded", description = "Use the Fashion-MNIST subset embedded in"
      + " kiln-samples.jar (6,000 training, 1,000 test images) even where the full set is"
      + " installed.")
  boolean embedded;

  @Option(names = "--master", description = "Spark master (default: spark-submit's, else"
      + " local[workers]).")
  String master;

  @Option(names = "--threads", description = "Kiln kernel threads per worker (kiln.threads;"
      + " default: 1 with several local workers, else the processors).")
  Integer threads;

  @Option(names = "--checkpoints", description = "Checkpoint directory.")
  Path checkpoints;

  @Option(names = "--checkpoint-every", paramLabel = "ROUNDS",
      description = "Checkpoint every this many rounds (default: ${DEFAULT-VALUE}).")
  int checkpointEvery = 10;

  @Option(names = "--resume", description = "Continue from the newest checkpoint.")
  boolean resume;

  @Option(names = "--verbose", description = "Print every round.")
  boolean verbose;

  private PrintWriter out;

  /** Runs the command line and exits with its status. */
  public static void main(String[] args) {
    System.exit(execute(new PrintWriter(System.out, true), args));
  }

  /** Runs the command line in this JVM; 0 on success, 1 on a failure, 2 on a usage error. */
  public static int execute(PrintWriter out, String... args) {
    if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn"); // Spark's INFO lines
    }
    SparkTrainCli cli = new SparkTrainCli();
    cli.out = out;
    CommandLine line = new CommandLine(cli).setOut(out);
    line.setExecutionExceptionHandler((e, cmd, parsed) -> {
      cmd.getErr().println("error: " + (e.getMessage() != null ? e.getMessage() : e));
      if (Boolean.getBoolean("kiln.stacktrace")) {
        e.printStackTrace(cmd.getErr());
      }
      return 1;
    });
    return line.execute(args);
  }

  @Override
  public Integer call() throws Exception {
    SparkConf conf = new SparkConf().setAppName("kiln spark-train");
    boolean local = !conf.contains("spark.master");
    if (master != null) {
      conf.setMaster(master);
      local = master.startsWith("local");
    } else if (local) {
      conf.setMaster("local[" + workers + "]");
    }
    if (local) {
      conf.setIfMissing("spark.driver.host", "127.0.0.1")
          .setIfMissing("spark.driver.bindAddress", "127.0.0.1")
          .setIfMissing("spark.ui.enabled", "false");
    }
    if (threads != null) {
      System.setProperty("kiln.threads", Integer.toString(threads));
    } else if (local && workers > 1 && System.getProperty("kiln.threads") == null) {
      System.setProperty("kiln.threads", "1"); // the workers share this JVM's cores
    }
    IdxSplits splits = embedded ? IdxSplits.embedded() : IdxSplits.load(data);
    out.printf(Locale.ROOT, "Data: %s (%d training, %d test rows)%n", splits.description(),
        splits.train().size(), splits.test().size());
    ReflectiveTrainerFactory factory = new ReflectiveTrainerFactory(trainer, seed);
    List<RoundMetrics> epochRounds = new ArrayList<>();
    SparkOptions.Builder options = SparkOptions.builder().workers(workers)
        .averageEvery(averageEvery).epochs(epochs).batchSize(batchSize)
        .listener(new Report(splits.test(), epochRounds, verbose, out));
    if (checkpoints != null) {
      options.checkpoints(checkpoints, checkpointEvery).resume(resume);
    }
    try (JavaSparkContext sc = new JavaSparkContext(conf)) {
      sc.setLogLevel("WARN");
      out.printf(Locale.ROOT, "Spark %s on %s: %d workers, k = %d, kiln.threads = %s%n",
          sc.version(), sc.master(), workers, averageEvery,
          System.getProperty("kiln.threads", "default"));
      long start = System.nanoTime();
      SparkResult<Trainer> result = SparkTraining.fit(sc,
          sc.parallelize(LabeledRow.of(splits.train()), Math.max(workers, 2)), factory,
          options.build());
      double seconds = (System.nanoTime() - start) / 1e9;
      List<RoundMetrics> rounds = result.rounds();
      if (rounds.isEmpty()) {
        out.printf(Locale.ROOT, "Done: nothing left to train (the checkpoint is at the run's"
            + " end); test accuracy %.4f%n", accuracy(result.trainer(), splits.test()));
        return 0;
      }
      double[] averaging = rounds.stream().mapToDouble(RoundMetrics::averagingSeconds).sorted()
          .toArray();
      long samples = rounds.stream().mapToLong(RoundMetrics::samples).sum();
      double roundSeconds = rounds.stream().mapToDouble(RoundMetrics::seconds).sum();
      double compute = rounds.stream().mapToDouble(RoundMetrics::computeSeconds).sum();
      out.printf(Locale.ROOT, "Done: %d rounds of k = %d in %.1f s (%.1f s in rounds);"
          + " %.0f samples/s over the rounds, %.0f in the workers' steps; averaging per round:"
          + " median %.1f ms, mean %.1f ms; test accuracy %.4f%n", rounds.size(), averageEvery,
          seconds, roundSeconds, samples / roundSeconds, samples / compute,
          averaging.length == 0 ? 0 : averaging[averaging.length / 2] * 1e3,
          Arrays.stream(averaging).average().orElse(0) * 1e3,
          accuracy(result.trainer(), splits.test()));
    }
    return 0;
  }

  /** Test accuracy of the trainer's network in eval mode, in chunks of 1,000 rows. */
  static double accuracy(Trainer trainer, Dataset test) {
    int f = test.featureCount();
    int c = test.classCount();
    long correct = 0;
    for (int start = 0; start < test.size(); start += 1000) {
      int n = Math.min(1000, test.size() - start);
      INDArray logits = trainer.predict(Nd4j.create(Arrays.copyOfRange(test.features(),
          start * f, (start + n) * f), new long[] {n, f}, 'c'));
      for (int r = 0; r < n; r++) {
        int best = 0;
        for (int k = 1; k < c; k++) {
          if (logits.getFloat(r, k) > logits.getFloat(r, best)) {
            best = k;
          }
        }
        correct += test.classIndex(start + r) == best ? 1 : 0;
      }
    }
    return (double) correct / test.size();
  }

  /** One line per epoch (and per round with --verbose). */
  private record Report(Dataset test, List<RoundMetrics> epochRounds, boolean verbose,
      PrintWriter out) implements RoundListener {
    @Override
    public void onRound(RoundMetrics m, Trainer trainer) {
      epochRounds.add(m);
      if (verbose) {
        out.println(m);
      }
    }

    @Override
    public double onEpochEnd(int epoch, Trainer trainer) {
      double loss = 0;
      long samples = 0;
      double seconds = 0;
      double averaging = 0;
      for (RoundMetrics m : epochRounds) {
        loss += m.loss() * m.samples();
        samples += m.samples();
        seconds += m.seconds();
        averaging += m.averagingSeconds();
      }
      out.printf(Locale.ROOT, "epoch %d: loss %.4f, test accuracy %.4f, %.0f samples/s, %d"
          + " rounds, averaging %.1f ms per round%n", epoch, loss / samples,
          accuracy(trainer, test), samples / seconds, epochRounds.size(),
          averaging / epochRounds.size() * 1e3);
      epochRounds.clear();
      return Double.NaN;
    }
  }
}
