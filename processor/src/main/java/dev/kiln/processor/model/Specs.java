package dev.kiln.processor.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The checked, shape-inferred description the writers generate code from. Immutable. */
public final class Specs {
  private Specs() {}

  /** Where a generated class goes and whether it is public. */
  public record Target(String packageName, String sourceName, String qualifiedSourceName,
      boolean isPublic) {}

  /**
   * A network: its input shape and layers in order, blocks flattened (a layer in a block is
   * named by its path, {@code blocks.1.mlp.up}; a residual block is framed by two layers with a
   * {@link ResidualPart}). {@code vocabulary} is a token model's {@code V} (its input is then the
   * ids {@code [T]} and its output the logits {@code [T, V]}), 0 for a feature model.
   */
  public record NetworkSpec(Target target, String className, Shape input, List<LayerSpec> layers,
      int vocabulary) {
    public NetworkSpec {
      layers = List.copyOf(layers);
    }

    /** A feature model. */
    public NetworkSpec(Target target, String className, Shape input, List<LayerSpec> layers) {
      this(target, className, input, layers, 0);
    }

    /** Whether this is a token model ({@code @Model(vocabulary, context)}). */
    public boolean tokens() {
      return vocabulary > 0;
    }

    /** A token model's context {@code T}. */
    public int context() {
      return input.dim(0);
    }

    /** Values per sample of the targets: {@code T} ids of a token model, else {@link #outputs}. */
    public int labelWidth() {
      return tokens() ? context() : outputs();
    }

    /** Values per input sample (the product of the input shape). */
    public int inputs() {
      return (int) input.size();
    }

    /** Values per output sample: the last layer's output size (classes, for a classifier). */
    public int outputs() {
      return (int) layers.get(layers.size() - 1).output().size();
    }

    /** Whether any layer uses batch statistics in training (a step then needs two rows). */
    public boolean usesBatchStatistics() {
      return layers.stream().anyMatch(l -> l.parts().stream().anyMatch(Part::usesBatchStatistics));
    }

    /** Whether any layer draws random numbers in training (dropout). */
    public boolean usesRandom() {
      return layers.stream().anyMatch(l -> l.parts().stream().anyMatch(Part::usesRandom));
    }

    /** Trainable parameters of every layer. */
    public long parameterCount() {
      return layers.stream().mapToLong(LayerSpec::parameterCount).sum();
    }
  }

  /**
   * One layer field: its parts in their fixed order, threaded from {@code input} to {@code
   * output}. {@code training} holds the field's regularization overrides and {@code @Frozen}
   * (never null). A layer without parts passes its input through.
   */
  public record LayerSpec(String name, Shape input, List<Part> parts,
      RegularizationSpec.LayerOverride training) {
    public LayerSpec {
      parts = List.copyOf(parts);
    }

    /** The input shape of part {@code index} (the layer's output for {@code parts().size()}). */
    public Shape inputOf(int index) {
      Shape shape = input;
      for (int i = 0; i < index; i++) {
        shape = parts.get(i).output(shape);
      }
      return shape;
    }

    /** The shape the layer outputs. */
    public Shape output() {
      return inputOf(parts.size());
    }

    /** The part of a kind, if the layer has one. */
    public <P extends Part> Optional<P> part(Class<P> kind) {
      return parts.stream().filter(kind::isInstance).map(kind::cast).findFirst();
    }

    /** Whether the layer has a part of a kind. */
    public boolean has(Class<? extends Part> kind) {
      return part(kind).isPresent();
    }

    /** Every array the layer's parts own, in {@code parameters()} order. */
    public List<ParamSpec> parameters() {
      List<ParamSpec> out = new ArrayList<>();
      for (int i = 0; i < parts.size(); i++) {
        out.addAll(parts.get(i).parameters(inputOf(i)));
      }
      return out;
    }

    /** Trainable parameters (weights, biases, gamma, beta). */
    public long parameterCount() {
      return parameters().stream().filter(p -> p.kind().trainable())
          .mapToLong(p -> p.shape().size()).sum();
    }

    /** The parts' descriptions, e.g. {@code Dense(784 -> 256) BatchNorm RELU}. */
    public String describe() {
      List<String> words = new ArrayList<>();
      for (int i = 0; i < parts.size(); i++) {
        words.add(parts.get(i).describe(inputOf(i)));
      }
      return String.join(" ", words);
    }
  }

  /**
   * A training configuration over a checked network. The optimizer, schedule, clipping and
   * regularization parts each come from their own rules class ({@code OptimizerRules}, {@code
   * ScheduleRules}, {@code ClippingRules}, {@code RegularizationRules}); {@code pruning} ({@code
   * PruningRules}) and {@code distillation} ({@code DistillationRules}) are null when absent.
   */
  /**
   * A checked training configuration.
   *
   * @param frozenLayers the layers {@code @Freeze} freezes for this training, in network order
   *     (empty without it); not part of the checkpoint fingerprint, so the frozen and the unfrozen
   *     configurations share checkpoints
   */
  public record TrainingSpec(Target target, String className, NetworkSpec network, LossKind loss,
      int batchSize, int epochs, long seed, double labelSmoothing, OptimizerSpec optimizer,
      ScheduleSpec schedule, ClippingSpec clipping, RegularizationSpec regularization,
      PruningSpec pruning, DistillationSpec distillation, List<String> frozenLayers) {
    public TrainingSpec {
      frozenLayers = List.copyOf(frozenLayers);
    }

    /** A configuration without {@code @Freeze}. */
    public TrainingSpec(Target target, String className, NetworkSpec network, LossKind loss,
        int batchSize, int epochs, long seed, double labelSmoothing, OptimizerSpec optimizer,
        ScheduleSpec schedule, ClippingSpec clipping, RegularizationSpec regularization,
        PruningSpec pruning, DistillationSpec distillation) {
      this(target, className, network, loss, batchSize, epochs, seed, labelSmoothing, optimizer,
          schedule, clipping, regularization, pruning, distillation, List.of());
    }
  }
}
