package dev.kiln.spark.nets;

import dev.kiln.dsl.Loss;
import dev.kiln.dsl.Sgd;
import dev.kiln.dsl.TrainingConfig;

/** Plain SGD, no momentum; batch 16 so one trainer can take the two workers' 2 × 8 rows. */
@TrainingConfig(model = SmallMlp.class, loss = Loss.SOFTMAX_CROSS_ENTROPY, batchSize = 16,
    epochs = 2, seed = 7)
@Sgd(learningRate = 0.2)
public interface SmallSgd {}
