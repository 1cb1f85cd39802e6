package dev.kiln.benchmarks;

import dev.kiln.runtime.data.CharCorpus;
import dev.kiln.runtime.gpt.GptConfig;
import dev.kiln.runtime.gpt.GptTraining;
import dev.kiln.runtime.gpt.HandGpt;
import dev.kiln.runtime.tensor.SplitMix64;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The convergence check of the hand-written GPT ({@link HandGpt}): nanoGPT's CPU configuration of
 * {@code shakespeare_char} (4 blocks, 4 heads, width 128, context 64, batch 12, no dropout, AdamW
 * lr 1e-3 with betas (0.9, 0.99) and decay 0.1 on matrices and embeddings, 100 warm-up steps then
 * cosine to 1e-4, clipping at 1), trained on a character corpus (first 90 %), then the validation
 * loss in nats per character: the mean over 200 random batches of the last 10 %. The same run as
 * {@code pytorch/gpt_peer.py train}.
 *
 * <p>Usage: {@code GptShakespeare [text=../shared/data/tinyshakespeare.txt] [iterations=2000]
 * [batch=12] [seed=1337] [eval=200]}. Prints the training loss every 200 iterations and a JSON
 * line with the validation loss and the training time.
 */
public final class GptShakespeare {
  private GptShakespeare() {}

  public static void main(String[] args) throws IOException {
    Map<String, String> a = new HashMap<>();
    for (String arg : args) {
      int eq = arg.indexOf('=');
      if (eq < 1) {
        throw new IllegalArgumentException("expected key=value, got " + arg);
      }
      a.put(arg.substring(0, eq), arg.substring(eq + 1));
    }
    Path text = Path.of(a.getOrDefault("text", "../shared/data/tinyshakespeare.txt"));
    int iterations = Integer.parseInt(a.getOrDefault("iterations", "2000"));
    int n = Integer.parseInt(a.getOrDefault("batch", "12"));
    long seed = Long.parseLong(a.getOrDefault("seed", "1337"));
    int evalBatches = Integer.parseInt(a.getOrDefault("eval", "200"));

    CharCorpus corpus = CharCorpus.read(text);
    GptConfig config = GptConfig.nano(corpus.vocabularySize());
    int t = config.context();
    HandGpt gpt = new HandGpt(config, n, GptTraining.nanoGpt(iterations));
    gpt.initialize(seed);
    int[] ids = new int[n * t];
    int[] targets = new int[n * t];
    SplitMix64 random = new SplitMix64(seed);
    long start = System.nanoTime();
    for (int it = 0; it < iterations; it++) {
      corpus.train().batch(random, n, t, ids, targets);
      double loss = gpt.step(ids, targets, n, t);
      if (it % 200 == 0 || it == iterations - 1) {
        System.out.printf(Locale.ROOT, "iter %5d  train loss %.4f  norm %.3f  lr %.2e  %.1f s%n",
            it, loss, gpt.lastGradientNorm(), gpt.learningRate(),
            (System.nanoTime() - start) / 1e9);
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    SplitMix64 validationRandom = new SplitMix64(0);
    double sum = 0;
    for (int b = 0; b < evalBatches; b++) {
      corpus.validation().batch(validationRandom, n, t, ids, targets);
      sum += gpt.loss(ids, targets, n, t);
    }
    System.out.printf(Locale.ROOT, "{\"peer\": \"kiln-hand\", \"model\": \"gpt-nano\", "
        + "\"iterations\": %d, \"validation_loss\": %.6f, \"train_seconds\": %.1f, "
        + "\"threads\": \"%s\"}%n", iterations, sum / evalBatches, seconds,
        System.getProperty("kiln.threads", "default"));
  }
}
