package dev.kiln.samples.cli;

import dev.kiln.runtime.train.Evaluation;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code evaluate}: the per-class report and confusion matrix of a network on the test split.
 * Without {@code --checkpoint} it trains a fresh network first (with the training options);
 * with it, the trainer is restored from that file, with the normaliser it carries.
 */
@Command(name = "evaluate", sortOptions = false, mixinStandardHelpOptions = true,
    description = {"Print loss, accuracy, per-class precision / recall / F1 and the confusion"
        + " matrix of a network on the test split.", "Without --checkpoint, trains a fresh"
        + " network first with the given training options."})
final class EvaluateCommand implements Callable<Integer> {
  @Mixin RunOptions run;

  @Option(names = "--checkpoint", paramLabel = "FILE", description = "The training state to "
      + "evaluate (the checkpoint.kiln train writes); default: train a fresh network.")
  Path checkpoint;

  @Option(names = "--out", paramLabel = "DIR", description = "Also write confusion-matrix.png"
      + " here.")
  Path out;

  @Override
  public Integer call() throws Exception {
    PrintStream console = System.out;
    run.check();
    Sessions.checkCheckpoint(run, checkpoint);
    DataSplits data = run.loadData(console);
    Sessions.Trained session = Sessions.trained(run, checkpoint, data, console);
    Evaluation test = session.run().evaluate().evaluate(session.prepare(data.test()));
    Report.print(console, "Test set (" + data.test().description() + "):", test,
        data.classNames());
    int[][] m = test.confusionMatrix();
    console.println("Confusion matrix (rows: actual, columns: predicted):");
    for (int a = 0; a < m.length; a++) {
      StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "  %-12s",
          Report.name(data.classNames(), a)));
      for (int p = 0; p < m.length; p++) {
        row.append(String.format(Locale.ROOT, " %5d", m[a][p]));
      }
      console.println(row);
    }
    if (out != null) {
      Files.createDirectories(out);
      Plots.confusionMatrix(out.resolve("confusion-matrix.png"), String.format(Locale.ROOT,
          "Confusion matrix, test set (accuracy %.4f)", test.accuracy()), m,
          data.classNames());
      console.println("Wrote confusion-matrix.png to " + out);
    }
    return 0;
  }
}
