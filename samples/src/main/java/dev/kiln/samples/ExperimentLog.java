package dev.kiln.samples;

import dev.kiln.runtime.train.EpochResult;
import dev.kiln.runtime.train.Evaluation;
import dev.kiln.runtime.train.Trainer;
import dev.kiln.runtime.train.TrainingListener;
import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The per-epoch lines of the pruning and distillation samples: losses, validation accuracy,
 * learning rate, time, and for a pruning trainer its overall and per-layer sparsity.
 */
final class ExperimentLog implements TrainingListener {
  private final PrintStream out;
  private final String name;

  ExperimentLog(PrintStream out, String name) {
    this.out = out;
    this.name = name;
  }

  @Override
  public void onEpochEnd(Trainer trainer, EpochResult r) {
    Evaluation v = r.validation();
    StringBuilder s = new StringBuilder(String.format(Locale.ROOT,
        "%-16s epoch %2d  train loss %.4f", name, r.epoch(), r.trainLoss()));
    if (v != null) {
      s.append(String.format(Locale.ROOT, "  test loss %.4f  test acc %.4f", v.loss(),
          v.accuracy()));
    }
    s.append(String.format(Locale.ROOT, "  lr %.5f  %.1f s", r.learningRate(), r.seconds()));
    String sparsity = sparsity(trainer);
    if (!sparsity.isEmpty()) {
      s.append("  ").append(sparsity);
    }
    out.println(s);
    out.flush();
  }

  /** {@code sparsity 0.900 (hidden1 0.912, ...)}, or empty for a trainer that does not prune. */
  static String sparsity(Trainer trainer) {
    Map<String, Double> layers = trainer.sparsity();
    if (layers.isEmpty()) {
      return "";
    }
    StringJoiner j = new StringJoiner(", ", " (", ")");
    layers.forEach((k, v) -> j.add(String.format(Locale.ROOT, "%s %.3f", k, v)));
    return String.format(Locale.ROOT, "sparsity %.3f", trainer.overallSparsity()) + j;
  }

  /** Seconds since {@code start} (a {@code System.nanoTime()}). */
  static double seconds(long start) {
    return (System.nanoTime() - start) / 1e9;
  }
}
