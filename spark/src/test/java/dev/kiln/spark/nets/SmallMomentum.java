package dev.kiln.spark.nets;

import dev.kiln.dsl.CosineDecay;
import dev.kiln.dsl.L2;
import dev.kiln.dsl.Loss;
import dev.kiln.dsl.Sgd;
import dev.kiln.dsl.TrainingConfig;

/** SGD with Nesterov momentum, cosine decay over the run (global steps) and L2: all linear. */
@TrainingConfig(model = SmallMlp.class, loss = Loss.SOFTMAX_CROSS_ENTROPY, batchSize = 16,
    epochs = 3, seed = 7)
@Sgd(learningRate = 0.1, momentum = 0.9, nesterov = true)
@CosineDecay(minimum = 1e-3)
@L2(1e-3)
public interface SmallMomentum {}
