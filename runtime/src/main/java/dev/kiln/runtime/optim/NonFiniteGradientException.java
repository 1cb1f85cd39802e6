package dev.kiln.runtime.optim;

import dev.kiln.runtime.tensor.Tensor;

import java.nio.FloatBuffer;

/**
 * Thrown by a training step under the {@code ERROR} non-finite policy (Kiln's default) when a
 * gradient holds NaN or an infinity, after backward and before anything was committed: the
 * parameters, optimizer state, batch-norm running statistics, accumulated gradients and step
 * counter are as they were before the step. Names the step, the layer, the parameter and the first
 * offending element.
 */
public final class NonFiniteGradientException extends ArithmeticException {
  private static final long serialVersionUID = 1L;

  private final long step;
  private final String layer;
  private final String parameter;
  private final int index;
  private final float value;

  private NonFiniteGradientException(long step, String layer, String parameter, int index,
      float value) {
    super("non-finite gradient in step " + step + ": layer " + layer + ", parameter " + parameter
        + " holds " + value + " at element " + index + "; nothing was updated (parameters,"
        + " optimizer state, batch-norm statistics and the step counter are unchanged). Check the"
        + " inputs and the learning rate, clip gradients, or choose onNonFinite = SKIP_STEP or"
        + " PROPAGATE.");
    this.step = step;
    this.layer = layer;
    this.parameter = parameter;
    this.index = index;
    this.value = value;
  }

  /**
   * The exception for the first non-finite gradient element of {@code parameters}, in set order.
   *
   * @param step the optimizer step that was rejected (steps taken before it)
   * @throws IllegalStateException if every gradient is finite
   */
  public static NonFiniteGradientException locate(long step, ParameterSet parameters) {
    for (int p = 0; p < parameters.size(); p++) {
      Tensor g = parameters.gradient(p);
      FloatBuffer b = g.data();
      for (int i = 0, n = g.length(); i < n; i++) {
        float v = b.get(i);
        if (!Float.isFinite(v)) {
          return new NonFiniteGradientException(step, parameters.layer(p), parameters.name(p), i, v);
        }
      }
    }
    throw new IllegalStateException("no non-finite gradient in step " + step);
  }

  /** The rejected optimizer step: the number of steps taken before it. */
  public long step() {
    return step;
  }

  /** The layer (field name) whose gradient holds the first non-finite value. */
  public String layer() {
    return layer;
  }

  /** The parameter, such as {@code hidden1.weight}. */
  public String parameter() {
    return parameter;
  }

  /** The row-major index of the first non-finite element in the parameter. */
  public int index() {
    return index;
  }

  /** That element: NaN or ±infinity. */
  public float value() {
    return value;
  }
}
