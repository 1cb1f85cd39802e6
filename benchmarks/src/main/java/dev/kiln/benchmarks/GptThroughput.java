package dev.kiln.benchmarks;

import dev.kiln.runtime.gpt.HandGpt;
import dev.kiln.runtime.train.Trainer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Training-step throughput of Kiln's GPT measured as {@code pytorch/gpt_peer.py speed} measures
 * PyTorch's, so that the two can alternate in short rounds on a noisy machine ({@code
 * benchmarks/run.sh gpt}): for each configuration, steps on one fixed batch for {@code warmup}
 * seconds, then {@code windows} windows of at least {@code window} seconds each; prints one JSON
 * line per configuration with the median of the windows' tokens per second (steps × batch ×
 * context / seconds) and every window.
 *
 * <p>The step is the generated trainer's ({@link GeneratedGptStepBenchmark}: {@code
 * trainer=generated}, the default) or the hand-written one's ({@link GptStepBenchmark}: {@code
 * trainer=hand}), on the same batch of random ids as those benchmarks. Arguments, each {@code
 * name=value}: {@code configs} (nano,large), {@code trainer}, {@code batch} (12), {@code warmup}
 * (2 s), {@code window} (2 s), {@code windows} (3). Threads as every Kiln run:
 * {@code -Dkiln.threads}.
 *
 * <pre>
 * java -Dkiln.threads=2 -cp "$CP" dev.kiln.benchmarks.GptThroughput configs=large windows=3
 * </pre>
 */
public final class GptThroughput {
  private GptThroughput() {}

  /** One training step on the fixed batch. */
  private interface Step {
    void run();
  }

  public static void main(String[] args) {
    String configs = "nano,large";
    String trainer = "generated";
    int batch = 12;
    double warmup = 2;
    double window = 2;
    int windows = 3;
    for (String a : args) {
      int eq = a.indexOf('=');
      String key = eq < 0 ? a : a.substring(0, eq);
      String value = eq < 0 ? "" : a.substring(eq + 1);
      switch (key) {
        case "configs" -> configs = value;
        case "trainer" -> trainer = value;
        case "batch" -> batch = Integer.parseInt(value);
        case "warmup" -> warmup = Double.parseDouble(value);
        case "window" -> window = Double.parseDouble(value);
        case "windows" -> windows = Integer.parseInt(value);
        default -> throw new IllegalArgumentException("unknown argument " + a + "; expected "
            + "configs=, trainer=generated|hand, batch=, warmup=, window= or windows=");
      }
    }
    if (windows < 1 || !(window > 0) || !(warmup >= 0) || batch < 1) {
      throw new IllegalArgumentException("expected windows >= 1, window > 0, warmup >= 0 and "
          + "batch >= 1 (seconds for window and warmup), got windows=" + windows + ", window="
          + window + ", warmup=" + warmup + ", batch=" + batch);
    }
    for (String config : configs.split(",")) {
      int context = GptStepBenchmark.config(config).context();
      Step step = step(trainer, config, batch);
      long end = System.nanoTime() + (long) (warmup * 1e9);
      while (System.nanoTime() < end) {
        step.run();
      }
      List<Double> rates = new ArrayList<>();
      for (int w = 0; w < windows; w++) {
        long start = System.nanoTime();
        long steps = 0;
        long now;
        do {
          step.run();
          steps++;
          now = System.nanoTime();
        } while (now - start < window * 1e9);
        rates.add(steps * batch * context / ((now - start) / 1e9));
      }
      List<Double> sorted = new ArrayList<>(rates);
      sorted.sort(null);
      double median = sorted.size() % 2 == 1 ? sorted.get(sorted.size() / 2)
          : (sorted.get(sorted.size() / 2 - 1) + sorted.get(sorted.size() / 2)) / 2;
      StringBuilder list = new StringBuilder();
      for (double r : rates) {
        list.append(list.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.1f", r));
      }
      System.out.printf(Locale.ROOT, "{\"peer\": \"kiln-%s\", \"model\": \"gpt-%s\", \"batch\": %d, "
          + "\"threads\": %s, \"tokens_per_s\": %.1f, \"windows\": [%s]}%n", trainer, config, batch,
          System.getProperty("kiln.threads", "null"), median, list);
    }
  }

  private static Step step(String trainer, String config, int batch) {
    switch (trainer) {
      case "generated" -> {
        Trainer t = GeneratedGptStepBenchmark.trainer(config);
        GeneratedGptStepBenchmark.writeBatch(t, batch);
        return () -> t.stepBuffered(batch);
      }
      case "hand" -> {
        HandGpt gpt = GptStepBenchmark.hand(config, batch);
        int[][] tokens = GptStepBenchmark.tokens(gpt.config(), batch);
        int context = gpt.config().context();
        return () -> gpt.step(tokens[0], tokens[1], batch, context);
      }
      default -> throw new IllegalArgumentException("unknown trainer " + trainer
          + "; expected generated or hand");
    }
  }
}
