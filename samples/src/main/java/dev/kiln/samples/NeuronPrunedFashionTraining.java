package dev.kiln.samples;

import dev.kiln.dsl.ClipGradNorm;
import dev.kiln.dsl.CosineDecay;
import dev.kiln.dsl.L2;
import dev.kiln.dsl.Loss;
import dev.kiln.dsl.Prune;
import dev.kiln.dsl.PruneScope;
import dev.kiln.dsl.PruneStructure;
import dev.kiln.dsl.Sgd;
import dev.kiln.dsl.TrainingConfig;

/**
 * {@link FashionTraining} with structured pruning: half of the units of each hidden layer of
 * {@link FashionMlp} (those whose weight columns have the smallest L2 norm) are removed on the same
 * schedule as {@link PrunedFashionTraining}. The output layer's ten units are never removed. After
 * training, the trainer's {@code compact()} gives a 784-128-128-10 network.
 */
@TrainingConfig(model = FashionMlp.class, loss = Loss.SOFTMAX_CROSS_ENTROPY,
    batchSize = 128, epochs = 10, seed = 42)
@Sgd(learningRate = 0.1, momentum = 0.9)
@CosineDecay(minimum = 1e-3) // over the whole run (steps = AUTO), whatever its length
@ClipGradNorm(maxNorm = 1.0)
@L2(1e-4)
@Prune(finalSparsity = 0.5, beginFraction = 0.1, endFraction = 0.7, frequency = 100,
    scope = PruneScope.PER_LAYER, structure = PruneStructure.NEURONS)
public interface NeuronPrunedFashionTraining {}
