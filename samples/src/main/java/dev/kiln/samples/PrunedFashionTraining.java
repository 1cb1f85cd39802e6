package dev.kiln.samples;

import dev.kiln.dsl.ClipGradNorm;
import dev.kiln.dsl.CosineDecay;
import dev.kiln.dsl.L2;
import dev.kiln.dsl.Loss;
import dev.kiln.dsl.Prune;
import dev.kiln.dsl.Sgd;
import dev.kiln.dsl.TrainingConfig;

/**
 * {@link FashionTraining} with gradual magnitude pruning to 90% global sparsity: every dense
 * weight of {@link FashionMlp} is ranked together, and the sparsity rises on Zhu and Gupta's cubic
 * schedule from the end of epoch 1 (step 469) to the end of epoch 7 (step 3283), masks updated
 * every 100 steps; the last three epochs fine-tune the 10% of weights that remain.
 */
@TrainingConfig(model = FashionMlp.class, loss = Loss.SOFTMAX_CROSS_ENTROPY,
    batchSize = 128, epochs = 10, seed = 42)
@Sgd(learningRate = 0.1, momentum = 0.9)
@CosineDecay(minimum = 1e-3) // over the whole run (steps = AUTO), whatever its length
@ClipGradNorm(maxNorm = 1.0)
@L2(1e-4)
@Prune(finalSparsity = 0.9, beginStep = 469, endStep = 3283, frequency = 100)
public interface PrunedFashionTraining {}
