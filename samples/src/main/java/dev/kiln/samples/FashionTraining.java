package dev.kiln.samples;

import dev.kiln.dsl.ClipGradNorm;
import dev.kiln.dsl.CosineDecay;
import dev.kiln.dsl.L2;
import dev.kiln.dsl.Loss;
import dev.kiln.dsl.Sgd;
import dev.kiln.dsl.TrainingConfig;

/**
 * How {@link FashionMlp} is trained: SGD with momentum 0.9, cosine decay over the whole run (its
 * length is {@code AUTO}: 10 epochs × 469 batches = 4,690 steps on the full data, planned by
 * {@code fit}), global-norm clipping at 1 and L2 1e-4 on the weights.
 */
@TrainingConfig(model = FashionMlp.class, loss = Loss.SOFTMAX_CROSS_ENTROPY,
    batchSize = 128, epochs = 10, seed = 42)
@Sgd(learningRate = 0.1, momentum = 0.9)
@CosineDecay(minimum = 1e-3)
@ClipGradNorm(maxNorm = 1.0)
@L2(1e-4)
public interface FashionTraining {}
