package dev.kiln.runtime.optim;

import dev.kiln.runtime.tensor.Tensor;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * PyTorch's {@code torch.optim.SGD} over a {@link ParameterSet}: see {@link SgdKernel} for the
 * rule. Momentum buffers ({@code momentum_buffer}, as PyTorch names them) are allocated once.
 */
public final class SgdOptimizer implements Optimizer {
  private final ParameterSet parameters;
  private double momentum;
  private final double dampening;
  private final boolean nesterov;
  private final double[] weightDecay;
  private final double[] l2;
  private final Tensor[] buffers;
  private final Map<String, Tensor> state;
  private long steps;
  private final UpdateGuard guard;

  /**
   * @param momentum at least 0; 0 allocates no buffers
   * @param dampening in [0, 1]
   * @param nesterov Nesterov momentum (needs momentum > 0 and dampening 0)
   */
  public SgdOptimizer(ParameterSet parameters, double momentum, double dampening,
      boolean nesterov) {
    this(parameters, momentum, dampening, nesterov, null);
  }

  /**
   * SGD with decoupled weight decay per parameter (SGDW): {@code w ← w·(1 - lr·λ)} before each
   * step, outside the momentum buffer.
   *
   * @param weightDecay decoupled decay {@code λ} per parameter, in the set's order; null for none
   * @throws IllegalArgumentException for a wrong decay array
   */
  public SgdOptimizer(ParameterSet parameters, double momentum, double dampening,
      boolean nesterov, double[] weightDecay) {
    this(parameters, momentum, dampening, nesterov, weightDecay, null);
  }

  /**
   * With coupled L2 folded into the update ({@link SgdKernel#update(Tensor, Tensor, Tensor, int,
   * double, double, double, boolean, boolean, double, double)}): the step of parameter {@code i}
   * uses {@code g + l2[i]·w}, as PyTorch's {@code SGD(weight_decay=l2[i])}, instead of a separate
   * {@link Regularization#addL2} pass; the gradients are left as they are.
   *
   * @param l2 one coefficient per parameter of {@code parameters}, or null for none
   * @throws IllegalArgumentException if an array's length is not the number of parameters
   */
  public SgdOptimizer(ParameterSet parameters, double momentum, double dampening,
      boolean nesterov, double[] weightDecay, double[] l2) {
    this.weightDecay = OptimizerState.decay(weightDecay, parameters.size());
    this.l2 = OptimizerState.coefficients("l2", l2, parameters.size());
    this.parameters = parameters;
    this.momentum = momentum;
    this.dampening = dampening;
    this.nesterov = nesterov;
    this.buffers = new Tensor[parameters.size()];
    Map<String, Tensor> s = new LinkedHashMap<>();
    if (momentum > 0) {
      for (int i = 0; i < buffers.length; i++) {
        buffers[i] = Tensor.zeros(parameters.value(i).array().shape());
        s.put(parameters.name(i) + ".momentum_buffer", buffers[i]);
      }
    }
    this.state = Collections.unmodifiableMap(s);
    this.guard = new UpdateGuard(parameters, state);
  }

  @Override
  public void updateChecked(double learningRate, double gradientBound, double l1, double l2) {
    double b = guard.bound();
    double g = gradientBound + l1 + (l2 + max(this.l2)) * b;
    double buffer = momentum == 0 ? 0
        : steps == 0 ? g : momentum * b + Math.abs(1 - dampening) * g;
    double direction = momentum == 0 ? g : nesterov ? g + momentum * buffer : buffer;
    double top = learningRate * parameters.maxLearningRateScale(); // the largest layer rate
    double next = Math.max(buffer, maxKeep(top, weightDecay) * b + top * direction);
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

  /** Updates that needed the copy-and-check path of {@link #updateChecked}. */
  long guardedUpdates() {
    return guard.guardedUpdates();
  }

  /** The largest value of {@code values}. */
  static double max(double[] values) {
    double m = 0;
    for (double v : values) {
      m = Math.max(m, Math.abs(v));
    }
    return m;
  }

  /** The largest factor {@code |1 − lr·λ|} decoupled decay multiplies a weight by. */
  static double maxKeep(double learningRate, double[] decay) {
    double m = 1;
    for (double d : decay) {
      m = Math.max(m, Math.abs(1 - learningRate * d));
    }
    return m;
  }

  @Override
  public void update(double learningRate) {
    boolean first = steps == 0;
    for (int i = 0; i < buffers.length; i++) {
      if (parameters.frozen(i)) {
        continue;
      }
      Tensor value = parameters.value(i);
      double rate = learningRate * parameters.learningRateScale(i);
      SgdKernel.update(value, parameters.gradient(i), buffers[i], value.length(), rate,
          momentum, dampening, nesterov, first, rate * weightDecay[i], l2[i]);
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
    this.steps = steps;
    guard.reset();
  }

  @Override
  public double momentum() {
    return momentum;
  }

  @Override
  public void setMomentum(double momentum) {
    if (this.momentum == 0 && momentum != 0) {
      throw new IllegalStateException("momentum buffers were not allocated (momentum was 0)");
    }
    this.momentum = momentum;
  }
}
