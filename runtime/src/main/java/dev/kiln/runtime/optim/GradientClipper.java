package dev.kiln.runtime.optim;

import dev.kiln.runtime.ops.Reductions;
import dev.kiln.runtime.tensor.Tensor;

import java.nio.FloatBuffer;

/**
 * Measures and clips the gradients of a {@link ParameterSet}, built once by a generated trainer.
 * {@link #measure()} computes the norm of the configured type over all gradients (what {@code
 * lastGradientNorm()} reports) and, for norm clipping, the norm of each group; {@link #clip()}
 * then scales each group by {@code min(1, maxNorm / (norm + 1e-6))} (PyTorch's {@code
 * clip_grad_norm_} formula, see {@link Clipping#coefficient}) or clamps every element (PyTorch's
 * {@code clip_grad_value_}).
 *
 * <p>Groups: {@link Scope#GLOBAL} is one group of every gradient (PyTorch); {@link
 * Scope#PER_LAYER} groups the parameters of one layer (DL4J's {@code ClipL2PerLayer}); {@link
 * Scope#PER_PARAMETER} makes each tensor its own group (DL4J's {@code ClipL2PerParamType}, Keras's
 * {@code clipnorm}). Norms are accumulated in double, so finite float32 gradients never overflow
 * them; a NaN anywhere in a group makes its norm NaN (also the max-abs norm), an infinity makes it
 * infinite. Nothing is allocated after construction.
 */
public final class GradientClipper {
  /** Which gradients share a norm. */
  public enum Scope {
    /** One norm over every gradient. */
    GLOBAL,
    /** One norm per layer ({@link ParameterSet#layer(int)}). */
    PER_LAYER,
    /** One norm per parameter tensor. */
    PER_PARAMETER
  }

  private enum Mode { NONE, VALUE, NORM }

  private final Tensor[] gradients;
  private final Mode mode;
  private final double normType;
  private final double threshold;
  private final int[] groupOf;
  private final double[] groupNorm;
  /** Frozen parameters ({@link ParameterSet#frozen}): left out of the norm. */
  private final boolean[] frozen;

  private GradientClipper(ParameterSet parameters, Mode mode, double normType, double threshold,
      Scope scope) {
    if (!(normType == 1 || normType == 2 || normType == Double.POSITIVE_INFINITY)) {
      throw new IllegalArgumentException("normType must be 1, 2 or infinity, got " + normType);
    }
    if (mode != Mode.NONE && !(threshold > 0 && Double.isFinite(threshold))) {
      throw new IllegalArgumentException("the clipping threshold must be positive and finite, got "
          + threshold);
    }
    this.gradients = parameters.gradients();
    this.mode = mode;
    this.normType = normType;
    this.threshold = threshold;
    this.groupOf = new int[gradients.length];
    int groups = 0;
    for (int i = 0; i < gradients.length; i++) {
      boolean newGroup = switch (scope) {
        case GLOBAL -> i == 0;
        case PER_PARAMETER -> true;
        case PER_LAYER -> i == 0 || !parameters.layer(i).equals(parameters.layer(i - 1));
      };
      if (newGroup) {
        groups++;
      }
      groupOf[i] = groups - 1;
    }
    this.groupNorm = new double[Math.max(1, groups)];
    this.frozen = new boolean[gradients.length];
    for (int i = 0; i < gradients.length; i++) {
      frozen[i] = parameters.frozen(i);
    }
  }

  /** No clipping; {@link #measure()} gives the global L2 norm. */
  public static GradientClipper none(ParameterSet parameters) {
    return new GradientClipper(parameters, Mode.NONE, 2, Double.NaN, Scope.GLOBAL);
  }

  /**
   * Element-wise clamping to {@code [-clipValue, clipValue]}; {@link #measure()} gives the global L2
   * norm.
   *
   * @throws IllegalArgumentException unless {@code clipValue} is positive and finite
   */
  public static GradientClipper byValue(ParameterSet parameters, double clipValue) {
    return new GradientClipper(parameters, Mode.VALUE, 2, clipValue, Scope.GLOBAL);
  }

