package dev.kiln.runtime.optim;

/**
 * Thrown by {@link Optimizer#updateChecked} when an update would write NaN or an infinity into a
 * parameter or an optimizer buffer (a learning rate too large, an overflow of a moment estimate)
 * although every gradient was finite. The update was undone before the exception: parameters,
 * optimizer buffers and the optimizer's step count are as they were. Names the step, the layer,
 * the parameter or buffer and the first offending element.
 */
public final class NonFiniteUpdateException extends ArithmeticException {
  private static final long serialVersionUID = 1L;

  private final long step;
  private final String layer;
  private final String tensor;
  private final int index;
  private final float value;

  NonFiniteUpdateException(long step, String layer, String tensor, int index, float value,
      double learningRate) {
    super("non-finite update in step " + step + ": layer " + layer + ", " + tensor
        + " would hold " + value + " at element " + index + " with learning rate "
        + learningRate + "; the update was refused and nothing was written (parameters,"
        + " optimizer state, batch-norm statistics and the step counter are unchanged). Lower"
        + " the learning rate, clip gradients, or choose onNonFinite = SKIP_STEP or PROPAGATE.");
    this.step = step;
    this.layer = layer;
    this.tensor = tensor;
    this.index = index;
    this.value = value;
  }

  /** The refused optimizer step: the number of steps taken before it. */
  public long step() {
    return step;
  }

  /** The layer (field name) whose parameter or buffer would have held the value. */
  public String layer() {
    return layer;
  }

  /** The parameter ({@code hidden1.weight}) or buffer ({@code hidden1.weight.exp_avg_sq}). */
  public String tensor() {
    return tensor;
  }

  /** The row-major index of the first non-finite element. */
  public int index() {
    return index;
  }

  /** That element: NaN or ±infinity. */
  public float value() {
    return value;
  }
}
