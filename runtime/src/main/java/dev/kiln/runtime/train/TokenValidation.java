package dev.kiln.runtime.train;

import dev.kiln.runtime.data.CharCorpus;
import dev.kiln.runtime.ops.SequenceCrossEntropy;
import dev.kiln.runtime.tensor.SplitMix64;
import dev.kiln.runtime.tensor.Tensor;
import java.nio.FloatBuffer;

/**
 * The validation loss of a token model as nanoGPT's {@code estimate_loss}: the mean over {@code
 * batches} random batches of {@code n} windows of the validation split of the mean next-token
 * cross-entropy (nats per token) in eval mode; also the fraction of positions whose arg-max logit
 * is the next token. The batches come from a generator seeded afresh with {@code seed} at each
 * {@link #run}, so every evaluation of a run sees the same windows (comparable points on the
 * curve, and nothing to keep in a checkpoint); nanoGPT draws new ones each time. Buffers are made
 * once; {@link #run} allocates only its result.
 */
public final class TokenValidation {
  private final CharCorpus.Split split;
  private final int batches;
  private final int n;
  private final int t;
  private final int vocabulary;
  private final long seed;
  private final SequenceForward forward;
  private final Tensor ids;
  private final Tensor targets;
  private final Tensor logits;

  /**
   * @param split the validation tokens, at least {@code t + 1}
   * @param batches batches per evaluation (nanoGPT's {@code eval_iters}, 200 in its CPU run)
   * @param n windows per batch
   * @param t tokens per window: the model's context
   * @param vocabulary the model's {@code V}, the width of its logits
   * @param seed the windows' seed, the same at every evaluation
   * @param forward the model's eval-mode forward pass into {@code [n, t·V]} logits
   * @throws IllegalArgumentException for a count below 1 or a split too short, naming it
   */
  public TokenValidation(CharCorpus.Split split, int batches, int n, int t, int vocabulary,
      long seed, SequenceForward forward) {
    if (batches < 1 || n < 1 || t < 1 || vocabulary < 1) {
      throw new IllegalArgumentException("expected batches, n, t and vocabulary >= 1, got "
          + batches + ", " + n + ", " + t + ", " + vocabulary);
    }
    if (split.length() < t + 1) {
      throw new IllegalArgumentException("the validation split has " + split.length()
          + " tokens; windows of " + t + " need at least " + (t + 1));
    }
    this.split = split;
    this.batches = batches;
    this.n = n;
    this.t = t;
    this.vocabulary = vocabulary;
    this.seed = seed;
    this.forward = java.util.Objects.requireNonNull(forward, "forward");
    this.ids = Tensor.zeros(n, t);
    this.targets = Tensor.zeros(n, t);
    this.logits = Tensor.zeros(n, t * vocabulary);
  }

  /** Batches per evaluation. */
  public int batches() {
    return batches;
  }

  /**
   * Evaluates: loss in nats per token (mean of the batches' means), accuracy over all positions,
   * and {@code samples} = windows evaluated.
   */
  public Evaluation run() {
    SplitMix64 random = new SplitMix64(seed);
    int rows = n * t;
    double lossSum = 0;
    long correct = 0;
    for (int b = 0; b < batches; b++) {
      split.batch(random, n, t, ids, targets);
      forward.forward(ids, n, t, logits);
      correct += correct(rows);
      // the gradient written over the logits is not needed
      lossSum += SequenceCrossEntropy.compute(logits, targets, rows, vocabulary, t, logits);
    }
    return new Evaluation(lossSum / batches, (double) correct / ((long) rows * batches),
        batches * n);
  }

  private long correct(int rows) {
    FloatBuffer z = logits.data();
    FloatBuffer y = targets.data();
    long hits = 0;
    for (int r = 0; r < rows; r++) {
      int best = 0;
      float max = Float.NEGATIVE_INFINITY;
      for (int j = 0; j < vocabulary; j++) {
        float v = z.get(r * vocabulary + j);
        if (v > max) {
          max = v;
          best = j;
        }
      }
      if (best == (int) y.get(r)) {
        hits++;
      }
    }
    return hits;
  }
}