  /**
   * Norm clipping.
   *
   * @param maxNorm the largest allowed norm of each group, positive and finite
   * @param normType 1, 2 or {@code Double.POSITIVE_INFINITY}
   * @throws IllegalArgumentException for a threshold or norm type out of range
   */
  public static GradientClipper byNorm(ParameterSet parameters, double maxNorm, double normType,
      Scope scope) {
    return new GradientClipper(parameters, Mode.NORM, normType, maxNorm, scope);
  }

  /**
   * The norm of the configured type over all gradients of parameters that are not frozen, in
   * double; also records each group's
   * norm for {@link #clip()}. NaN if any gradient holds a NaN, else infinite if any holds an
   * infinity. Reads the gradients only.
   */
  public double measure() {
    java.util.Arrays.fill(groupNorm, 0);
    boolean max = normType == Double.POSITIVE_INFINITY;
    boolean l1 = normType == 1;
    for (int i = 0; i < gradients.length; i++) {
      if (frozen[i]) {
        continue; // no update uses it, as PyTorch's clip_grad_norm_ skips requires_grad=False
      }
      double part = max ? maxAbs(gradients[i]) : l1 ? sumAbs(gradients[i]) : sumSquares(gradients[i]);
      int g = groupOf[i];
      groupNorm[g] = max ? maxPropagatingNaN(groupNorm[g], part) : groupNorm[g] + part;
    }
    double total = 0;
    for (int g = 0; g < groupNorm.length; g++) {
      total = max ? maxPropagatingNaN(total, groupNorm[g]) : total + groupNorm[g];
      if (normType == 2) {
        groupNorm[g] = Math.sqrt(groupNorm[g]);
      }
    }
    return normType == 2 ? Math.sqrt(total) : total;
  }

  /**
   * Clips the gradients in place with the group norms of the last {@link #measure()}; does
   * nothing without clipping. Non-finite values propagate as in PyTorch: a NaN norm makes its
   * group NaN, an infinite norm zeroes the group's finite entries and turns infinities into NaN.
   */
  public void clip() {
    if (mode == Mode.VALUE) {
      Clipping.clipByValue(gradients, threshold);
    } else if (mode == Mode.NORM) {
      for (int i = 0; i < gradients.length; i++) {
        float coefficient = Clipping.coefficient(groupNorm[groupOf[i]], threshold);
        if (!(coefficient >= 1f)) {
          Clipping.scale(gradients[i], coefficient);
        }
      }
    }
  }

  /** {@link #measure()} then {@link #clip()}; returns the norm before clipping. */
  public double measureAndClip() {
    double norm = measure();
    clip();
    return norm;
  }

  /** Number of norm groups. */
  public int groups() {
    return groupNorm.length;
  }

  /** The norm of group {@code g} at the last {@link #measure()}. */
  public double groupNorm(int g) {
    return groupNorm[g];
  }

  private static double maxPropagatingNaN(double a, double b) {
    return Double.isNaN(a) || Double.isNaN(b) ? Double.NaN : Math.max(a, b);
  }

  private static double sumSquares(Tensor t) {
    return Reductions.sumSquares(t, t.length());
  }

  private static double sumAbs(Tensor t) {
    FloatBuffer b = t.data();
    double acc = 0;
    for (int i = 0, n = t.length(); i < n; i++) {
      acc += Math.abs(b.get(i));
    }
    return acc;
  }

  private static double maxAbs(Tensor t) {
    FloatBuffer b = t.data();
    double acc = 0;
    for (int i = 0, n = t.length(); i < n; i++) {
      float v = Math.abs(b.get(i));
      if (Float.isNaN(v)) {
        return Double.NaN; // torch.max propagates NaN; a later, larger value must not hide it
      }
      if (v > acc) {
        acc = v;
      }
    }
    return acc;
  }
}
