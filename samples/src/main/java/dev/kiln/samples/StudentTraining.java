package dev.kiln.samples;

import dev.kiln.dsl.ClipGradNorm;
import dev.kiln.dsl.CosineDecay;
import dev.kiln.dsl.L2;
import dev.kiln.dsl.Loss;
import dev.kiln.dsl.Sgd;
import dev.kiln.dsl.TrainingConfig;

/** {@link StudentMlp} trained on the labels alone: the baseline of {@link DistilledStudentTraining}. */
@TrainingConfig(model = StudentMlp.class, loss = Loss.SOFTMAX_CROSS_ENTROPY,
    batchSize = 128, epochs = 10, seed = 42)
@Sgd(learningRate = 0.1, momentum = 0.9)
@CosineDecay(minimum = 1e-3)
@ClipGradNorm(maxNorm = 1.0)
@L2(1e-4)
public interface StudentTraining {}
