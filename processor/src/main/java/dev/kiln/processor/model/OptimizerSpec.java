package dev.kiln.processor.model;

/** The optimizer of a training configuration. */
public sealed interface OptimizerSpec {
  /** The base learning rate {@code lr0} a schedule scales. */
  double learningRate();

  /** {@code @Sgd}: PyTorch's {@code torch.optim.SGD}. */
  record Sgd(double learningRate, double momentum, double dampening, boolean nesterov)
      implements OptimizerSpec {}
}
