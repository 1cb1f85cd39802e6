package dev.kiln.processor.write;

import com.palantir.javapoet.ClassName;

/**
 * Every runtime, ND4J and DSL type the generated code names, in one place (no other writer class
 * spells a runtime package). The processor does not depend on the runtime or ND4J: these are names
 * only, grouped by the runtime package that holds them.
 */
final class RuntimeNames {
  private RuntimeNames() {}

  private static final String RUNTIME = "dev.kiln.runtime";

  private static ClassName runtime(String subpackage, String simpleName) {
    return ClassName.get(RUNTIME + "." + subpackage, simpleName);
  }

  // tensor
  static final ClassName TENSOR = runtime("tensor", "Tensor");
  static final ClassName INITIALIZERS = runtime("tensor", "Initializers");
  static final ClassName SPLIT_MIX = runtime("tensor", "SplitMix64");
  // ops: the layer kernels and losses
  static final ClassName DENSE = runtime("ops", "Dense");
  static final ClassName BATCH_NORM_KERNEL = runtime("ops", "BatchNormKernel");
  static final ClassName ACTIVATIONS = runtime("ops", "Activations");
  static final ClassName DROPOUT_KERNEL = runtime("ops", "DropoutKernel");
  static final ClassName GELU = runtime("ops", "Gelu");
  static final ClassName GELU_APPROXIMATION = GELU.nestedClass("Approximation");
  static final ClassName LAYER_NORM = runtime("ops", "LayerNorm");
  static final ClassName EMBEDDING = runtime("ops", "Embedding");
  static final ClassName SELF_ATTENTION = runtime("ops", "SelfAttention");
  static final ClassName SELF_ATTENTION_PARAMETERS = SELF_ATTENTION.nestedClass("Parameters");
  static final ClassName SEQUENCE_CROSS_ENTROPY = runtime("ops", "SequenceCrossEntropy");
  static final ClassName RESIDUALS = runtime("ops", "Residuals");
  static final ClassName TOKEN_INPUT = runtime("internal", "TokenInput");
  static final ClassName TOKEN_GENERATION = runtime("internal", "TokenGeneration");
  static final ClassName KEY_VALUE_CACHE = runtime("ops", "KeyValueCache");
  static final ClassName TOKEN_SAMPLER = runtime("ops", "TokenSampler");
  static final ClassName CONV2D = runtime("ops", "Conv2d");
  static final ClassName BATCH_NORM_2D_KERNEL = runtime("ops", "BatchNorm2dKernel");
  static final ClassName MAX_POOL_2D = runtime("ops", "MaxPool2d");
  static final ClassName AVG_POOL_2D = runtime("ops", "AvgPool2d");
  static final ClassName GLOBAL_AVG_POOL = runtime("ops", "GlobalAvgPool");
  static final ClassName LOSSES = runtime("ops", "Losses");
  static final ClassName LOSS_KIND = runtime("ops", "LossKind");
  static final ClassName DISTILLATION_LOSS = runtime("ops", "DistillationLoss");
  static final ClassName SEQUENCE_DISTILLATION_LOSS = runtime("ops", "SequenceDistillationLoss");
  // optim
  static final ClassName CLIPPING = runtime("optim", "Clipping");
  static final ClassName REGULARIZATION = runtime("optim", "Regularization");
  static final ClassName PARAMETER_SET = runtime("optim", "ParameterSet");
  static final ClassName PARAMETER_KIND = runtime("optim", "ParameterKind");
  static final ClassName OPTIMIZER = runtime("optim", "Optimizer");
  static final ClassName SGD_OPTIMIZER = runtime("optim", "SgdOptimizer");
  static final ClassName ADAM_OPTIMIZER = runtime("optim", "AdamOptimizer");
  static final ClassName RMS_PROP_OPTIMIZER = runtime("optim", "RmsPropOptimizer");
  static final ClassName GRADIENT_ACCUMULATOR = runtime("optim", "GradientAccumulator");
  static final ClassName GRADIENT_CLIPPER = runtime("optim", "GradientClipper");
  static final ClassName NON_FINITE_EXCEPTION = runtime("optim", "NonFiniteGradientException");
  static final ClassName NON_FINITE_UPDATE = runtime("optim", "NonFiniteUpdateException");
  // schedule
  static final ClassName SCHEDULE = runtime("schedule", "LearningRateSchedule");
  static final ClassName SCHEDULES = runtime("schedule", "Schedules");
  static final ClassName STEP_DECAY_SCHEDULE = runtime("schedule", "StepDecaySchedule");
  static final ClassName MULTI_STEP_DECAY_SCHEDULE = runtime("schedule", "MultiStepDecaySchedule");
  static final ClassName EXPONENTIAL_DECAY_SCHEDULE =
      runtime("schedule", "ExponentialDecaySchedule");
  static final ClassName LINEAR_DECAY_SCHEDULE = runtime("schedule", "LinearDecaySchedule");
  static final ClassName POLYNOMIAL_DECAY_SCHEDULE = runtime("schedule", "PolynomialDecaySchedule");
  static final ClassName COSINE_DECAY_SCHEDULE = runtime("schedule", "CosineDecaySchedule");
  static final ClassName COSINE_RESTARTS_SCHEDULE = runtime("schedule", "CosineRestartsSchedule");
  static final ClassName ONE_CYCLE_SCHEDULE = runtime("schedule", "OneCycleSchedule");
  static final ClassName REDUCE_ON_PLATEAU_SCHEDULE =
      runtime("schedule", "ReduceOnPlateauSchedule");
  static final ClassName WARMUP_SCHEDULE = runtime("schedule", "WarmupSchedule");
  static final ClassName PER_EPOCH_SCHEDULE = runtime("schedule", "PerEpochSchedule");
  // train
  static final ClassName TRAINER = runtime("train", "Trainer");
  static final ClassName ABSTRACT_TRAINER = runtime("train", "AbstractTrainer");
  static final ClassName TRAINER_CONFIG = ABSTRACT_TRAINER.nestedClass("Config");
  static final ClassName TRAINING = runtime("train", "Training");
  static final ClassName EPOCH_RESULT = runtime("train", "EpochResult");
  static final ClassName EVALUATION = runtime("train", "Evaluation");
  static final ClassName TRAINING_LISTENER = runtime("train", "TrainingListener");
  static final ClassName FIT_OPTIONS = runtime("train", "FitOptions");
  static final ClassName FIT_RESULT = runtime("train", "FitResult");
  // data
  static final ClassName DATASET = runtime("data", "Dataset");
  // internal: what only generated code calls
  static final ClassName BATCH_INPUT = runtime("internal", "BatchInput");
  static final ClassName STATISTICS_SNAPSHOT = runtime("internal", "StatisticsSnapshot");
  // checkpoint
  static final ClassName TRAINING_STATE = runtime("checkpoint", "TrainingState");
  static final ClassName NETWORK_EXPORT = runtime("checkpoint", "NetworkExport");
  static final ClassName FINGERPRINT = runtime("checkpoint", "Fingerprint");
  // pruning
  static final ClassName MAGNITUDE_PRUNER = runtime("pruning", "MagnitudePruner");
  static final ClassName PRUNING_SCHEDULE = runtime("pruning", "PruningSchedule");
  static final ClassName COMPACT_NETWORK = runtime("pruning", "CompactNetwork");

  // ND4J and DL4J
  static final ClassName DATA_SET_ITERATOR =
      ClassName.get("org.nd4j.linalg.dataset.api.iterator", "DataSetIterator");
  static final ClassName INDARRAY = ClassName.get("org.nd4j.linalg.api.ndarray", "INDArray");
  static final ClassName ND_ARRAY_INDEX =
      ClassName.get("org.nd4j.linalg.indexing", "NDArrayIndex");
  static final ClassName ND4J = ClassName.get("org.nd4j.linalg.factory", "Nd4j");
  static final ClassName DATA_TYPE = ClassName.get("org.nd4j.linalg.api.buffer", "DataType");

  // the DSL
  static final ClassName KILN_GENERATED = ClassName.get("dev.kiln.dsl", "KilnGenerated");
}
