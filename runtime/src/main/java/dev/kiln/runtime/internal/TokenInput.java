package dev.kiln.runtime.internal;

import dev.kiln.runtime.tensor.Tensor;
import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Token ids as a token model's step takes them: {@code [n, t]} arrays (int, long or float of whole
 * numbers) with {@code 1 ≤ n ≤ batch} and {@code 1 ≤ t ≤ context}, checked (every id a whole number
 * in {@code [0, vocabulary)}, the first bad one named by sample and position) and copied packed
 * into the first {@code n·t} floats of a trainer's buffer. Allocates nothing for a contiguous
 * row-major array; other layouts are read element by element.
 */
public final class TokenInput {
  private TokenInput() {}

  /**
   * Checks the shape of {@code ids} and returns {@code n}.
   *
   * @throws IllegalArgumentException naming the expected and actual shape, before anything changes
   */
  public static int checkShape(String what, INDArray ids, int context, int batchSize) {
    if (ids == null) {
      throw new IllegalArgumentException(what + " is null; expected token ids [n, t]");
    }
    if (ids.rank() != 2 || ids.size(0) < 1 || ids.size(0) > batchSize || ids.size(1) < 1
        || ids.size(1) > context) {
      throw new IllegalArgumentException(what + ": expected token ids of shape [n, t] with 1 <= n"
          + " <= " + batchSize + " and 1 <= t <= " + context + ", got "
          + java.util.Arrays.toString(ids.shape()));
    }
    if (!ids.dataType().isNumerical()) {
      throw new IllegalArgumentException(what + ": expected a numeric dtype, got "
          + ids.dataType());
    }
    return (int) ids.size(0);
  }

  /**
   * Checks every id of {@code ids} ({@code [n, t]}, shape checked): a whole number in {@code [0,
   * vocabulary)}.
   *
   * @throws IllegalArgumentException naming the first bad id's sample, position and value
   */
  public static void checkIds(String what, INDArray ids, int vocabulary) {
    int n = (int) ids.size(0);
    int t = (int) ids.size(1);
    for (int s = 0; s < n; s++) {
      for (int p = 0; p < t; p++) {
        check(what, value(ids, s, p, t), vocabulary, s, p);
      }
    }
  }

  /** Copies the checked {@code [n, t]} ids packed into the first {@code n·t} floats of {@code to}. */
  public static void copy(INDArray ids, Tensor to) {
    int n = (int) ids.size(0);
    int t = (int) ids.size(1);
    FloatBuffer out = to.data();
    for (int s = 0; s < n; s++) {
      for (int p = 0; p < t; p++) {
        out.put(s * t + p, (float) value(ids, s, p, t));
      }
    }
  }

  /**
   * Checks the first {@code n·t} ids of a buffer (as {@code fit} fills it).
   *
   * @param step the optimizer step about to run, for the message
   * @throws IllegalArgumentException naming the first bad id's sample, position and value
   */
  public static void checkIds(String what, Tensor ids, int n, int t, int vocabulary, long step) {
    FloatBuffer b = ids.data();
    for (int i = 0; i < n * t; i++) {
      float v = b.get(i);
      if (!(v >= 0 && v < vocabulary && v == Math.rint(v))) {
        throw new IllegalArgumentException(what + " at step " + step + ": " + message(v,
            vocabulary, i / t, i % t));
      }
    }
  }

  private static double value(INDArray ids, int s, int p, int t) {
    DataBuffer data = ids.data();
    long at = ids.offset() + s * ids.stride(0) + p * ids.stride(1);
    return data.getDouble(at);
  }

  private static void check(String what, double v, int vocabulary, int s, int p) {
    if (!(v >= 0 && v < vocabulary && v == Math.rint(v))) {
      throw new IllegalArgumentException(what + ": " + message(v, vocabulary, s, p));
    }
  }

  private static String message(double v, int vocabulary, int s, int p) {
    return "token id " + v + " at sample " + s + ", position " + p
        + " is not a whole number in [0, " + vocabulary + ")";
  }
}
