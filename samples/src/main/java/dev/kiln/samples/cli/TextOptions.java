package dev.kiln.samples.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import picocli.CommandLine.Option;

/**
 * The options of {@code train --model gpt}: the text, the iterations and how the validation loss
 * is estimated. A picocli mixin of {@link TrainOptions}; other models refuse them.
 */
final class TextOptions {
  /** nanoGPT's CPU run: 2,000 iterations. */
  static final int ITERATIONS = 2000;
  /** nanoGPT's {@code eval_interval} for {@code shakespeare_char}. */
  static final int EVAL_EVERY = 250;
  /** Validation batches per estimate, as the benchmarks' final figure. */
  static final int EVAL_BATCHES = 200;
  /**
   * The options {@code --resume} requires to match the run's (or takes from it); {@code
   * --iterations} may grow, as {@code --epochs} for the other models.
   */
  static final List<String> FIXED = List.of("--text", "--iterations", "--eval-every",
      "--eval-batches");

  @Option(names = "--text", paramLabel = "FILE", description = "With --model gpt: a UTF-8 text"
      + " file (plain or .gz) to train on, characters as tokens, first 90%% for training and the"
      + " last 10%% for validation (default: Tiny Shakespeare, embedded in the jar).")
  Path text;

  @Option(names = "--iterations", paramLabel = "N", description = "With --model gpt: optimizer"
      + " steps to train (default: " + ITERATIONS + "); the cosine decay lasts the run.")
  Integer iterations;

  @Option(names = "--eval-every", paramLabel = "N", description = "With --model gpt: estimate"
      + " the validation loss (and write a checkpoint) every N iterations; N must divide"
      + " --iterations (default: " + EVAL_EVERY + ", or --iterations when smaller).")
  Integer evalEvery;

  @Option(names = "--eval-batches", paramLabel = "N", description = "With --model gpt: random"
      + " validation batches per estimate, the same windows each time (default: " + EVAL_BATCHES
      + ").")
  Integer evalBatches;

  /** Whether any of these options was given. */
  boolean anyGiven() {
    return !given().isEmpty();
  }

  int iterations() {
    return iterations != null ? iterations : ITERATIONS;
  }

  int evalEvery() {
    return evalEvery != null ? evalEvery : Math.min(EVAL_EVERY, iterations());
  }

  int evalBatches() {
    return evalBatches != null ? evalBatches : EVAL_BATCHES;
  }

  /** The options typed, by name, as {@link #recorded} writes them. */
  Map<String, String> given() {
    Map<String, String> m = new TreeMap<>();
    if (text != null) {
      m.put("--text", text.toAbsolutePath().normalize().toString());
    }
    if (iterations != null) {
      m.put("--iterations", iterations.toString());
    }
    if (evalEvery != null) {
      m.put("--eval-every", evalEvery.toString());
    }
    if (evalBatches != null) {
      m.put("--eval-batches", evalBatches.toString());
    }
    return m;
  }

  /** What a run records: the options with their defaults resolved. */
  Map<String, String> recorded() {
    Map<String, String> m = given();
    m.putIfAbsent("--text", "embedded");
    m.put("--iterations", Integer.toString(iterations()));
    m.put("--eval-every", Integer.toString(evalEvery()));
    m.put("--eval-batches", Integer.toString(evalBatches()));
    return m;
  }

  /**
   * For {@code --resume}: the options typed that differ from the run's record ("--iterations 10
   * (the run used --iterations 40)"); those left out are taken from the record. A larger {@code
   * --iterations} is accepted: the cosine decay then lasts the longer run from the resume on.
   */
  List<String> adopt(Map<String, String> record) {
    Map<String, String> typed = given();
    List<String> differences = new java.util.ArrayList<>();
    for (String name : FIXED) {
      String mine = typed.get(name);
      String theirs = record.get(name);
      if (name.equals("--iterations") && mine != null && theirs != null
          && Integer.parseInt(mine) >= Integer.parseInt(theirs)) {
        continue; // may grow, as --epochs for the other models
      }
      if (mine != null && !mine.equals(theirs)) {
        differences.add(name + " " + mine + " (the run used " + (theirs == null ? "the default"
            : name + " " + theirs) + ")");
      } else if (mine == null && theirs != null) {
        switch (name) {
          case "--text" -> text = theirs.equals("embedded") ? null : Path.of(theirs);
          case "--iterations" -> iterations = Integer.valueOf(theirs);
          case "--eval-every" -> evalEvery = Integer.valueOf(theirs);
          default -> evalBatches = Integer.valueOf(theirs);
        }
      }
    }
    return differences;
  }
}
