package dev.kiln.runtime.internal;

import dev.kiln.runtime.backend.Backends;
import dev.kiln.runtime.ops.LossKind;
import dev.kiln.runtime.tensor.Tensor;

import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Checks a caller's batch arrays and copies them into a trainer's preallocated buffers.
 *
 * <p>The copy resolves the source array's memory once and remembers it by identity, so a caller
 * that passes the same arrays every step (as {@code fit} and any loop with reused batch arrays do)
 * allocates nothing. A source that is not contiguous row-major is copied through ND4J instead.
 */
public final class BatchInput {
  private INDArray cachedSource;
  private Tensor cachedTensor;
  private Tensor[] cachedAvoid;
  private boolean cachedInPlace;

  /**
   * Checks that {@code array} is a float32 {@code [n, width]} matrix with {@code 1 ≤ n ≤
   * batchSize} and returns {@code n}. Allocates nothing unless it throws.
   *
   * @param what the argument's name, for the message
   * @throws IllegalArgumentException naming the expected and actual shape or dtype
   */
  public static int checkRows(String what, INDArray array, int width, int batchSize) {
    if (array == null) {
      throw new IllegalArgumentException(what + " is null; expected float32 [n, " + width + "]");
    }
    if (array.rank() != 2 || array.size(1) != width || array.size(0) < 1
        || array.size(0) > batchSize) {
      throw new IllegalArgumentException(what + ": expected shape [n, " + width + "] with 1 <= n <= "
          + batchSize + ", got " + java.util.Arrays.toString(array.shape()));
    }
    if (array.dataType() != DataType.FLOAT) {
      throw new IllegalArgumentException(
          what + ": expected dtype FLOAT (float32), got " + array.dataType());
    }
    return (int) array.size(0);
  }

  /**
   * Checks that {@code array} is a float32 batch of images, {@code [n, channels, height, width]}
   * or the same values flattened in that order, {@code [n, channels·height·width]} (as {@code
   * torch.flatten(x, 1)} lays them out), with {@code 1 ≤ n ≤ batchSize}, and returns {@code n}.
   * Allocates nothing unless it throws.
   *
   * @param what the argument's name, for the message
   * @throws IllegalArgumentException naming the expected shapes ({@code [n, 1, 28, 28] or [n,
   *     784]}) and the actual shape or dtype
   */
  public static int checkImageRows(String what, INDArray array, int channels, int height,
      int width, int batchSize) {
    long size = (long) channels * height * width;
    if (array == null) {
      throw new IllegalArgumentException(what + " is null; expected float32 " + imageShapes(
          channels, height, width, size));
    }
    boolean flat = array.rank() == 2 && array.size(1) == size;
    boolean image = array.rank() == 4 && array.size(1) == channels && array.size(2) == height
        && array.size(3) == width;
    if (!(flat || image) || array.size(0) < 1 || array.size(0) > batchSize) {
      throw new IllegalArgumentException(what + ": expected shape " + imageShapes(channels,
          height, width, size) + " with 1 <= n <= " + batchSize + ", got "
          + java.util.Arrays.toString(array.shape()));
    }
    if (array.dataType() != DataType.FLOAT) {
      throw new IllegalArgumentException(
          what + ": expected dtype FLOAT (float32), got " + array.dataType());
    }
    return (int) array.size(0);
  }

  private static String imageShapes(int channels, int height, int width, long size) {
    return "[n, " + channels + ", " + height + ", " + width + "] or [n, " + size + "]";
  }

  /**
   * Checks that the first {@code n} rows of {@code values} are finite.
   *
   * @param step the optimizer step about to run, for the message
   * @throws IllegalArgumentException naming the step, row, column and value of the first NaN or
   *     infinity
   */
  public static void checkFinite(String what, Tensor values, int n, int width, long step) {
    if (n < 0 || width < 1) {
      throw new IllegalArgumentException("checkFinite: expected n >= 0 rows of width >= 1, got n="
          + n + ", width=" + width);
    }
    long count = (long) n * width;
    Tensor.require("checkFinite", what, values, count);
    int i = firstNonFinite(values, (int) count);
    if (i >= 0) {
      throw new IllegalArgumentException("step " + step + ": " + what + " row " + (i / width)
          + ", column " + (i % width) + " is " + values.data().get(i)
          + "; expected finite values");
    }
  }

  /** The index of the first NaN or infinity among the first {@code count} values, or -1. */
  public static int firstNonFinite(Tensor values, int count) {
    Tensor.require("checkFinite", "values", values, count);
    return Backends.kernels().firstNonFinite(values, count);
  }

