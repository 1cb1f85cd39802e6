package dev.kiln.runtime;

/**
 * A learning rate per optimizer step, as a closed form in double: {@code rate(t)} is the rate
 * step {@code t} (counted from 0) uses, the value PyTorch's scheduler gives when {@code
 * scheduler.step()} is called once after each {@code optimizer.step()}. Evaluating it changes
 * nothing and allocates nothing.
 */
public interface LearningRateSchedule {
  /** The rate for step {@code t ≥ 0}. */
  double rate(long t);

  /** A constant rate. */
  static LearningRateSchedule constant(double learningRate) {
    return t -> learningRate;
  }
}
