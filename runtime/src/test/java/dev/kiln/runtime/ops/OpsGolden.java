package dev.kiln.runtime.ops;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import dev.kiln.runtime.tensor.Tensor;
import dev.kiln.runtime.testing.Golden;
import java.util.Arrays;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Golden tensors for the layer kernels' tests, and a record of how much of the tolerance the
 * comparisons used (printed by the tests, so that drift towards the limit is visible).
 */
final class OpsGolden {
  private final String family;
  private double maxShare;
  private String worst = "-";
  private long values;

  OpsGolden(String family) {
    this.family = family;
  }

  /** A new tensor with the golden tensor's shape and values. */
  static Tensor tensor(JsonElement golden) {
    Tensor t = Tensor.zeros(Golden.shape(golden));
    t.setFrom(Golden.floats(golden));
    return t;
  }

  /**
   * The golden tensor with {@code extra} more samples (first axis) of {@code fill} after it:
   * kernels must read only the first {@code n} samples.
   */
  static Tensor padded(JsonElement golden, int extra, float fill) {
    long[] shape = Golden.shape(golden);
    float[] data = Golden.floats(golden);
    long[] bigger = shape.clone();
    bigger[0] += extra;
    Tensor t = Tensor.zeros(bigger);
    float[] all = new float[t.length()];
    Arrays.fill(all, fill);
    System.arraycopy(data, 0, all, 0, data.length);
    t.setFrom(all);
    return t;
  }

  /** A zero tensor of the golden tensor's shape with {@code extra} more samples. */
  static Tensor zerosLike(JsonElement golden, int extra) {
    long[] shape = Golden.shape(golden).clone();
    shape[0] += extra;
    return Tensor.zeros(shape);
  }

  /** The first {@code count} elements. */
  static float[] head(Tensor t, int count) {
    return Arrays.copyOf(t.toFloatArray(), count);
  }

  /** A JSON array of two ints. */
  static int[] pair(JsonElement e) {
    JsonArray a = e.getAsJsonArray();
    if (a.size() != 2) {
      throw new IllegalArgumentException("expected two values, got " + a);
    }
    return new int[] {a.get(0).getAsInt(), a.get(1).getAsInt()};
  }

  /** A keyword argument {@code name=value} of a recorded module constructor call. */
  static double moduleArg(String module, String name) {
    Matcher m = Pattern.compile("\\b" + name + "=([-+0-9.eE]+)").matcher(module);
    if (!m.find()) {
      throw new AssertionError(name + " not in " + module);
    }
    return Double.parseDouble(m.group(1));
  }

  /** {@link Golden#assertAllClose} on the first {@code expected.length} elements of a tensor. */
  void check(String what, Tensor actual, JsonElement golden) {
    double[] expected = Golden.doubles(golden);
    check(what, head(actual, expected.length), expected);
  }

  void check(String what, float[] actual, double[] expected) {
    double rtol = Golden.RTOL_F32;
    double atol = Golden.ATOL_F32;
    Golden.assertAllClose(family + " " + what, actual, expected, rtol, atol);
    for (int i = 0; i < expected.length; i++) {
      values++;
      double share = Math.abs(actual[i] - expected[i]) / (atol + rtol * Math.abs(expected[i]));
      if (share > maxShare) {
        maxShare = share;
        worst = what + "[" + i + "]";
      }
    }
  }

  long values() {
    return values;
  }

  String summary() {
    return String.format(Locale.ROOT, "[golden] %s: %d values, max tolerance share %.1f%% (at %s)",
        family, values, 100 * maxShare, worst);
  }
}
