package dev.kiln.runtime.data;

import dev.kiln.runtime.tensor.SplitMix64;
import dev.kiln.runtime.tensor.Tensor;

/**
 * Training batches for a token model, as nanoGPT's {@code get_batch}: each batch is {@code n}
 * windows of {@code t + 1} tokens at offsets drawn uniformly (seeded {@link SplitMix64}) from a
 * {@link CharCorpus.Split}, the first {@code t} as the ids {@code [n, t]} and the next {@code t}
 * as the targets (see {@link CharCorpus.Split#batch}). There are no passes over the text: an
 * "epoch" of {@code Training.fit} is an interval of {@link #stepsPerEpoch()} batches, after which
 * {@code fit} evaluates (nanoGPT's {@code eval_interval}).
 *
 * <p>Resuming is exact: the generator's state at the start of the interval and the number of
 * batches drawn in it ({@link #cursor()}) are what a checkpoint keeps; {@link #resume} redraws the
 * offsets of those batches without copying anything. {@link #next} allocates nothing.
 */
public final class TokenBatches implements BatchSource {
  private final CharCorpus.Split split;
  private final int n;
  private final int t;
  private final int interval;
  private final SplitMix64 random;
  private long epochStart;
  private int cursor;

  /**
   * @param split where the windows come from, at least {@code t + 1} tokens long
   * @param n windows per batch (the batch size), at least 1
   * @param t tokens per window, the model's context {@code T} (a token trainer's step reads whole
   *     windows of its context)
   * @param interval batches per "epoch" (between two evaluations), at least 1
   * @param seed the seed of the offsets
   * @throws IllegalArgumentException for a size below 1 or a split shorter than {@code t + 1}
   *     tokens, naming it
   */
  public TokenBatches(CharCorpus.Split split, int n, int t, int interval, long seed) {
    if (n < 1 || t < 1 || interval < 1) {
      throw new IllegalArgumentException("expected n >= 1, t >= 1 and interval >= 1, got n=" + n
          + ", t=" + t + ", interval=" + interval);
    }
    if (split.length() < t + 1) {
      throw new IllegalArgumentException("the split has " + split.length() + " tokens; windows"
          + " of " + t + " need at least " + (t + 1));
    }
    this.split = split;
    this.n = n;
    this.t = t;
    this.interval = interval;
    this.random = new SplitMix64(seed);
    this.epochStart = seed;
    this.cursor = interval; // nothing to draw before startEpoch
  }

  /** Windows per batch. */
  public int batchSize() {
    return n;
  }

  /** Tokens per window. */
  public int context() {
    return t;
  }

  @Override
  public void startEpoch() {
    epochStart = random.state();
    cursor = 0;
  }

  @Override
  public boolean hasNext() {
    return cursor < interval;
  }

  /**
   * Draws the next batch into {@code ids} and {@code targets} ({@code [n, t]} packed at the
   * start of each).
   *
   * @return {@code n}
   * @throws IllegalStateException past the interval's last batch
   */
  @Override
  public int next(Tensor ids, Tensor targets) {
    if (!hasNext()) {
      throw new IllegalStateException("the interval's " + interval + " batches are drawn; call"
          + " startEpoch");
    }
    split.batch(random, n, t, ids, targets);
    cursor++;
    return n;
  }

  @Override
  public int stepsPerEpoch() {
    return interval;
  }

  @Override
  public long epochStartState() {
    return epochStart;
  }

  @Override
  public long nextEpochState() {
    return random.state();
  }

  @Override
  public int cursor() {
    return cursor;
  }

  @Override
  public void resume(long epochStartState, int cursor) {
    if (cursor < 0 || cursor > interval) {
      throw new IllegalArgumentException("cursor " + cursor + " is outside [0, " + interval
          + "]");
    }
    random.setState(epochStartState);
    epochStart = epochStartState;
    int bound = split.length() - t;
    for (long i = 0; i < (long) cursor * n; i++) {
      random.nextInt(bound); // the offsets Split.batch drew
    }
    this.cursor = cursor;
  }
}
