package dev.kiln.spark.nets;

import dev.kiln.dsl.Loss;
import dev.kiln.dsl.Sgd;
import dev.kiln.dsl.TrainingConfig;

/** SGD with momentum on the batch-norm network. */
@TrainingConfig(model = SmallBnMlp.class, loss = Loss.SOFTMAX_CROSS_ENTROPY, batchSize = 16,
    epochs = 1, seed = 7)
@Sgd(learningRate = 0.1, momentum = 0.9)
public interface SmallBnSgd {}
