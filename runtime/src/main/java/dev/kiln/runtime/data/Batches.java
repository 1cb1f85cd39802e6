package dev.kiln.runtime.data;

import dev.kiln.runtime.tensor.SplitMix64;
import dev.kiln.runtime.tensor.Tensor;
import java.nio.FloatBuffer;
import java.util.NoSuchElementException;

/**
 * Mini-batches of a {@link Dataset}, copied into preallocated tensors. Nothing is allocated per
 * batch or per epoch.
 *
 * <p>Use:
 *
 * <pre>{@code
 * Batches batches = new Batches(train, 64, true, false, seed);
 * Tensor x = Tensor.zeros(64, train.featureCount());
 * Tensor y = Tensor.zeros(64, train.classCount());
 * for (int epoch = 0; epoch < epochs; epoch++) {
 *   batches.startEpoch();
 *   while (batches.hasNext()) {
 *     int n = batches.next(x, y);   // rows 0..n-1 hold the batch
 *     ...
 *   }
 * }
 * }</pre>
 *
 * <p>Shuffling: each {@link #startEpoch()} resets the row order to 0, 1, 2, ... and shuffles it
 * (Fisher-Yates) with a {@link SplitMix64} seeded once in the constructor, so an epoch's order
 * depends only on the generator state when the epoch starts: the same seed gives the same
 * sequence of orders, and successive epochs get different orders.
 *
 * <p>Checkpoints: at an epoch boundary, saving {@link #rngState()} and later calling {@link
 * #setRngState(long)} then {@link #startEpoch()} reproduces the next epoch exactly. Mid-epoch,
 * save {@link #epochStartRngState()} and {@link #cursor()} and resume with {@link #resume(long,
 * int)}.
 */
public final class Batches {
  private final Dataset data;
  private final int batchSize;
  private final boolean shuffle;
  private final boolean dropLast;
  private final int[] order;
  private final SplitMix64 rng;
  private long epochStartState;
  private int cursor;

  /**
   * @param data the rows to iterate
   * @param batchSize rows per batch, at least 1
   * @param shuffle whether each epoch visits the rows in a new random order
   * @param dropLast whether to skip the last batch when it has fewer than {@code batchSize} rows
   * @param seed the shuffle seed
   * @throws IllegalArgumentException if {@code batchSize} is not positive
   */
  public Batches(Dataset data, int batchSize, boolean shuffle, boolean dropLast, long seed) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be positive, got " + batchSize);
    }
    this.data = data;
    this.batchSize = batchSize;
    this.shuffle = shuffle;
    this.dropLast = dropLast;
    this.order = new int[data.size()];
    this.rng = new SplitMix64(seed);
    this.epochStartState = seed;
    this.cursor = data.size(); // no batches until startEpoch()
  }

  /**
   * Starts an epoch: rewinds to the first row and, when shuffling, draws a new row order. Call it
   * before each epoch, the first included; until then {@link #hasNext()} is false.
   */
  public void startEpoch() {
    epochStartState = rng.state();
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    if (shuffle) {
      for (int i = order.length - 1; i > 0; i--) {
        int j = rng.nextInt(i + 1);
        int t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
    }
    cursor = 0;
  }

  /** Batches per epoch: {@code size / batchSize}, rounded up unless {@code dropLast}. */
  public int batchCount() {
    int size = data.size();
    return dropLast ? size / batchSize : (size + batchSize - 1) / batchSize;
  }

  /** Rows per full batch. */
  public int batchSize() {
    return batchSize;
  }

  /** The dataset iterated. */
  public Dataset dataset() {
    return data;
  }

  /** Whether the current epoch has another batch. */
  public boolean hasNext() {
    int left = data.size() - cursor;
    return dropLast ? left >= batchSize : left > 0;
  }

  /**
   * Copies the next batch into the first {@code n} rows of the tensors and returns {@code n}:
   * {@code batchSize}, or fewer for the last batch of an epoch when not {@code dropLast}. Rows
   * {@code n..batchSize-1} are set to zero; rows from {@code batchSize} on (of tensors with more
   * rows, such as a trainer's buffers with a smaller batch) are left as they are.
   *
   * @param features {@code [rows, featureCount]} with {@code rows ≥ batchSize}, written
   * @param labels {@code [rows, classCount]} with {@code rows ≥ batchSize}, written
   * @return the number of rows in this batch
   * @throws IllegalArgumentException if a tensor has another shape
   * @throws NoSuchElementException if the epoch has no batch left (see {@link #hasNext()})
   */
  public int next(Tensor features, Tensor labels) {
    checkShape("features", features, data.featureCount());
    checkShape("labels", labels, data.classCount());
    if (!hasNext()) {
      throw new NoSuchElementException("no batch left in this epoch; call startEpoch()");
    }
    int n = Math.min(batchSize, data.size() - cursor);
    copyRows(data.features(), data.featureCount(), features.data(), n);
    copyRows(data.labels(), data.classCount(), labels.data(), n);
    cursor += n;
    return n;
  }

  private void copyRows(float[] src, int width, FloatBuffer dst, int n) {
    for (int i = 0; i < n; i++) {
      dst.put(i * width, src, order[cursor + i] * width, width);
    }
    for (int i = n * width; i < batchSize * width; i++) {
      dst.put(i, 0f);
    }
  }

  private void checkShape(String name, Tensor t, int width) {
    if (t.rank() != 2 || t.size(0) < batchSize || t.size(1) != width) {
      throw new IllegalArgumentException("expected " + name + " [rows, " + width + "] with rows >= "
          + batchSize + ", got " + t);
    }
  }

  /** Rows of the current epoch already returned. */
  public int cursor() {
    return cursor;
  }

  /** The generator state now: the state the next {@link #startEpoch()} shuffles from. */
  public long rngState() {
    return rng.state();
  }

  /** Sets the generator state, from {@link #rngState()}; takes effect at the next epoch. */
  public void setRngState(long state) {
    rng.setState(state);
  }

  /** The generator state when the current epoch started, for {@link #resume(long, int)}. */
  public long epochStartRngState() {
    return epochStartState;
  }

  /**
   * Continues an interrupted epoch: redraws the order of the epoch that started with generator
   * state {@code epochStartRngState} and skips its first {@code cursor} rows.
   *
   * @throws IllegalArgumentException unless {@code 0 <= cursor <= size}
   */
  public void resume(long epochStartRngState, int cursor) {
    if (cursor < 0 || cursor > data.size()) {
      throw new IllegalArgumentException("cursor must be in 0.." + data.size() + ", got " + cursor);
    }
    rng.setState(epochStartRngState);
    startEpoch();
    this.cursor = cursor;
  }

  /** The error for a batch with fewer rows than the network accepts, naming the remedies. */
  public static String shortBatchMessage(String what, int rows, int minimumRows) {
    return what + ": the last batch of each epoch would hold " + rows + " row"
        + (rows == 1 ? "" : "s") + ", but this network takes at least " + minimumRows
        + " (batch normalisation in training mode needs two samples for its variance; PyTorch"
        + " refuses such a batch too). Set FitOptions.builder().dropLast(true) to skip it, or"
        + " pick a batch size that leaves no such remainder";
  }
}
