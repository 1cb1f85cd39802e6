package dev.kiln.processor.write;

import com.palantir.javapoet.ClassName;

/**
 * Every runtime, ND4J and DSL type the generated code names, in one place. The processor does not
 * depend on the runtime or ND4J: these are names only.
 */
final class RuntimeNames {
  private RuntimeNames() {}

  private static final String RUNTIME = "dev.kiln.runtime";

  static final ClassName TENSOR = ClassName.get(RUNTIME, "Tensor");
  static final ClassName DENSE = ClassName.get(RUNTIME, "Dense");
  static final ClassName BATCH_NORM_KERNEL = ClassName.get(RUNTIME, "BatchNormKernel");
  static final ClassName ACTIVATIONS = ClassName.get(RUNTIME, "Activations");
  static final ClassName DROPOUT_KERNEL = ClassName.get(RUNTIME, "DropoutKernel");
  static final ClassName LOSSES = ClassName.get(RUNTIME, "Losses");
  static final ClassName CLIPPING = ClassName.get(RUNTIME, "Clipping");
  static final ClassName REGULARIZATION = ClassName.get(RUNTIME, "Regularization");
  static final ClassName SCHEDULE = ClassName.get(RUNTIME, "LearningRateSchedule");
  static final ClassName COSINE_DECAY_SCHEDULE = ClassName.get(RUNTIME, "CosineDecaySchedule");
  static final ClassName INITIALIZERS = ClassName.get(RUNTIME, "Initializers");
  static final ClassName SPLIT_MIX = ClassName.get(RUNTIME, "SplitMix64");
  static final ClassName BATCH_INPUT = ClassName.get(RUNTIME, "BatchInput");
  static final ClassName PARAMETER_SET = ClassName.get(RUNTIME, "ParameterSet");
  static final ClassName PARAMETER_KIND = ClassName.get(RUNTIME, "ParameterKind");
  static final ClassName OPTIMIZER = ClassName.get(RUNTIME, "Optimizer");
  static final ClassName TRAINER = ClassName.get(RUNTIME, "Trainer");
  static final ClassName TRAINING = ClassName.get(RUNTIME, "Training");
  static final ClassName LOSS_KIND = ClassName.get(RUNTIME, "LossKind");
  static final ClassName EPOCH_RESULT = ClassName.get(RUNTIME, "EpochResult");
  static final ClassName EVALUATION = ClassName.get(RUNTIME, "Evaluation");
  static final ClassName TRAINING_LISTENER = ClassName.get(RUNTIME, "TrainingListener");
  static final ClassName DATASET = ClassName.get(RUNTIME + ".data", "Dataset");
  static final ClassName FIT_OPTIONS = ClassName.get(RUNTIME, "FitOptions");
  static final ClassName FIT_RESULT = ClassName.get(RUNTIME, "FitResult");
  static final ClassName DATA_SET_ITERATOR =
      ClassName.get("org.nd4j.linalg.dataset.api.iterator", "DataSetIterator");

  static final ClassName INDARRAY = ClassName.get("org.nd4j.linalg.api.ndarray", "INDArray");
  static final ClassName ND4J = ClassName.get("org.nd4j.linalg.factory", "Nd4j");
  static final ClassName DATA_TYPE = ClassName.get("org.nd4j.linalg.api.buffer", "DataType");

  static final ClassName KILN_GENERATED = ClassName.get("dev.kiln.dsl", "KilnGenerated");
}
