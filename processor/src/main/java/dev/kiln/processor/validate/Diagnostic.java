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
  NO_LAYERS("KilnNoLayers",
      "@Model %s declares no layers. Add fields of type dev.kiln.dsl.Layer, for example"
          + " `@Dense(10) Layer logits;`."),
  INPUTS_NOT_POSITIVE("KilnBadInputs",
      "@Model(inputs = %s): every dimension of the input must be at least 1 (features per"
          + " sample, or channels, height and width)."),
  INPUTS_RANK("KilnInputsRank",
      "@Model(inputs = %s): give one value (features per sample) or three, {channels, height,"
          + " width}; found %s values."),
  WINDOW_ARITY("KilnWindowArity",
      "@%s(%s = %s): give one value for both axes or two, {height, width}; found %s values."),
  WINDOW_VALUE("KilnBadWindow",
      "@%s(%s = %s): each value must be at least %s."),
  FILTERS_NOT_POSITIVE("KilnBadFilters",
      "@Conv2d(filters = %s): filters (output channels) must be at least 1."),
  PADDING_TOO_LARGE("KilnPaddingTooLarge",
      "@%s(padding = %s): padding %s must be %s %s on each axis (%s). Use less padding."),
  KERNEL_TOO_LARGE("KilnKernelTooLarge",
      "@%s(%s = %s) on input %s: the output %s would be %s (floor((%s + 2·padding %s - %s %s) /"
          + " stride %s) + 1 < 1): the %s is larger than the padded input %s. Use a smaller %s or"
          + " more padding, or pool less before this layer."),
  SAME_EVEN_KERNEL("KilnSameEvenKernel",
      "@Conv2d(paddingMode = SAME) with kernel %s: SAME padding pads (k - 1)/2 on each side and"
          + " needs an odd kernel on each axis (an even one would pad unevenly). Use an odd"
          + " kernel or explicit padding."),
  SAME_WITH_PADDING("KilnSamePadding",
      "@Conv2d(padding = %s) with paddingMode = SAME: SAME computes the padding itself; leave"
          + " padding out or use paddingMode = EXPLICIT."),
  CONV_NEEDS_IMAGE("KilnConvNeedsImage",
      "@Conv2d on layer %s needs images [C, H, W] as input, found %s. Declare @Model(inputs ="
          + " {channels, height, width}), or put convolutions before the first @Dense or"
          + " @GlobalAvgPool layer."),
  POOL_NEEDS_IMAGE("KilnPoolNeedsImage",
      "@%s on layer %s needs images [C, H, W] as input, found %s. Pool after a @Conv2d (or on"
          + " image inputs), not after @Dense or @GlobalAvgPool."),
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
      "@%s(learningRate = %s): the learning rate must be positive and finite."),
  NO_LEARNING_RATE("KilnNoLearningRate",
      "@%s on %s gives no learningRate. Give one, for example @%s(learningRate = 0.01); only"
          + " beside @OneCycle, which sets the rate itself (its maxLearningRate), may it be left"
          + " out."),
  ONE_CYCLE_RATE("KilnOneCycleRate",
      "@%s(learningRate = %s) beside @OneCycle(maxLearningRate = %s): OneCycle sets the rate"
          + " itself, so the optimizer's learningRate is not used. Leave learningRate out, or make"
          + " it equal to maxLearningRate. (A warning; @SuppressWarnings(\"KilnOneCycleRate\") on"
          + " the configuration silences it.)"),
  LEARNING_RATE_SCALE("KilnBadLearningRateScale",
      "@LearningRateScale(%s): the factor on the scheduled learning rate must be finite and at"
          + " least 0 (0 keeps the layer's values; 1 changes nothing)."),
  SCALE_WITHOUT_PARAMETERS("KilnScaleWithoutParameters",
      "@LearningRateScale(%s) on %s: the layer has no parameters, so there is no learning rate to"
          + " scale. Put it on a layer with parameters (@Dense, @Conv2d, @BatchNorm, ...) or on"
          + " the block that holds them."),
  FREEZE_LAYER("KilnFreezeLayer",
      "@Freeze(\"%s\") on %s: %s"),
  MOMENTUM_NEGATIVE("KilnBadMomentum",
      "@%s(momentum = %s): momentum must be in [0, 1); from 1 on the velocity never decays and"
          + " training diverges (PyTorch accepts it; 0.9 is usual)."),
  DAMPENING_RANGE("KilnBadDampening", "@Sgd(dampening = %s): dampening must be in [0, 1]."),
  NESTEROV_WITHOUT_MOMENTUM("KilnNesterovWithoutMomentum",
      "@Sgd(nesterov = true) needs momentum > 0 and dampening = 0 (momentum = %s, dampening = %s),"
          + " as PyTorch requires."),
  SCHEDULE_LENGTH("KilnBadDecaySteps",
      "@%s(%s = %s): the length must be at least 1 %s%s."),
  SCHEDULE_MINIMUM("KilnBadDecayMinimum",
      "@%s(minimum = %s): minimum must be at least 0 and below the base learning rate %s."),
  MAX_NORM_NOT_POSITIVE("KilnBadMaxNorm",
      "@ClipGradNorm(maxNorm = %s): maxNorm must be positive and finite."),
  NORM_TYPE("KilnBadNormType",
      "@ClipGradNorm(normType = %s): normType must be 1, 2 or Double.POSITIVE_INFINITY."),
  L2_NEGATIVE("KilnBadL2", "@L2(%s): the coefficient must be finite and at least 0."),
  MODEL_WRONG_KIND("KilnModelKind",
      "@Model on %s %s: a model must be a top-level or static nested class (abstract is fine),"
          + " not an enum, record, interface or annotation. Declare `abstract class %s`."),
  CONFIG_WRONG_KIND("KilnConfigKind",
      "@TrainingConfig on %s %s: a training configuration must be an interface or a class, not"
          + " an enum, record or annotation."),
  TYPE_NOT_REACHABLE("KilnTypeNotReachable",
      "%s is %s: Kiln generates its classes in package `%s`, so the annotated type must be a"
          + " top-level or member type that is not private (and not inside a private or local"
          + " class)."),
  GENERATED_NAME_CLASH("KilnNameClash",
      "Kiln generates %s for %s, but a type of that name already exists. Rename %s or the"
          + " existing type."),
  STATIC_LAYER("KilnStaticLayer",
      "Layer field %s is static: layers are the instance fields of type dev.kiln.dsl.Layer."
          + " Remove `static`."),
  LAYER_TOO_LARGE("KilnLayerTooLarge",
      "@Dense(%s) after %s inputs makes a weight of %s elements; a tensor holds at most"
          + " 2,147,483,647. Use fewer units."),
  NEGATIVE_SLOPE_UNUSED("KilnUnusedNegativeSlope",
      "@Activation(%s, negativeSlope = %s): negativeSlope applies to LEAKY_RELU only. Remove it"
          + " or use LEAKY_RELU."),
  BATCH_NORM_NEEDS_TWO("KilnBatchNormBatchSize",
      "@TrainingConfig(batchSize = %s): layer %s has @BatchNorm, whose training mode needs at"
          + " least 2 samples per batch. Use batchSize >= 2 or remove @BatchNorm."),
  BINARY_LOSS_OUTPUTS("KilnBinaryLossOutputs",
      "@TrainingConfig(loss = SIGMOID_BINARY_CROSS_ENTROPY): the model has %s outputs; binary"
          + " cross-entropy takes one output unless the labels are multi-label. Set multiLabel ="
          + " true, use one output, or use SOFTMAX_CROSS_ENTROPY for one-of-%s classes."),
  MULTI_LABEL_LOSS("KilnMultiLabelLoss",
      "@TrainingConfig(multiLabel = true) applies to SIGMOID_BINARY_CROSS_ENTROPY only, not %s."),
  NO_PARAMETERS("KilnNoParameters",
      "@TrainingConfig(model = %s.class): the model has no trainable parameters (no @Dense or"
          + " @BatchNorm layer), so there is nothing to train."),
  OPTIMIZER_TWICE("KilnTwoOptimizers",
      "@%s and @%s: a training configuration takes exactly one optimizer. Keep one of them."),
  BETA_RANGE("KilnBadBeta",
      "@%s(%s = %s): a moment decay must be in [0, 1), as PyTorch's betas (defaults 0.9 and"
          + " 0.999)."),
  OPTIMIZER_EPSILON("KilnBadOptimizerEpsilon",
      "@%s(epsilon = %s): epsilon must be positive and finite; PyTorch's default is 1e-8."),
  RMSPROP_ALPHA("KilnBadAlpha",
      "@RmsProp(alpha = %s): alpha must be in [0, 1); PyTorch's default is 0.99 (Keras's rho)."),
  L1_NEGATIVE("KilnBadL1", "@L1(%s): the coefficient must be finite and at least 0."),
  WEIGHT_DECAY_NEGATIVE("KilnBadWeightDecay",
      "%s: the decoupled decay must be finite and at least 0."),
  WEIGHT_DECAY_TWICE("KilnWeightDecayTwice",
      "@AdamW(weightDecay = %s) and @WeightDecay(%s) both set the decoupled decay. Keep one:"
          + " without weightDecay (or with 0) on @AdamW, @WeightDecay replaces its default."),
  CLIP_VALUE_NOT_POSITIVE("KilnBadClipValue",
      "@ClipGradValue(%s): the clip value must be positive and finite."),
  CLIPPING_TWICE("KilnTwoClippings",
      "@ClipGradValue and @ClipGradNorm: a training configuration clips by value or by norm, not"
          + " both. Keep one of them."),
  NON_FINITE_POLICY_TWICE("KilnNonFinitePolicyTwice",
      "@TrainingConfig(onNonFinite = %s) and @%s(onNonFinite = %s): write the non-finite policy"
          + " in one place."),
  ACCUMULATION_STEPS("KilnBadAccumulationSteps",
      "@TrainingConfig(accumulationSteps = %s): an optimizer step needs at least 1 batch."),
  FROZEN_REGULARIZED("KilnFrozenRegularized",
      "Layer %s is @Frozen and carries @%s: a frozen layer is never updated, so the override"
          + " would do nothing. Remove one of them."),
  SCHEDULE_CONFLICT("KilnMultipleSchedules",
      "@%s: a training configuration takes one learning-rate schedule, and @%s is already"
          + " present. Keep one; a warm-up goes in @Warmup, which combines with either."),
  WARMUP_WITH_ONE_CYCLE("KilnWarmupWithOneCycle",
      "@Warmup cannot be combined with @OneCycle, whose first phase (pctStart) is its warm-up."
          + " Remove @Warmup, or raise @OneCycle(pctStart)."),
  SCHEDULE_GAMMA("KilnBadGamma",
      "@%s(gamma = %s): gamma must be in (0, 1]; 1 keeps the rate constant, and a rate that"
          + " grows is not a decay."),
  MILESTONES_RANGE("KilnBadMilestones",
      "@MultiStepDecay(milestones = %s): give at least one milestone, each at least 1 (a"
          + " milestone at 0 only scales the base rate: lower the learning rate instead)."),
  MILESTONES_ORDER("KilnMilestonesNotIncreasing",
      "@MultiStepDecay(milestones = %s): milestones must be strictly increasing, but %s follows"
          + " %s. Sort them and remove duplicates."),
  SCHEDULE_FACTOR("KilnBadFactor", "@%s(%s = %s): the factor of the base rate must be %s."),
  POLYNOMIAL_POWER("KilnBadPower",
      "@PolynomialDecay(power = %s): the power must be finite and positive (1 decays linearly)."),
  CYCLE_MULTIPLIER("KilnBadCycleMultiplier",
      "@CosineRestarts(cycleMultiplier = %s): each cycle is cycleMultiplier times the previous"
          + " one; it must be at least 1 (PyTorch's T_mult)."),
  MAX_LEARNING_RATE("KilnBadMaxLearningRate",
      "@OneCycle(maxLearningRate = %s): the peak rate must be positive and finite."),
  PCT_START("KilnBadPctStart",
      "@OneCycle(pctStart = %s): the fraction of the cycle spent raising the rate must be in"
          + " (0, 1); PyTorch's default is 0.3."),
  DIV_FACTOR("KilnBadDivFactor",
      "@OneCycle(%s = %s): the divisor must be finite and at least 1 (PyTorch's defaults:"
          + " divFactor 25, finalDivFactor 1e4)."),
  CYCLE_MOMENTUM_RANGE("KilnBadCycleMomentum",
      "@OneCycle(%s = %s): the momenta must satisfy 0 <= baseMomentum <= maxMomentum < 1"
          + " (baseMomentum = %s, maxMomentum = %s)."),
  ONE_CYCLE_TOO_SHORT("KilnOneCycleTooShort",
      "@OneCycle(totalSteps = %s): with pctStart = %s the first phase ends at"
          + " pctStart*totalSteps - 1 = %s, which must be above 0. Raise totalSteps or pctStart,"
          + " or leave totalSteps out (AUTO: the whole run)."),
  ONE_CYCLE_MOMENTUM("KilnOneCycleOptimizer",
      "@OneCycle(cycleMomentum = true) sets the optimizer's momentum at every step and needs"
          + " @Sgd or @RmsProp with momentum > 0, or @Adam/@AdamW (beta1); found %s. Set the"
          + " optimizer's momentum, or cycleMomentum = false."),
  PLATEAU_FACTOR("KilnBadPlateauFactor",
      "@ReduceOnPlateau(factor = %s): the factor must be in (0, 1); PyTorch's default is 0.1."),
  PLATEAU_EPOCHS("KilnBadPlateauEpochs",
      "@ReduceOnPlateau(%s = %s): a count of epochs must be at least 0."),
  PLATEAU_THRESHOLD("KilnBadThreshold",
      "@ReduceOnPlateau(threshold = %s): the threshold must be finite and at least 0."),
  PRUNE_SPARSITY("KilnBadSparsity",
      "@Prune(%s = %s): a sparsity is the fraction of weights (or units) pruned and must be in"
          + " [0, 1)."),
  PRUNE_SPARSITY_ORDER("KilnPruneSparsityOrder",
      "@Prune(finalSparsity = %s)%s: the final sparsity must be at least initialSparsity = %s;"
          + " gradual pruning only adds to the masks."),
  PRUNE_NO_TARGET("KilnPruneNoTarget",
      "@Prune on training configuration %s needs finalSparsity, the fraction pruned from"
          + " endStep on, for example @Prune(finalSparsity = 0.9, endStep = 3000)."),
  PRUNE_STEPS("KilnBadPruneSteps",
      "@Prune(beginStep = %s, endStep = %s): pruning runs from beginStep to endStep, optimizer"
          + " steps counted from 0, so 0 <= beginStep <= endStep%s."),
  PRUNE_FRACTIONS("KilnBadPruneFractions",
      "@Prune(beginFraction = %s, endFraction = %s): pruning runs from beginFraction to"
          + " endFraction of the planned run, so 0 <= beginFraction <= endFraction <= 1%s."),
  PRUNE_STEPS_AND_FRACTIONS("KilnPruneStepsAndFractions",
      "@Prune(%s = ...) with %s: give the schedule in optimizer steps (beginStep, endStep) or in"
          + " fractions of the run (beginFraction, endFraction), not both. Fractions scale with the"
          + " run's length, which fit plans."),
  PRUNE_FREQUENCY("KilnBadPruneFrequency",
      "@Prune(frequency = %s): masks are updated every frequency optimizer steps; it must be at"
          + " least 1 (TensorFlow Model Optimization's default is 100)."),
  PRUNE_MEMBER("KilnPruneMember",
      "@Prune(%s = ...) on %s: %s"),
  PRUNE_LAYER("KilnPruneLayer",
      "@Prune on field %s: %s, so it cannot be pruned. Remove the annotation."),
  PRUNE_LAYER_TARGET("KilnPruneLayerTarget",
      "@Prune(finalSparsity = %s) on layer %s: a layer's own target needs scope = PER_LAYER on"
          + " the training configuration's @Prune; GLOBAL ranks all layers against one target."),
  PRUNE_NOTHING("KilnPruneNothing",
      "@Prune: no layer of %s is left to prune (%s). Pruning acts on the weights of @Dense,"
          + " @Conv2d and @SelfAttention layers that are neither excluded nor @Frozen%s."),
  PRUNE_NEURONS("KilnPruneNeurons",
      "@Prune(structure = NEURONS) removes dense units and convolution channels (compact()"
          + " shrinks networks of @Dense and @Conv2d layers, not blocks or sequences), but layer"
          + " %s of %s is %s. Use structure = UNSTRUCTURED, which prunes single weights of every"
          + " layer kind."),
  TEACHER_NOT_MODEL("KilnTeacherNotModel",
      "@Distill(teacher = %s.class): %s has no @Model annotation. Name the @Model type whose"
          + " trained network teaches this one."),
  TEACHER_MISMATCH("KilnTeacherMismatch",
      "@Distill(teacher = %s.class): the teacher has %s %s, the student %s; teacher and student"
          + " must take the same inputs and produce the same number of outputs."),
  DISTILL_TEMPERATURE("KilnBadTemperature",
      "@Distill(temperature = %s): the temperature must be positive and finite (1 is the plain"
          + " softmax; Hinton et al. use values from 1 to 20)."),
  DISTILL_ALPHA("KilnBadDistillAlpha",
      "@Distill(alpha = %s): alpha is the weight of the teacher's soft targets and must be in"
          + " [0, 1]. (Keras's distiller weights the label loss by alpha: use 1 - alpha.)"),
  DISTILL_LOSS("KilnDistillLoss",
      "@Distill needs @TrainingConfig(loss = SOFTMAX_CROSS_ENTROPY): the student learns the"
          + " teacher's class probabilities; found %s."),
  MODEL_UNRESOLVED("KilnUnknownModel",
      "@TrainingConfig(model = %s.class) names no known type; did you mean %s? (A note beside"
          + " javac's \"cannot find symbol\".)"),
  UNKNOWN_CONSTANT("KilnUnknownConstant",
      "@%s(%s = %s): %s is not a %s this Kiln processor knows (it knows %s). The dsl-annotations"
          + " jar and the processor are of different Kiln versions: use the same version of"
          + " both."),
  NOT_A_CLASS("KilnNotAClass",
      "@%s(%s = %s.class) names %s, not a class. Name the @Model class itself%s."),
  NAMES_GENERATED_TYPE("KilnNamesGeneratedType",
      "@%s(%s = %s.class) names a class that Kiln generates (from %s). Name the @Model type"
          + " itself%s."),
  STALE_GENERATED("KilnStaleGenerated",
      "Kiln generates %s from %s, but a file of that name from an earlier build is among the"
          + " sources being compiled, so it cannot be written again and may no longer match."
          + " Take the generated-sources directory off the source path (the compiler's -s"
          + " directory is not an input), or build clean."),
  ALL_FROZEN("KilnAllFrozen",
      "@TrainingConfig(model = %s.class): every layer with parameters is @Frozen or named by"
          + " @Freeze (%s), so"
          + " training changes nothing. Unfreeze at least one layer. (A warning;"
          + " @SuppressWarnings(\"KilnAllFrozen\") on the configuration silences it.)"),
  L2_DECAYS_BATCH_NORM("KilnL2DecaysBatchNorm",
      "@L2(applyTo = ALL) also decays the batch-norm scale and shift (gamma, beta) of layer %s,"
          + " pulling its normalized outputs toward 0. Use applyTo = WEIGHTS (the default) unless"
          + " that is intended. (A warning; @SuppressWarnings(\"KilnL2DecaysBatchNorm\") on the"
          + " configuration silences it.)"),
  DUPLICATE_LAYER("KilnDuplicateLayer",
      "Layer field %s of %s hides the layer of the same name in superclass %s; a model's layers,"
          + " inherited ones included, need distinct names. Rename one of them."),
  RESIDUAL_SHAPE("KilnResidualShape",
      "@Residual %s: the block's output %s differs from its input %s; a residual connection adds"
          + " the two, so the block must keep the shape."),
  REPEAT_NOT_POSITIVE("KilnBadRepeat",
      "@Repeat(%s): a block is repeated at least once (1 for a single, indexed copy)."),
  EMPTY_BLOCK("KilnEmptyBlock",
      "@Block %s declares no layers. Add fields of type dev.kiln.dsl.Layer or of @Block types."),
  CYCLIC_BLOCK("KilnCyclicBlock",
      "Field %s: block %s contains itself (%s). A block cannot include its own type."),
  RESIDUAL_ON_LAYER("KilnResidualOnLayer",
      "@%s on Layer field %s: only a field of a @Block type can be residual or repeated. Move the"
          + " layers into a @Block class and declare a field of it."),
  HEADS_DIVIDE("KilnHeadsDivide",
      "@SelfAttention(heads = %s): heads must be at least 1 and divide the width D = %s of the"
          + " input %s (each head takes D/heads features)."),
  SEQUENCE_INPUT("KilnNeedsSequence",
      "@%s on layer %s needs a sequence [T, D] input, got %s. Put it after an @Embedding."),
  EMBEDDING_INPUT("KilnEmbeddingInput",
      "@Embedding on layer %s: an embedding reads token ids, so it must be the first part of a"
          + " token model's first layer (@Model(vocabulary = V, context = T)); its input here is"
          + " %s."),
  TOKEN_MODEL_FIRST_LAYER("KilnTokenModelInput",
      "Layer %s: the first layer of a token model reads token ids and must start with"
          + " @Embedding(width)."),
  BAD_TOKEN_MODEL("KilnBadTokenModel",
      "@Model(vocabulary = %s, context = %s, inputs = %s): a token model gives vocabulary >= 2 and"
          + " context >= 1 and leaves inputs out."),
  TOKEN_OUTPUT("KilnTokenOutput",
      "A token model's last layer gives the logits [T, %s] (one per word of the vocabulary); layer"
          + " %s outputs %s. End with @Dense(%s)."),
  TOKEN_LOSS("KilnTokenLoss",
      "@TrainingConfig(loss = %s): a token model is trained with SOFTMAX_CROSS_ENTROPY over its"
          + " vocabulary, without label smoothing or batch normalisation."),
  EMBEDDING_WIDTH("KilnBadEmbeddingWidth", "@Embedding(%s): the width must be at least 1."),
  LAYER_NORM_EPSILON("KilnBadLayerNormEpsilon",
      "@LayerNorm(epsilon = %s): epsilon must be positive; PyTorch's default is 1e-5."),
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
