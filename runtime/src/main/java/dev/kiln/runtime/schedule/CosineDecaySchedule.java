package dev.kiln.runtime.schedule;

/**
 * Cosine annealing: {@code lr(t) = minimum + (lr0 - minimum)·(1 + cos(π·t/steps))/2}. With {@code
 * periodic} the formula holds for every {@code t}, as PyTorch's {@code
 * CosineAnnealingLR(T_max=steps, eta_min=minimum)} (closed form of its recursion); otherwise the
 * rate holds at {@code minimum} from {@code t = steps} on, as Keras's and Optax's cosine decay.
 */
public final class CosineDecaySchedule implements LearningRateSchedule {
  private final double base;
  private final double minimum;
  private final long steps;
  private final boolean periodic;

  /**
   * @param base the base rate {@code lr0}
   * @param steps {@code T_max} in optimizer steps, at least 1
   * @param minimum {@code eta_min}
   * @param periodic whether the cosine continues past {@code steps}
   */
  public CosineDecaySchedule(double base, long steps, double minimum, boolean periodic) {
    if (steps < 1) {
      throw new IllegalArgumentException("steps must be at least 1, got " + steps);
    }
    this.base = base;
    this.minimum = minimum;
    this.steps = steps;
    this.periodic = periodic;
  }

  @Override
  public double rate(long t) {
    if (!periodic && t >= steps) {
      return minimum;
    }
    return minimum + (base - minimum) * (1 + Math.cos(Math.PI * t / steps)) / 2;
  }
}
