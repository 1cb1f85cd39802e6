package dev.kiln.samples;

import dev.kiln.dsl.ClipGradNorm;
import dev.kiln.dsl.CosineDecay;
import dev.kiln.dsl.L2;
import dev.kiln.dsl.Loss;
import dev.kiln.dsl.Sgd;
import dev.kiln.dsl.TrainingConfig;

/**
 * How {@link FashionMlp} is trained: SGD with momentum 0.9, cosine decay over the 10 epochs of
 * 469 batches (60,000 / 128, rounded up), global-norm clipping at 1 and L2 1e-4 on the weights.
 */
@TrainingConfig(model = FashionMlp.class, loss = Loss.SOFTMAX_CROSS_ENTROPY,
    batchSize = 128, epochs = 10, seed = 42)
@Sgd(learningRate = 0.1, momentum = 0.9)
@CosineDecay(steps = 4690, minimum = 1e-3)
@ClipGradNorm(maxNorm = 1.0)
@L2(1e-4)
public interface FashionTraining {}
