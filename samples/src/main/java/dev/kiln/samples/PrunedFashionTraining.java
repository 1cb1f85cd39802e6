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
 * schedule from 10% of the run to 70% of it, masks updated every 100 steps; the last three tenths
 * fine-tune the 10% of weights that remain. In fractions of the run, the schedule scales with it:
 * on full Fashion-MNIST (4,690 steps) pruning runs from the end of epoch 1 (step 469) to step
 * 3282, and the CLI's embedded subset (470 steps) prunes from step 47 to step 328.
 */
@TrainingConfig(model = FashionMlp.class, loss = Loss.SOFTMAX_CROSS_ENTROPY,
    batchSize = 128, epochs = 10, seed = 42)
@Sgd(learningRate = 0.1, momentum = 0.9)
@CosineDecay(minimum = 1e-3) // over the whole run (steps = AUTO), whatever its length
@ClipGradNorm(maxNorm = 1.0)
@L2(1e-4)
@Prune(finalSparsity = 0.9, beginFraction = 0.1, endFraction = 0.7, frequency = 100)
public interface PrunedFashionTraining {}
