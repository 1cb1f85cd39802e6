package dev.kiln.samples;

import static dev.kiln.dsl.ActivationFunction.RELU;

import dev.kiln.dsl.Activation;
import dev.kiln.dsl.BatchNorm;
import dev.kiln.dsl.Dense;
import dev.kiln.dsl.Layer;
import dev.kiln.dsl.Model;

/**
 * A wide teacher for distillation: 784-1024-BN-ReLU-1024-BN-ReLU-10 (1.9 million parameters,
 * about 16 times the reference MLP's multiply-adds).
 */
@Model(inputs = 784)
public abstract class TeacherMlp {
  @Dense(1024) @BatchNorm @Activation(RELU) Layer hidden1;
  @Dense(1024) @BatchNorm @Activation(RELU) Layer hidden2;
  @Dense(10) Layer logits;
}
