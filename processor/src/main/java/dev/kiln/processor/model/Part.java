package dev.kiln.processor.model;

import java.util.List;
import java.util.Map;

/**
 * One part of a layer field, checked: the core ({@code @Dense}, {@code @Conv2d}), then {@code
 * @BatchNorm}, {@code @Activation}, pooling, {@code @Dropout}, in that fixed order. A part knows the shape it makes from its
 * input shape, the arrays it owns and how it describes itself; everything shape-dependent takes
 * the part's input shape, which the layer threads through its parts.
 *
 * <p>To add a kind, see the package documentation of {@code dev.kiln.processor}.
 */
public sealed interface Part permits DensePart, BatchNormPart, ActivationPart, DropoutPart,
    EmbeddingPart, PositionEmbeddingPart, LayerNormPart, SelfAttentionPart, ResidualPart,
    Conv2dPart, PoolPart, GlobalAvgPoolPart {
  /** The kind's name in descriptions and fingerprints, e.g. {@code Dense}. */
  String kind();

  /** The shape this part outputs for {@code input}. */
  Shape output(Shape input);

  /** The arrays this part owns, in {@code parameters()} order. */
  default List<ParamSpec> parameters(Shape input) {
    return List.of();
  }

  /** A short description for javadoc, e.g. {@code Dense(784 -> 256)}. */
  String describe(Shape input);

  /**
   * The part's settings as data, for checkpoint fingerprints: setting name to value, in a fixed
   * order ({@code outputs=256}, {@code momentum=0.1}). Two parts that train the same way have the
   * same settings.
   */
  Map<String, String> settings(Shape input);

  /** Whether training mode uses statistics of the batch (then a step needs at least 2 rows). */
  default boolean usesBatchStatistics() {
    return false;
  }

  /** Whether training mode draws random numbers (from the trainer's dropout generator). */
  default boolean usesRandom() {
    return false;
  }
}
