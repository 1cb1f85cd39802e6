package dev.kiln.spark.nets;

import dev.kiln.dsl.Adam;
import dev.kiln.dsl.CosineDecay;
import dev.kiln.dsl.Loss;
import dev.kiln.dsl.TrainingConfig;

/** Adam with cosine decay on the dropout network: moments, step counts, schedule, generator. */
@TrainingConfig(model = DropoutMlp.class, loss = Loss.SOFTMAX_CROSS_ENTROPY, batchSize = 8,
    epochs = 3, seed = 11)
@Adam(learningRate = 0.01)
@CosineDecay(minimum = 1e-4)
public interface DropoutAdam {}
