package dev.kiln.runtime.data;

import dev.kiln.runtime.tensor.Tensor;

import java.nio.FloatBuffer;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

/**
 * Training batches from a DL4J / ND4J {@link DataSetIterator}, so that data already prepared for
 * DL4J trains a Kiln network unchanged. Each {@link DataSet} the iterator returns is cut into
 * chunks of at most the batch size, in order, and copied into the trainer's buffers; the
 * iterator's own order is kept (shuffle it in the iterator). Features of any rank are flattened
 * per sample ({@code [n, 1, 28, 28]} becomes {@code [n, 784]}); labels must be {@code [n,
 * classes]}. Masks are not supported.
 *
 * <p>Before training, one pass over the iterator counts the steps of an epoch (schedules need the
 * run's length) and checks every chunk's size, so the iterator must support {@code reset()}.
 */
public final class IteratorSource implements BatchSource {
  private final DataSetIterator iterator;
  private final int batchSize;
  private final boolean dropLast;
  private final int minimumRows;
  private final int inputs;
  private final int outputs;
  private final String what;
  private final int stepsPerEpoch;
  private FloatBuffer features;
  private FloatBuffer labels;
  private int rows;
  private int offset;
  private int batchesServed;

  /**
   * @throws IllegalArgumentException if the iterator cannot be reset, a batch has the wrong
   *     shape, or a chunk would be smaller than {@code minimumRows} without {@code dropLast}
   */
  public IteratorSource(DataSetIterator iterator, int batchSize, boolean dropLast, int minimumRows,
      int inputs, int outputs, String what) {
    if (iterator == null) {
      throw new IllegalArgumentException(what + " iterator is null");
    }
    if (!iterator.resetSupported()) {
      throw new IllegalArgumentException(what + " iterator " + iterator.getClass().getName()
          + " does not support reset(); fit needs one pass to count the steps and one per epoch"
          + " (wrap the data in an in-memory Dataset or a resettable iterator)");
    }
    this.iterator = iterator;
    this.batchSize = batchSize;
    this.dropLast = dropLast;
    this.minimumRows = minimumRows;
    this.inputs = inputs;
    this.outputs = outputs;
    this.what = what;
    this.stepsPerEpoch = countSteps();
  }

  private int countSteps() {
    iterator.reset();
    int steps = 0;
    int index = 0;
    while (iterator.hasNext()) {
      DataSet d = iterator.next();
      int n = checkShapes(d, index++);
      for (int start = 0; start < n; start += batchSize) {
        int chunk = Math.min(batchSize, n - start);
        if (dropLast && chunk < batchSize) {
          continue;
        }
        if (chunk < minimumRows) {
          throw new IllegalArgumentException(Batches.shortBatchMessage(what + " iterator batch "
              + index + " (" + n + " rows)", chunk, minimumRows));
        }
        steps++;
      }
    }
    if (steps == 0) {
      throw new IllegalArgumentException(what + " iterator gave no batch to train on");
    }
    return steps;
  }

  /** Checks a batch's shapes and returns its row count. */
  private int checkShapes(DataSet d, int index) {
    INDArray f = d.getFeatures();
    INDArray l = d.getLabels();
    if (f == null || l == null) {
      throw new IllegalArgumentException(what + " iterator batch " + index
          + " has no features or no labels");
    }
    if (d.getFeaturesMaskArray() != null || d.getLabelsMaskArray() != null) {
      throw new IllegalArgumentException(what + " iterator batch " + index
          + " has a mask array; Kiln's dense networks take no masks");
    }
    long n = f.size(0);
    if (f.length() != n * inputs || l.rank() != 2 || l.size(0) != n || l.size(1) != outputs) {
      throw new IllegalArgumentException(what + " iterator batch " + index + ": expected features"
          + " [n, " + inputs + "] (or any shape with " + inputs + " values per sample) and labels"
          + " [n, " + outputs + "], got " + Arrays.toString(f.shape()) + " and "
          + Arrays.toString(l.shape()));
    }
    return (int) n;
  }

  @Override
  public void startEpoch() {
    iterator.reset();
    rows = 0;
    offset = 0;
    batchesServed = 0;
  }

  @Override
  public int cursor() {
    return batchesServed;
  }

  /**
   * Restarts the epoch and skips {@code cursor} batches: exact for an iterator that returns the
   * same batches after each {@code reset()} (the shuffle state is the iterator's own business).
   */
  @Override
  public void resume(long epochStartState, int cursor) {
    startEpoch();
    Tensor f = Tensor.zeros(batchSize, inputs);
    Tensor l = Tensor.zeros(batchSize, outputs);
    for (int i = 0; i < cursor && hasNext(); i++) {
      next(f, l);
    }
  }

  @Override
  public boolean hasNext() {
    while (rows - offset < (dropLast ? batchSize : 1)) {
      if (!iterator.hasNext()) {
        return false;
      }
      load(iterator.next());
    }
    return true;
  }

  private void load(DataSet d) {
    int n = checkShapes(d, -1);
    features = contiguousFloats(d.getFeatures(), n, inputs);
    labels = contiguousFloats(d.getLabels(), n, outputs);
    rows = n;
    offset = 0;
  }

  private static FloatBuffer contiguousFloats(INDArray a, int n, int width) {
    INDArray m = a.reshape('c', n, width);
    if (m.dataType() != DataType.FLOAT) {
      m = m.castTo(DataType.FLOAT);
    }
    if (!Tensor.isContiguousRowMajor(m) || m.offset() != 0) {
      m = m.dup('c');
    }
    return Tensor.wrap(m).data();
  }

  @Override
  public int next(Tensor featureBuffer, Tensor labelBuffer) {
    if (!hasNext()) {
      throw new java.util.NoSuchElementException("no batch left in this epoch");
    }
    int n = Math.min(batchSize, rows - offset);
    featureBuffer.data().put(0, features, offset * inputs, n * inputs);
    labelBuffer.data().put(0, labels, offset * outputs, n * outputs);
    offset += n;
    batchesServed++;
    return n;
  }

  @Override
  public int stepsPerEpoch() {
    return stepsPerEpoch;
  }
}
