package dev.kiln.processor.validate;

/**
 * Every message the processor reports. Each starts with a stable tag a user can search for; the
 * format arguments fill in the value found. Wording: the annotation and member, the rule, the
 * value found, how to fix it.
 */
public enum Diagnostic {
  MODEL_NOT_ANNOTATED("KilnNotAModel",
      "@TrainingConfig(model = %s.class): %s has no @Model annotation. Annotate it with"
          + " @Model(inputs = ...) or name a @Model type."),
  MODEL_UNRESOLVED("KilnUnknownModel",
      "@TrainingConfig(model = ...): the model type could not be resolved. Check the class name"
          + " and its import."),
  NO_LAYERS("KilnNoLayers",
      "@Model %s declares no layers. Add fields of type dev.kiln.dsl.Layer, for example"
          + " `@Dense(10) Layer logits;`."),
  INPUTS_NOT_POSITIVE("KilnBadInputs",
      "@Model(inputs = %s): inputs must be at least 1 (features per sample)."),
  BARE_LAYER("KilnBareLayer",
      "Layer field %s has no layer annotation. Add @Dense, @BatchNorm, @Activation or @Dropout,"
          + " or remove the field."),
  LAYER_ANNOTATION_ON_NON_LAYER("KilnNotALayerField",
      "Field %s carries layer annotations but has type %s. Declare it as dev.kiln.dsl.Layer."),
  UNITS_NOT_POSITIVE("KilnBadUnits", "@Dense(%s): units must be at least 1."),
  BATCH_NORM_MOMENTUM_RANGE("KilnBadBatchNormMomentum",
      "@BatchNorm(momentum = %s): momentum is the new batch's weight and must be in (0, 1]."
          + " (Keras's momentum 0.99 is Kiln's 0.01.)"),
  BATCH_NORM_EPSILON_RANGE("KilnBadEpsilon",
      "@BatchNorm(epsilon = %s): epsilon must be positive; PyTorch's default is 1e-5."),
  LEAKY_SLOPE_RANGE("KilnBadNegativeSlope",
      "@Activation(negativeSlope = %s): the slope must be finite and at least 0."),
  DROPOUT_RANGE("KilnBadDropout",
      "@Dropout(%s): the rate is the probability of dropping and must be in [0, 1)."),
  BATCH_SIZE_NOT_POSITIVE("KilnBadBatchSize",
      "@TrainingConfig(batchSize = %s): batchSize must be at least 1."),
  EPOCHS_NOT_POSITIVE("KilnBadEpochs", "@TrainingConfig(epochs = %s): epochs must be at least 1."),
  LABEL_SMOOTHING_RANGE("KilnBadLabelSmoothing",
      "@TrainingConfig(labelSmoothing = %s): label smoothing must be in [0, 1)."),
  LABEL_SMOOTHING_LOSS("KilnLabelSmoothingLoss",
      "@TrainingConfig(labelSmoothing = %s) applies to SOFTMAX_CROSS_ENTROPY only, not %s."),
  LOSS_OUTPUT_MISMATCH("KilnLossOutputMismatch",
      "@TrainingConfig(loss = SOFTMAX_CROSS_ENTROPY) needs at least 2 outputs; the model's last"
          + " layer has %s. Use SIGMOID_BINARY_CROSS_ENTROPY for one output."),
  NO_OPTIMIZER("KilnNoOptimizer",
      "@TrainingConfig %s has no optimizer. Add one, for example @Sgd(learningRate = 0.1)."),
  LEARNING_RATE_NOT_POSITIVE("KilnBadLearningRate",
      "@Sgd(learningRate = %s): the learning rate must be positive and finite."),
  MOMENTUM_NEGATIVE("KilnBadMomentum", "@Sgd(momentum = %s): momentum must be at least 0."),
  DAMPENING_RANGE("KilnBadDampening", "@Sgd(dampening = %s): dampening must be in [0, 1]."),
  NESTEROV_WITHOUT_MOMENTUM("KilnNesterovWithoutMomentum",
      "@Sgd(nesterov = true) needs momentum > 0 and dampening = 0 (momentum = %s, dampening = %s),"
          + " as PyTorch requires."),
  COSINE_STEPS_NOT_POSITIVE("KilnBadDecaySteps",
      "@CosineDecay(steps = %s): steps must be at least 1 optimizer step."),
  COSINE_MINIMUM_RANGE("KilnBadDecayMinimum",
      "@CosineDecay(minimum = %s): minimum must be at least 0 and below the base learning rate"
          + " %s."),
  MAX_NORM_NOT_POSITIVE("KilnBadMaxNorm",
      "@ClipGradNorm(maxNorm = %s): maxNorm must be positive and finite."),
  NORM_TYPE("KilnBadNormType",
      "@ClipGradNorm(normType = %s): normType must be 1, 2 or Double.POSITIVE_INFINITY."),
  L2_NEGATIVE("KilnBadL2", "@L2(%s): the coefficient must be finite and at least 0."),
  INTERNAL_ERROR("KilnInternalError",
      "Kiln failed unexpectedly on this type: %s. Please report this with the annotated source.");

  private final String tag;
  private final String format;

  Diagnostic(String tag, String format) {
    this.tag = tag;
    this.format = format;
  }

  /** The stable tag, without brackets. */
  public String tag() {
    return tag;
  }

  /** The full message: {@code [Tag] text}. */
  public String format(Object... args) {
    return "[" + tag + "] " + String.format(java.util.Locale.ROOT, format, args);
  }
}
