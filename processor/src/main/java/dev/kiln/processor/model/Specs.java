package dev.kiln.processor.model;

import java.util.List;

/** The checked, shape-inferred description the writers generate code from. Immutable. */
public final class Specs {
  private Specs() {}

  /** Where a generated class goes and whether it is public. */
  public record Target(String packageName, String sourceName, String qualifiedSourceName,
      boolean isPublic) {}

  /** A network: its inputs and layers in order. */
  public record NetworkSpec(Target target, String className, int inputs, List<LayerSpec> layers) {
    public int outputs() {
      return layers.get(layers.size() - 1).outputs();
    }

    public boolean hasBatchNorm() {
      return layers.stream().anyMatch(l -> l.batchNorm() != null);
    }

    public boolean hasDropout() {
      return layers.stream().anyMatch(l -> l.dropoutRate() != null);
    }

    public long parameterCount() {
      return layers.stream().mapToLong(LayerSpec::parameterCount).sum();
    }
  }

  /**
   * One layer: {@code inputs → outputs}; absent parts are null. {@code training} holds the field's
   * regularization overrides and {@code @Frozen} (never null).
   */
  public record LayerSpec(String name, int inputs, int outputs, DenseSpec dense,
      BatchNormSpec batchNorm, ActivationSpec activation, Double dropoutRate,
      RegularizationSpec.LayerOverride training) {
    /** Trainable parameters (weights, biases, gamma, beta). */
    public long parameterCount() {
      long n = 0;
      if (dense != null) {
        n += (long) inputs * outputs + (dense.bias() ? outputs : 0);
      }
      if (batchNorm != null) {
        n += 2L * outputs;
      }
      return n;
    }
  }

  /** Weight init is resolved: never AUTO here. */
  public record DenseSpec(boolean bias, String init) {}

  public record BatchNormSpec(double momentum, double epsilon) {}

  /** An activation other than IDENTITY. */
  public record ActivationSpec(String function, double negativeSlope) {}

  /**
   * A training configuration over a checked network. The optimizer, schedule, clipping and
   * regularization parts each come from their own rules class ({@code OptimizerRules}, {@code
   * ScheduleRules}, {@code ClippingRules}, {@code RegularizationRules}); {@code pruning} ({@code
   * PruningRules}) and {@code distillation} ({@code DistillationRules}) are null when absent.
   */
  public record TrainingSpec(Target target, String className, NetworkSpec network, String loss,
      int batchSize, int epochs, long seed, double labelSmoothing, OptimizerSpec optimizer,
      ScheduleSpec schedule, ClippingSpec clipping, RegularizationSpec regularization,
      PruningSpec pruning, DistillationSpec distillation) {}
}
