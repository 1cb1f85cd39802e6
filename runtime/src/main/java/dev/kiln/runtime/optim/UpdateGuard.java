package dev.kiln.runtime.optim;

import dev.kiln.runtime.backend.Backends;
import dev.kiln.runtime.tensor.Tensor;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Makes an optimizer's update all or nothing with respect to non-finite results, at no cost in
 * the common case. It keeps an upper bound {@code B} on the magnitude of every parameter and
 * optimizer buffer; from {@code B}, the gradient bound and the learning rate the optimizer
 * computes a bound on everything its update can write ({@code next}). While {@code next} stays
 * below {@link #SAFE} (1e30, far below float's 3.4e38) no value can overflow and the update runs
 * as it is. Otherwise the parameters and buffers are copied first (into arrays made on the first
 * such step), the update runs, and everything it wrote is checked: a non-finite value restores
 * the copies and throws {@link NonFiniteUpdateException}; a finite result tightens {@code B} to
 * the true maximum.
 *
 * <p>{@code B} is measured (one pass over parameters and buffers) on first use, after a restore
 * ({@link #reset}) and every {@link #RESCAN} updates, so values written from outside (a
 * checkpoint, early stopping's best parameters) are accounted for.
 */
final class UpdateGuard {
  /** Below this bound nothing the update computes in float can overflow. */
  static final double SAFE = 1e30;
  /** Updates between measurements of the bound. */
  static final int RESCAN = 256;

  private final ParameterSet parameters;
  private final Tensor[] tensors;
  private final String[] names;
  private final String[] layers;
  private float[][] backup;
  private double bound = Double.NaN;
  private int sinceScan;
  private long guardedUpdates;

  /** Guards the parameters of {@code parameters} and the optimizer buffers of {@code state}. */
  UpdateGuard(ParameterSet parameters, Map<String, Tensor> state) {
    this.parameters = parameters;
    List<Tensor> t = new ArrayList<>();
    List<String> n = new ArrayList<>();
    List<String> l = new ArrayList<>();
    for (int i = 0; i < parameters.size(); i++) {
      t.add(parameters.value(i));
      n.add("parameter " + parameters.name(i));
      l.add(parameters.layer(i));
    }
    state.forEach((name, tensor) -> {
      t.add(tensor);
      n.add("optimizer buffer " + name);
      l.add(layerOf(name));
    });
    this.tensors = t.toArray(Tensor[]::new);
    this.names = n.toArray(String[]::new);
    this.layers = l.toArray(String[]::new);
  }

  private String layerOf(String buffer) {
    for (int i = 0; i < parameters.size(); i++) {
      if (buffer.startsWith(parameters.name(i) + ".")) {
        return parameters.layer(i);
      }
    }
    return buffer;
  }

  /** The bound on every parameter and buffer magnitude, measured when unknown or due. */
  double bound() {
    if (Double.isNaN(bound) || sinceScan >= RESCAN) {
      bound = maxAbs();
      sinceScan = 0;
    }
    return bound;
  }

  /** Forgets the bound (values were written from outside, such as a checkpoint restore). */
  void reset() {
    bound = Double.NaN;
  }

  /** How many updates needed the copy-and-check path (for tests and diagnostics). */
  long guardedUpdates() {
    return guardedUpdates;
  }

  /**
   * Whether an update whose results are bounded by {@code next} needs no check: {@code next}
   * below {@link #SAFE}. Counts the update and raises the bound to {@code next} when it does not.
   */
  boolean admits(double next) {
    sinceScan++;
    if (next < SAFE) { // also false for NaN
      bound = Math.max(bound, next);
      return true;
    }
    return false;
  }

  /** Copies every parameter and buffer before a checked update (arrays made the first time). */
  void save() {
    guardedUpdates++;
    if (backup == null) {
      backup = new float[tensors.length][];
      for (int i = 0; i < tensors.length; i++) {
        backup[i] = new float[tensors[i].length()];
      }
    }
    for (int i = 0; i < tensors.length; i++) {
      tensors[i].data().get(0, backup[i]);
    }
  }

  /**
   * After a checked update: null when every value is finite (the bound is then measured again),
   * else the exception naming the first non-finite value, with every tensor restored from the
   * copies {@link #save} made.
   *
   * @param step the optimizer step that was attempted (steps before it)
   */
  NonFiniteUpdateException verify(long step, double learningRate) {
    for (int i = 0; i < tensors.length; i++) {
      int at = firstNonFinite(tensors[i]);
      if (at >= 0) {
        float value = tensors[i].data().get(at);
        for (int j = 0; j < tensors.length; j++) {
          tensors[j].data().put(0, backup[j]);
        }
        return new NonFiniteUpdateException(step, layers[i], names[i], at, value, learningRate);
      }
    }
    bound = maxAbs();
    sinceScan = 0;
    return null;
  }

  private static int firstNonFinite(Tensor t) {
    return Backends.kernels().firstNonFinite(t, t.length());
  }

  private double maxAbs() {
    double max = 0;
    for (Tensor t : tensors) {
      FloatBuffer b = t.data();
      for (int i = 0, n = t.length(); i < n; i++) {
        float v = Math.abs(b.get(i));
        if (v > max) {
          max = v;
        } else if (Float.isNaN(v)) {
          return Double.POSITIVE_INFINITY; // no usable bound: every update is checked
        }
      }
    }
    return max;
  }
}
