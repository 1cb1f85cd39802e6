package dev.kiln.processor.read;

/** Qualified names of the DSL annotations, read by name so the processor needs no DSL classes. */
public final class DslNames {
  private DslNames() {}

  public static final String PACKAGE = "dev.kiln.dsl";
  public static final String MODEL = PACKAGE + ".Model";
  public static final String LAYER = PACKAGE + ".Layer";
  public static final String DENSE = PACKAGE + ".Dense";
  public static final String BATCH_NORM = PACKAGE + ".BatchNorm";
  public static final String ACTIVATION = PACKAGE + ".Activation";
  public static final String DROPOUT = PACKAGE + ".Dropout";
  public static final String BLOCK = PACKAGE + ".Block";
  public static final String RESIDUAL = PACKAGE + ".Residual";
  public static final String REPEAT = PACKAGE + ".Repeat";
  public static final String EMBEDDING = PACKAGE + ".Embedding";
  public static final String POSITION_EMBEDDING = PACKAGE + ".PositionEmbedding";
  public static final String LAYER_NORM = PACKAGE + ".LayerNorm";
  public static final String SELF_ATTENTION = PACKAGE + ".SelfAttention";
  public static final String CONV2D = PACKAGE + ".Conv2d";
  public static final String MAX_POOL = PACKAGE + ".MaxPool";
  public static final String AVG_POOL = PACKAGE + ".AvgPool";
  public static final String GLOBAL_AVG_POOL = PACKAGE + ".GlobalAvgPool";
  public static final String TRAINING_CONFIG = PACKAGE + ".TrainingConfig";
  public static final String SGD = PACKAGE + ".Sgd";
  public static final String COSINE_DECAY = PACKAGE + ".CosineDecay";
  public static final String STEP_DECAY = PACKAGE + ".StepDecay";
  public static final String MULTI_STEP_DECAY = PACKAGE + ".MultiStepDecay";
  public static final String EXPONENTIAL_DECAY = PACKAGE + ".ExponentialDecay";
  public static final String LINEAR_DECAY = PACKAGE + ".LinearDecay";
  public static final String POLYNOMIAL_DECAY = PACKAGE + ".PolynomialDecay";
  public static final String COSINE_RESTARTS = PACKAGE + ".CosineRestarts";
  public static final String ONE_CYCLE = PACKAGE + ".OneCycle";
  public static final String REDUCE_ON_PLATEAU = PACKAGE + ".ReduceOnPlateau";
  public static final String WARMUP = PACKAGE + ".Warmup";
  public static final String CLIP_GRAD_NORM = PACKAGE + ".ClipGradNorm";
  public static final String L2 = PACKAGE + ".L2";
  public static final String L1 = PACKAGE + ".L1";
  public static final String WEIGHT_DECAY = PACKAGE + ".WeightDecay";
  public static final String FROZEN = PACKAGE + ".Frozen";
  public static final String LEARNING_RATE_SCALE = PACKAGE + ".LearningRateScale";
  public static final String FREEZE = PACKAGE + ".Freeze";
  public static final String CLIP_GRAD_VALUE = PACKAGE + ".ClipGradValue";
  public static final String ADAM = PACKAGE + ".Adam";
  public static final String ADAM_W = PACKAGE + ".AdamW";
  public static final String RMS_PROP = PACKAGE + ".RmsProp";
  public static final String PRUNE = PACKAGE + ".Prune";
  public static final String DISTILL = PACKAGE + ".Distill";
}
