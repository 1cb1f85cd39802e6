package dev.kiln.samples.gpt;

import dev.kiln.dsl.AdamW;
import dev.kiln.dsl.ClipGradNorm;
import dev.kiln.dsl.ClipScope;
import dev.kiln.dsl.CosineDecay;
import dev.kiln.dsl.Loss;
import dev.kiln.dsl.Sgd;
import dev.kiln.dsl.TrainingConfig;

/** The training configurations of the GPT tests, on {@link TinyGpt} and {@link FrozenGpt}. */
final class Configs {
  private Configs() {}

  /** As {@code CharGptTraining} without the warm-up: AdamW, cosine decay, global clipping. */
  @TrainingConfig(model = TinyGpt.class, loss = Loss.SOFTMAX_CROSS_ENTROPY, batchSize = 8,
      epochs = 3, seed = 7)
  @AdamW(learningRate = 3e-3, beta2 = 0.99, weightDecay = 0.1)
  @CosineDecay(minimum = 3e-4)
  @ClipGradNorm(maxNorm = 1.0)
  interface TinyGptTraining {}

  /** Plain SGD on batches of 8: the reference of accumulation. */
  @TrainingConfig(model = TinyGpt.class, loss = Loss.SOFTMAX_CROSS_ENTROPY, batchSize = 8,
      epochs = 1, seed = 7)
  @Sgd(learningRate = 0.5)
  interface WholeBatchTraining {}

  /** The same SGD on 2 accumulated micro-batches of 4. */
  @TrainingConfig(model = TinyGpt.class, loss = Loss.SOFTMAX_CROSS_ENTROPY, batchSize = 4,
      epochs = 1, seed = 7, accumulationSteps = 2)
  @Sgd(learningRate = 0.5)
  interface AccumulatedTraining {}

  /** SGD at rate 1 with each layer's gradient clipped to norm 1e-3 on its own. */
  @TrainingConfig(model = TinyGpt.class, loss = Loss.SOFTMAX_CROSS_ENTROPY, batchSize = 8,
      epochs = 1, seed = 7)
  @Sgd(learningRate = 1.0)
  @ClipGradNorm(maxNorm = 1e-3, scope = ClipScope.PER_LAYER)
  interface PerLayerClipTraining {}

  /** AdamW on the model with frozen feed-forward {@code up} layers. */
  @TrainingConfig(model = FrozenGpt.class, loss = Loss.SOFTMAX_CROSS_ENTROPY, batchSize = 8,
      epochs = 1, seed = 7)
  @AdamW(learningRate = 3e-3, weightDecay = 0.1)
  @ClipGradNorm(maxNorm = 1.0)
  interface FrozenTraining {}
}
