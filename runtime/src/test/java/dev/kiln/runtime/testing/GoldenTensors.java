package dev.kiln.runtime.testing;

import dev.kiln.runtime.tensor.Tensor;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.kiln.runtime.testing.Golden;
import java.util.Arrays;

/** Builds kernel tensors from golden tensor objects {@code {dtype, shape, data}}. */
public final class GoldenTensors {
  private GoldenTensors() {}

  /** A new tensor with the golden tensor's shape and values. */
  public static Tensor tensor(JsonElement golden) {
    Tensor t = Tensor.zeros(Golden.shape(golden));
    t.setFrom(Golden.floats(golden));
    return t;
  }

  /**
   * A {@code [rows + extraRows, width]} tensor whose first rows hold the golden 2-d tensor and
   * whose extra rows hold {@code fill}: kernels must read only the first {@code n} rows.
   */
  public static Tensor padded(JsonElement golden, int extraRows, float fill) {
    long[] shape = Golden.shape(golden);
    if (shape.length != 2) {
      throw new IllegalArgumentException("expected a 2-d tensor, got " + Arrays.toString(shape));
    }
    float[] data = Golden.floats(golden);
    float[] all = new float[(int) ((shape[0] + extraRows) * shape[1])];
    Arrays.fill(all, fill);
    System.arraycopy(data, 0, all, 0, data.length);
    Tensor t = Tensor.zeros(shape[0] + extraRows, shape[1]);
    t.setFrom(all);
    return t;
  }

  /** The first {@code count} elements of a tensor. */
  public static float[] head(Tensor t, int count) {
    return Arrays.copyOf(t.toFloatArray(), count);
  }

  /** Class indices (an {@code int64} golden tensor) as exact ints. */
  public static int[] classIndices(JsonElement golden) {
    JsonObject o = golden.getAsJsonObject();
    if (!o.get("dtype").getAsString().equals("int64")) {
      throw new IllegalArgumentException("expected int64 class indices, got " + o.get("dtype"));
    }
    var data = o.getAsJsonArray("data");
    int[] out = new int[data.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = data.get(i).getAsInt();
    }
    return out;
  }

  /** One-hot rows {@code [rows, classes]}, with {@code extraRows} rows of {@code fill} after them. */
  public static Tensor oneHot(int[] labels, int classes, int extraRows, float fill) {
    float[] all = new float[(labels.length + extraRows) * classes];
    Arrays.fill(all, labels.length * classes, all.length, fill);
    for (int r = 0; r < labels.length; r++) {
      if (labels[r] < 0 || labels[r] >= classes) {
        throw new IllegalArgumentException("label " + labels[r] + " outside [0, " + classes + ")");
      }
      all[r * classes + labels[r]] = 1f;
    }
    Tensor t = Tensor.zeros(labels.length + extraRows, classes);
    t.setFrom(all);
    return t;
  }

  /** The golden values as doubles. */
  public static double[] expected(JsonElement golden) {
    return Golden.doubles(golden);
  }
}
