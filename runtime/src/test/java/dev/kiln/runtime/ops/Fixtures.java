package dev.kiln.runtime.ops;

import static com.google.common.truth.Truth.assertWithMessage;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.kiln.runtime.tensor.SplitMix64;
import dev.kiln.runtime.tensor.Tensor;
import dev.kiln.runtime.testing.Golden;
import java.util.Locale;

/** Reading {@code transformer.json} into tensors, and comparing within its tolerances. */
final class Fixtures {
  private Fixtures() {}

  /** The parsed {@code transformer.json}, once. */
  private static JsonObject transformer;

  static synchronized JsonObject transformer() {
    if (transformer == null) {
      transformer = Golden.load("transformer.json");
      assertWithMessage("transformer.json dtype").that(transformer.get("dtype").getAsString())
          .isEqualTo("float32");
    }
    return transformer;
  }

  /** A block of {@code transformer.json}, for example {@code "layernorm"}. */
  static JsonObject block(String name) {
    JsonObject block = transformer().getAsJsonObject(name);
    assertWithMessage("transformer.json block %s", name).that(block).isNotNull();
    return block;
  }

  /** A golden tensor as a new {@link Tensor} of its shape. */
  static Tensor tensor(JsonElement golden) {
    Tensor t = Tensor.zeros(Golden.shape(golden));
    t.setFrom(Golden.floats(golden));
    return t;
  }

  /**
   * A golden tensor in a larger buffer of {@code capacity} floats whose tail holds {@code fill}:
   * a kernel that reads past its arguments' extent then shows NaN.
   */
  static Tensor padded(JsonElement golden, int capacity, float fill) {
    float[] values = Golden.floats(golden);
    Tensor t = Tensor.zeros(capacity);
    t.fill(fill);
    for (int i = 0; i < values.length; i++) {
      t.set(i, values[i]);
    }
    return t;
  }

  /** An {@code int64} golden tensor as ints. */
  static int[] ints(JsonElement golden) {
    double[] d = Golden.doubles(golden);
    int[] out = new int[d.length];
    for (int i = 0; i < d.length; i++) {
      out[i] = (int) d[i];
      assertWithMessage("whole number at %s", i).that((double) out[i]).isEqualTo(d[i]);
    }
    return out;
  }

  /** Dimension {@code i} of a golden tensor's shape. */
  static int dim(JsonElement golden, int i) {
    return (int) Golden.shape(golden)[i];
  }

  /** The first {@code count} floats of {@code t}. */
  static float[] head(Tensor t, int count) {
    float[] out = new float[count];
    t.data().get(0, out);
    return out;
  }

  /**
   * Asserts the first floats of {@code actual} match the golden tensor within float32 tolerances,
   * and prints the largest share of the tolerance {@code |a - e|/(atol + rtol·|e|)} used.
   */
  static void assertClose(String what, Tensor actual, JsonElement expected) {
    double[] e = Golden.doubles(expected);
    assertClose(what, head(actual, e.length), e);
  }

  /** {@link #assertClose(String, Tensor, JsonElement)} on arrays. */
  static void assertClose(String what, float[] actual, double[] expected) {
    Golden.assertAllClose(what, actual, expected, Golden.RTOL_F32, Golden.ATOL_F32);
    double budget = 0;
    for (int i = 0; i < expected.length; i++) {
      double diff = Math.abs(actual[i] - expected[i]);
      budget = Math.max(budget, diff / (Golden.ATOL_F32 + Golden.RTOL_F32 * Math.abs(expected[i])));
    }
    System.out.printf(Locale.ROOT, "[golden] transformer.json %-40s %5.1f%% of the tolerance%n",
        what, 100 * budget);
  }

  /** A tensor of normal values times {@code scale}. */
  static Tensor random(SplitMix64 rng, double scale, long... shape) {
    Tensor t = Tensor.zeros(shape);
    for (int i = 0; i < t.length(); i++) {
      t.set(i, (float) (scale * rng.nextGaussian()));
    }
    return t;
  }
}