  /**
   * Checks that the first {@code n} rows of {@code labels} fit {@code loss}: for softmax
   * cross-entropy each row is a distribution (entries in [0, 1] summing to 1 within 1e-3: one-hot
   * or soft labels); for binary cross-entropy entries in [0, 1]; for MSE finite values.
   *
   * @throws IllegalArgumentException naming the step, row and the problem
   */
  public static void checkLabels(LossKind loss, Tensor labels, int n, int width, long step) {
    FloatBuffer b = labels.data();
    for (int r = 0; r < n; r++) {
      double sum = 0;
      for (int j = 0; j < width; j++) {
        float v = b.get(r * width + j);
        if (!Float.isFinite(v)) {
          throw new IllegalArgumentException("step " + step + ": labels row " + r + ", column "
              + j + " is " + v + "; expected finite values");
        }
        if (loss != LossKind.MSE && (v < 0 || v > 1)) {
          throw new IllegalArgumentException("step " + step + ": labels row " + r + ", column "
              + j + " is " + v + "; " + loss + " expects labels in [0, 1]");
        }
        sum += v;
      }
      if (loss == LossKind.SOFTMAX_CROSS_ENTROPY && Math.abs(sum - 1) > 1e-3) {
        throw new IllegalArgumentException("step " + step + ": labels row " + r + " sums to "
            + (float) sum + "; softmax cross-entropy expects one-hot or a probability"
            + " distribution per row (sum 1)");
      }
    }
  }

  /**
   * The {@code [rows, width]} matrix {@code source} as a tensor to read from: {@code source}'s own
   * memory where it is contiguous row-major and shares no memory with {@code avoid} (no copy: the
   * tensor is a view of it, made once per source array and reused while the same array is
   * passed), else a copy in the first rows of {@code buffer}, which is then returned. The caller
   * must only read the result, and only while {@code source} is alive; {@code avoid} lists the
   * tensors the caller writes while it still reads the result (a trainer's step: its scratch
   * buffers and the network's arrays), so that a source aliasing one of them is copied first and
   * read as it was when passed.
   *
   * @param source a checked array (see {@link #checkRows})
   * @param buffer {@code [batch, width]} with {@code batch ≥ rows}, for a source that is copied
   * @param avoid tensors a source must not overlap to be read in place; the same array on every
   *     call (the decision is cached with the source)
   * @return a tensor whose first {@code rows · width} elements are {@code source}'s, row-major
   */
  public Tensor rowsOf(INDArray source, Tensor buffer, int rows, int width, Tensor[] avoid) {
    if (source != cachedSource || avoid != cachedAvoid) {
      cachedSource = source;
      cachedAvoid = avoid;
      cachedTensor = Tensor.isContiguousRowMajor(source) ? Tensor.wrap(source) : null;
      cachedInPlace = cachedTensor != null && !overlapsAny(cachedTensor, avoid);
    }
    if (!cachedInPlace) {
      copy(source, buffer, rows, width);
      return buffer;
    }
    Tensor.require("rowsOf", "source", cachedTensor, (long) rows * width);
    return cachedTensor;
  }

  /** Whether {@code t}'s memory overlaps that of any tensor in {@code others}. */
  private static boolean overlapsAny(Tensor t, Tensor[] others) {
    long from = t.address();
    long to = from + (long) t.length() * Float.BYTES;
    for (Tensor o : others) {
      long oFrom = o.address();
      if (from < oFrom + (long) o.length() * Float.BYTES && oFrom < to) {
        return true;
      }
    }
    return false;
  }

  /**
   * Copies the {@code [rows, width]} matrix {@code source} into the first rows of {@code target}.
   *
   * @param source a checked array (see {@link #checkRows}; or a batch of images, {@link
   *     #checkImageRows}, whose rows are its images flattened)
   * @param target {@code [batch, width]} with {@code batch ≥ rows}
   */
  public void copy(INDArray source, Tensor target, int rows, int width) {
    int count = rows * width;
    if (source != cachedSource) {
      cachedSource = source;
      cachedTensor = Tensor.isContiguousRowMajor(source) ? Tensor.wrap(source) : null;
      cachedAvoid = null; // rowsOf decides again for this source
    }
    if (cachedTensor == null) {
      // an image batch [n, C, H, W] goes in as its rows [n, C·H·W] (a copy: not contiguous)
      INDArray matrix = source.rank() == 2 ? source : source.reshape('c', rows, width);
      target.array().get(NDArrayIndex.interval(0, rows), NDArrayIndex.all()).assign(matrix);
      return;
    }
    Tensor.require("copy", "source", cachedTensor, count);
    Tensor.require("copy", "target", target, count);
    long src = cachedTensor.address();
    long dst = target.address();
    long bytes = (long) count * Float.BYTES;
    if (src + bytes <= dst || dst + bytes <= src) {
      Backends.kernels().copy(cachedTensor, target, count); // natively in slices on its threads
      return;
    }
    target.data().put(0, cachedTensor.data(), 0, count); // also right when the two overlap
  }
}
