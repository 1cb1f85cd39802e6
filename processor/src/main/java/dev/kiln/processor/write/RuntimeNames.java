package dev.kiln.processor.write;

import com.palantir.javapoet.ClassName;

/**
 * Every runtime, ND4J and DSL type the generated code names, in one place. The processor does not
 * depend on the runtime or ND4J: these are names only.
 */
final class RuntimeNames {
  private RuntimeNames() {}

  private static final String RUNTIME = "dev.kiln.runtime";

  static final ClassName TENSOR = ClassName.get(RUNTIME + ".tensor", "Tensor");
  static final ClassName DENSE = ClassName.get(RUNTIME + ".ops", "Dense");
  static final ClassName BATCH_NORM_KERNEL = ClassName.get(RUNTIME + ".ops", "BatchNormKernel");
  static final ClassName ACTIVATIONS = ClassName.get(RUNTIME + ".ops", "Activations");
  static final ClassName DROPOUT_KERNEL = ClassName.get(RUNTIME + ".ops", "DropoutKernel");
  static final ClassName LOSSES = ClassName.get(RUNTIME + ".ops", "Losses");
  static final ClassName CLIPPING = ClassName.get(RUNTIME + ".optim", "Clipping");
  static final ClassName REGULARIZATION = ClassName.get(RUNTIME + ".optim", "Regularization");
  static final ClassName SCHEDULE = ClassName.get(RUNTIME + ".schedule", "LearningRateSchedule");
  static final ClassName COSINE_DECAY_SCHEDULE = ClassName.get(RUNTIME + ".schedule", "CosineDecaySchedule");
  static final ClassName INITIALIZERS = ClassName.get(RUNTIME + ".tensor", "Initializers");
  static final ClassName SPLIT_MIX = ClassName.get(RUNTIME + ".tensor", "SplitMix64");
  static final ClassName BATCH_INPUT = ClassName.get(RUNTIME + ".internal", "BatchInput");
  static final ClassName PARAMETER_SET = ClassName.get(RUNTIME + ".optim", "ParameterSet");
  static final ClassName PARAMETER_KIND = ClassName.get(RUNTIME + ".optim", "ParameterKind");
  static final ClassName OPTIMIZER = ClassName.get(RUNTIME + ".optim", "Optimizer");
  static final ClassName TRAINER = ClassName.get(RUNTIME + ".train", "Trainer");
  static final ClassName TRAINING = ClassName.get(RUNTIME + ".train", "Training");
  static final ClassName LOSS_KIND = ClassName.get(RUNTIME + ".ops", "LossKind");
  static final ClassName EPOCH_RESULT = ClassName.get(RUNTIME + ".train", "EpochResult");
  static final ClassName EVALUATION = ClassName.get(RUNTIME + ".train", "Evaluation");
  static final ClassName TRAINING_LISTENER = ClassName.get(RUNTIME + ".train", "TrainingListener");
  static final ClassName DATASET = ClassName.get(RUNTIME + ".data", "Dataset");
  static final ClassName FIT_OPTIONS = ClassName.get(RUNTIME + ".train", "FitOptions");
  static final ClassName FIT_RESULT = ClassName.get(RUNTIME + ".train", "FitResult");
  static final ClassName DATA_SET_ITERATOR =
      ClassName.get("org.nd4j.linalg.dataset.api.iterator", "DataSetIterator");

  static final ClassName INDARRAY = ClassName.get("org.nd4j.linalg.api.ndarray", "INDArray");
  static final ClassName ND4J = ClassName.get("org.nd4j.linalg.factory", "Nd4j");
  static final ClassName DATA_TYPE = ClassName.get("org.nd4j.linalg.api.buffer", "DataType");

  static final ClassName KILN_GENERATED = ClassName.get("dev.kiln.dsl", "KilnGenerated");
}
