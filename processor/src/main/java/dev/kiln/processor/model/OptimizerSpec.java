package dev.kiln.processor.model;

/**
 * The optimizer of a training configuration. Every variant carries {@code accumulationSteps}
 * (from {@code @TrainingConfig}): batches whose gradients are averaged per optimizer step, as
 * Keras 3 keeps {@code gradient_accumulation_steps} on its optimizers.
 */
public sealed interface OptimizerSpec {
  /** The base learning rate {@code lr0} a schedule scales. */
  double learningRate();

  /** Batches per optimizer step, at least 1. */
  int accumulationSteps();

  /** The annotation's simple name, for messages. */
  String annotation();

  /** {@code @Sgd}: PyTorch's {@code torch.optim.SGD}. */
  record Sgd(double learningRate, double momentum, double dampening, boolean nesterov,
      int accumulationSteps) implements OptimizerSpec {
    @Override
    public String annotation() {
      return "Sgd";
    }
  }

  /**
   * {@code @Adam} or {@code @AdamW}: PyTorch's {@code torch.optim.Adam}; AdamW's decoupled decay
   * is in the {@link RegularizationSpec}.
   *
   * @param decoupled true for {@code @AdamW}
   */
  record Adam(double learningRate, double beta1, double beta2, double epsilon, boolean amsgrad,
      boolean decoupled, int accumulationSteps) implements OptimizerSpec {
    @Override
    public String annotation() {
      return decoupled ? "AdamW" : "Adam";
    }
  }

  /** {@code @RmsProp}: PyTorch's {@code torch.optim.RMSprop}. */
  record RmsProp(double learningRate, double alpha, double epsilon, double momentum,
      boolean centered, int accumulationSteps) implements OptimizerSpec {
    @Override
    public String annotation() {
      return "RmsProp";
    }
  }
}
