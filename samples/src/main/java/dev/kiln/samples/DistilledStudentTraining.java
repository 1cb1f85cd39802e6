package dev.kiln.samples;

import dev.kiln.dsl.ClipGradNorm;
import dev.kiln.dsl.CosineDecay;
import dev.kiln.dsl.Distill;
import dev.kiln.dsl.L2;
import dev.kiln.dsl.Loss;
import dev.kiln.dsl.Sgd;
import dev.kiln.dsl.TrainingConfig;

/**
 * {@link StudentTraining} with knowledge distillation from a trained {@link TeacherMlp}: the loss
 * is {@code 0.9·4²·KL(softmax(t/4) ‖ softmax(s/4)) + 0.1·CE(s, y)}. Same epochs, seed, optimizer
 * and schedule as the baseline, so the difference is the teacher alone.
 */
@TrainingConfig(model = StudentMlp.class, loss = Loss.SOFTMAX_CROSS_ENTROPY,
    batchSize = 128, epochs = 10, seed = 42)
@Sgd(learningRate = 0.1, momentum = 0.9)
@CosineDecay(minimum = 1e-3)
@ClipGradNorm(maxNorm = 1.0)
@L2(1e-4)
@Distill(teacher = TeacherMlp.class, temperature = 4.0, alpha = 0.9)
public interface DistilledStudentTraining {}
