package dev.kiln.runtime.optim;

import dev.kiln.runtime.tensor.Tensor;

import java.util.Map;

/**
 * PyTorch 1.13's {@code torch.optim.RMSprop} over a {@link ParameterSet}, with optional
 * per-parameter decoupled decay: see {@link RmsPropKernel} for the rule. The buffers are allocated
 * once, here, and named as PyTorch's state: {@code <param>.square_avg}, with momentum {@code
 * <param>.momentum_buffer}, when centered {@code <param>.grad_avg}; {@link #steps()} is PyTorch's
 * {@code step}. {@link #update} allocates nothing.
 */
public final class RmsPropOptimizer implements Optimizer {
  private final ParameterSet parameters;
  private final double alpha;
  private final double epsilon;
  private double momentum;
  private final boolean hasMomentumBuffers;
  private final double[] weightDecay;
  private final Tensor[] squareAvg;
  private final Tensor[] gradAvg;
  private final Tensor[] momentumBuffer;
  private final Map<String, Tensor> state;
  private long steps;
  private final UpdateGuard guard;

  /**
   * @param alpha smoothing constant, in [0, 1)
   * @param epsilon positive
   * @param momentum at least 0; 0 allocates no momentum buffers
   * @param centered normalise by the estimated variance
   * @param weightDecay decoupled decay {@code λ} per parameter, in the set's order; null for none
   * @throws IllegalArgumentException for a hyperparameter out of range or a wrong decay array
   */
  public RmsPropOptimizer(ParameterSet parameters, double alpha, double epsilon, double momentum,
      boolean centered, double[] weightDecay) {
    if (!(alpha >= 0 && alpha < 1)) {
      throw new IllegalArgumentException("alpha must be in [0, 1), got " + alpha);
    }
    if (!(epsilon > 0 && Double.isFinite(epsilon))) {
      throw new IllegalArgumentException("epsilon must be positive and finite, got " + epsilon);
    }
    if (!(momentum >= 0 && Double.isFinite(momentum))) {
      throw new IllegalArgumentException("momentum must be finite and at least 0, got " + momentum);
    }
    this.parameters = parameters;
    this.alpha = alpha;
    this.epsilon = epsilon;
    this.momentum = momentum;
    this.hasMomentumBuffers = momentum > 0;
    int n = parameters.size();
    this.weightDecay = OptimizerState.decay(weightDecay, n);
    OptimizerState s = new OptimizerState(parameters);
    squareAvg = new Tensor[n];
    gradAvg = new Tensor[n];
    momentumBuffer = new Tensor[n];
    for (int i = 0; i < n; i++) {
      squareAvg[i] = s.buffer(i, "square_avg");
      if (momentum > 0) {
        momentumBuffer[i] = s.buffer(i, "momentum_buffer");
      }
      if (centered) {
        gradAvg[i] = s.buffer(i, "grad_avg");
      }
    }
    this.state = s.view();
    this.guard = new UpdateGuard(parameters, state);
  }

  @Override
  public void updateChecked(double learningRate, double gradientBound, double l1, double l2) {
    double b = guard.bound();
    double g = gradientBound + l1 + l2 * b;
    double scaled = g / epsilon; // |g / (sqrt(v) + ε)| <= |g| / ε
    double buffer = momentum > 0 ? momentum * b + scaled : 0;
    double top = learningRate * parameters.maxLearningRateScale(); // the largest layer rate
    double next = Math.max(Math.max(b, g * g), Math.max(buffer,
        SgdOptimizer.maxKeep(top, weightDecay) * b + top * (momentum > 0 ? buffer : scaled)));
    if (guard.admits(next)) {
      update(learningRate);
      return;
    }
    long before = steps;
    guard.save();
    update(learningRate);
    NonFiniteUpdateException e = guard.verify(before, learningRate);
    if (e != null) {
      steps = before;
      throw e;
    }
  }

  @Override
  public void update(double learningRate) {
    for (int i = 0; i < squareAvg.length; i++) {
      if (parameters.frozen(i)) {
        continue;
      }
      Tensor value = parameters.value(i);
      double rate = learningRate * parameters.learningRateScale(i);
      RmsPropKernel.update(value, parameters.gradient(i), squareAvg[i], gradAvg[i],
          momentumBuffer[i], value.length(), rate, alpha, epsilon, momentum,
          rate * weightDecay[i]);
    }
    steps++;
  }

  @Override
  public Map<String, Tensor> state() {
    return state;
  }

  @Override
  public long steps() {
    return steps;
  }

  @Override
  public void restoreSteps(long steps) {
    this.steps = OptimizerState.checkSteps(steps);
    guard.reset();
  }

  @Override
  public double momentum() {
    return momentum;
  }

  /**
   * Sets the momentum for the next updates (PyTorch's {@code OneCycleLR} cycles it).
   *
   * @throws IllegalStateException if the optimizer was built without momentum (no buffers)
   * @throws IllegalArgumentException for a negative or non-finite value
   */
  @Override
  public void setMomentum(double momentum) {
    if (!hasMomentumBuffers && momentum != 0) {
      throw new IllegalStateException("momentum buffers were not allocated (momentum was 0)");
    }
    if (!(momentum >= 0 && Double.isFinite(momentum))) {
      throw new IllegalArgumentException("momentum must be finite and at least 0, got " + momentum);
    }
    this.momentum = momentum;
  }
}
