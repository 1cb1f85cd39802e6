package dev.kiln.runtime.optim;

import dev.kiln.runtime.tensor.Tensor;

import java.util.Map;

/**
 * PyTorch 1.13's {@code torch.optim.Adam} (with {@code amsgrad}), and with per-parameter
 * decoupled decay its {@code torch.optim.AdamW}, over a {@link ParameterSet}: see {@link
 * AdamKernel} for the rule. The buffers are allocated once, here, and named as PyTorch's state:
 * {@code <param>.exp_avg}, {@code <param>.exp_avg_sq} and with AMSGrad {@code
 * <param>.max_exp_avg_sq}; {@link #steps()} is PyTorch's {@code step}. {@link #update} allocates
 * nothing.
 */
public final class AdamOptimizer implements Optimizer {
  private final ParameterSet parameters;
  private double beta1;
  private final double beta2;
  private final double epsilon;
  private final double[] weightDecay;
  private final Tensor[] expAvg;
  private final Tensor[] expAvgSq;
  private final Tensor[] maxExpAvgSq;
  private final Map<String, Tensor> state;
  private long steps;
  private final UpdateGuard guard;

  /**
   * @param beta1 first-moment decay, in [0, 1)
   * @param beta2 second-moment decay, in [0, 1)
   * @param epsilon positive
   * @param amsgrad keep the running maximum of the second moment
   * @param weightDecay decoupled decay {@code λ} per parameter, in the set's order (AdamW: {@code
   *     w ← w·(1 - lr·λ)} before the Adam step); null for none
   * @throws IllegalArgumentException for a hyperparameter out of range or a wrong decay array
   */
  public AdamOptimizer(ParameterSet parameters, double beta1, double beta2, double epsilon,
      boolean amsgrad, double[] weightDecay) {
    checkBeta("beta1", beta1);
    checkBeta("beta2", beta2);
    if (!(epsilon > 0 && Double.isFinite(epsilon))) {
      throw new IllegalArgumentException("epsilon must be positive and finite, got " + epsilon);
    }
    this.parameters = parameters;
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.epsilon = epsilon;
    int n = parameters.size();
    this.weightDecay = OptimizerState.decay(weightDecay, n);
    OptimizerState s = new OptimizerState(parameters);
    expAvg = new Tensor[n];
    expAvgSq = new Tensor[n];
    maxExpAvgSq = new Tensor[n];
    for (int i = 0; i < n; i++) {
      expAvg[i] = s.buffer(i, "exp_avg");
      expAvgSq[i] = s.buffer(i, "exp_avg_sq");
      if (amsgrad) {
        maxExpAvgSq[i] = s.buffer(i, "max_exp_avg_sq");
      }
    }
    this.state = s.view();
    this.guard = new UpdateGuard(parameters, state);
  }

  private static void checkBeta(String name, double beta) {
    if (!(beta >= 0 && beta < 1)) {
      throw new IllegalArgumentException(name + " must be in [0, 1), got " + beta);
    }
  }

  @Override
  public void updateChecked(double learningRate, double gradientBound, double l1, double l2) {
    double b = guard.bound();
    double g = gradientBound + l1 + l2 * b;
    double m = Math.max(b, g);
    double v = Math.max(b, g * g);
    // |m̂ / (sqrt(v̂) + ε)| <= |m| / (1 − β1^t) / ε
    double direction = m / (1 - Math.pow(beta1, steps + 1)) / epsilon;
    double top = learningRate * parameters.maxLearningRateScale(); // the largest layer rate
    double next = Math.max(v, SgdOptimizer.maxKeep(top, weightDecay) * b + top * direction);
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
    long step = steps + 1;
    for (int i = 0; i < expAvg.length; i++) {
      if (parameters.frozen(i)) {
        continue;
      }
      Tensor value = parameters.value(i);
      double rate = learningRate * parameters.learningRateScale(i);
      AdamKernel.update(value, parameters.gradient(i), expAvg[i], expAvgSq[i], maxExpAvgSq[i],
          value.length(), rate, beta1, beta2, epsilon, step, rate * weightDecay[i]);
    }
    steps = step;
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

  /** {@code β₁}, which PyTorch's {@code OneCycleLR} cycles as Adam's momentum. */
  @Override
  public double momentum() {
    return beta1;
  }

  /** Sets {@code β₁} for the next updates, as PyTorch's {@code OneCycleLR} does for Adam. */
  @Override
  public void setMomentum(double momentum) {
    checkBeta("beta1", momentum);
    this.beta1 = momentum;
  }
}
