package dev.kiln.benchmarks;

import dev.kiln.dsl.ClipGradNorm;
import dev.kiln.dsl.CosineDecay;
import dev.kiln.dsl.L2;
import dev.kiln.dsl.Loss;
import dev.kiln.dsl.Sgd;
import dev.kiln.dsl.TrainingConfig;

/** {@link WideMlp} trained as the Fashion-MNIST sample is, at batch size 32. */
@TrainingConfig(model = WideMlp.class, loss = Loss.SOFTMAX_CROSS_ENTROPY,
    batchSize = 32, epochs = 10, seed = 42)
@Sgd(learningRate = 0.1, momentum = 0.9)
@CosineDecay(steps = 4690, minimum = 1e-3)
@ClipGradNorm(maxNorm = 1.0)
@L2(1e-4)
public interface WideBatch32 {}
