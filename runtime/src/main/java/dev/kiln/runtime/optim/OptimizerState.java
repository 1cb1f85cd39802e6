package dev.kiln.runtime.optim;

import dev.kiln.runtime.tensor.Tensor;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the optimizers share, built once in their constructors: per-parameter buffers named as
 * PyTorch's {@code optimizer.state[p]} entries ({@code <param>.<buffer>}), and the per-parameter
 * coefficients of decoupled weight decay.
 */
final class OptimizerState {
  private final ParameterSet parameters;
  private final Map<String, Tensor> buffers = new LinkedHashMap<>();

  OptimizerState(ParameterSet parameters) {
    this.parameters = parameters;
  }

  /** A zero buffer shaped as parameter {@code i}, registered as {@code <param>.<name>}. */
  Tensor buffer(int i, String name) {
    Tensor t = Tensor.zeros(parameters.value(i).array().shape());
    buffers.put(parameters.name(i) + "." + name, t);
    return t;
  }

  /** The registered buffers, in registration order, unmodifiable. */
  Map<String, Tensor> view() {
    return Collections.unmodifiableMap(buffers);
  }

  /**
   * Checks and copies per-parameter decoupled decay coefficients.
   *
   * @param weightDecay one {@code λ ≥ 0} per parameter of the set, in its order; null for none
   * @throws IllegalArgumentException for a wrong length or a negative or non-finite value
   */
  static double[] decay(double[] weightDecay, int size) {
    return coefficients("weightDecay", weightDecay, size);
  }

  /** As {@link #decay}, for the coefficients called {@code name} in errors. */
  static double[] coefficients(String name, double[] values, int size) {
    if (values == null) {
      return new double[size];
    }
    if (values.length != size) {
      throw new IllegalArgumentException(name + ": expected " + size
          + " coefficients (one per parameter), got " + values.length);
    }
    for (double d : values) {
      if (!(d >= 0 && Double.isFinite(d))) {
        throw new IllegalArgumentException(name + ": coefficients must be finite and at"
            + " least 0, got " + Arrays.toString(values));
      }
    }
    return values.clone();
  }

  /** Checks a restored step count. */
  static long checkSteps(long steps) {
    if (steps < 0) {
      throw new IllegalArgumentException("steps must be at least 0, got " + steps);
    }
    return steps;
  }
}
