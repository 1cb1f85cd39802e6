package dev.kiln.samples;

import dev.kiln.dsl.Adam;
import dev.kiln.dsl.ClipGradNorm;
import dev.kiln.dsl.CosineDecay;
import dev.kiln.dsl.L2;
import dev.kiln.dsl.Loss;
import dev.kiln.dsl.TrainingConfig;

/**
 * How {@link FashionCnn} is trained, as the PyTorch peer of the CNN benchmark: Adam at 1e-3 with
 * cosine decay to 1e-5 over the whole run (its length is {@code AUTO}: 10 epochs × 469 batches =
 * 4,690 steps on the full data, planned by {@code fit}), global-norm clipping at 1 and L2 1e-4 on
 * the convolution and dense weights.
 */
@TrainingConfig(model = FashionCnn.class, loss = Loss.SOFTMAX_CROSS_ENTROPY,
    batchSize = 128, epochs = 10, seed = 42)
@Adam(learningRate = 1e-3)
@CosineDecay(minimum = 1e-5)
@ClipGradNorm(maxNorm = 1.0)
@L2(1e-4)
public interface FashionCnnTraining {}
