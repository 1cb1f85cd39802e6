package dev.kiln.runtime.testing;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Reads the PyTorch reference files of {@code shared/golden/} (beside the repository; else the
 * repository's copy in {@code testdata/golden/}) and compares
 * against them as numpy's {@code allclose}: {@code |actual - expected| <= atol + rtol·|expected|},
 * NaN where NaN is expected, infinities exactly. The folder is found by walking up from the
 * working directory, or given by the system property {@code kiln.golden}.
 */
public final class Golden {
  private Golden() {}

  /** The golden folder. */
  public static Path dir() {
    String property = System.getProperty("kiln.golden");
    if (property != null) {
      return Paths.get(property);
    }
    // The shared folder (the contract) first, then the repository's copy of it.
    for (String folder : new String[] {"shared", "testdata"}) {
      for (Path d = Paths.get("").toAbsolutePath(); d != null; d = d.getParent()) {
        Path candidate = d.resolve(folder).resolve("golden");
        if (Files.isRegularFile(candidate.resolve("README.md"))) {
          return candidate;
        }
      }
    }
    throw new IllegalStateException("neither shared/golden nor testdata/golden found above "
        + Paths.get("").toAbsolutePath() + "; set -Dkiln.golden=<dir>");
  }

  /** Parses a golden file, for example {@code "batchnorm.json"}. */
  public static JsonObject load(String file) {
    try {
      return JsonParser.parseString(Files.readString(dir().resolve(file))).getAsJsonObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A number, accepting the strings "NaN", "Infinity" and "-Infinity". */
  public static double number(JsonElement e) {
    if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isString()) {
      return switch (e.getAsString()) {
        case "NaN" -> Double.NaN;
        case "Infinity" -> Double.POSITIVE_INFINITY;
        case "-Infinity" -> Double.NEGATIVE_INFINITY;
        default -> throw new IllegalArgumentException("not a number: " + e);
      };
    }
    return e.getAsDouble();
  }

  /** The data of a tensor object {@code {dtype, shape, data}} (or a bare array) as doubles. */
  public static double[] doubles(JsonElement tensor) {
    JsonArray data = tensor.isJsonObject() ? tensor.getAsJsonObject().getAsJsonArray("data")
        : tensor.getAsJsonArray();
    double[] out = new double[data.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = number(data.get(i));
    }
    return out;
  }

  /** The data of a tensor as float32. */
  public static float[] floats(JsonElement tensor) {
    double[] d = doubles(tensor);
    float[] out = new float[d.length];
    for (int i = 0; i < d.length; i++) {
      out[i] = (float) d[i];
    }
    return out;
  }

  /** The shape of a tensor object. */
  public static long[] shape(JsonElement tensor) {
    JsonArray s = tensor.getAsJsonObject().getAsJsonArray("shape");
    long[] out = new long[s.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = s.get(i).getAsLong();
    }
    return out;
  }

  /** Asserts {@code allclose(actual, expected, rtol, atol)} element by element. */
  public static void assertAllClose(String what, double[] actual, double[] expected, double rtol,
      double atol) {
    if (actual.length != expected.length) {
      throw new AssertionError(what + ": length " + actual.length + ", expected " + expected.length);
    }
    for (int i = 0; i < actual.length; i++) {
      double a = actual[i];
      double e = expected[i];
      boolean ok;
      if (Double.isNaN(e)) {
        ok = Double.isNaN(a);
      } else if (Double.isInfinite(e)) {
        ok = a == e;
      } else {
        ok = Math.abs(a - e) <= atol + rtol * Math.abs(e);
      }
      if (!ok) {
        throw new AssertionError(what + "[" + i + "]: got " + a + ", expected " + e
            + " (rtol " + rtol + ", atol " + atol + ")");
      }
    }
  }

  /** Float overload of {@link #assertAllClose(String, double[], double[], double, double)}. */
  public static void assertAllClose(String what, float[] actual, double[] expected, double rtol,
      double atol) {
    double[] a = new double[actual.length];
    for (int i = 0; i < a.length; i++) {
      a[i] = actual[i];
    }
    assertAllClose(what, a, expected, rtol, atol);
  }

  /** Tolerances of the float32 files. */
  public static final double RTOL_F32 = 1e-5;
  public static final double ATOL_F32 = 1e-6;
  /** Tolerances of learning rates. */
  public static final double RTOL_LR = 1e-10;
  public static final double ATOL_LR = 1e-12;
}
