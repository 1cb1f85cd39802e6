package dev.kiln.benchmarks;

import static dev.kiln.dsl.ActivationFunction.RELU;

import dev.kiln.dsl.Activation;
import dev.kiln.dsl.BatchNorm;
import dev.kiln.dsl.Dense;
import dev.kiln.dsl.Layer;
import dev.kiln.dsl.Model;

/** The reference network made four times wider: 784-1024-BN-ReLU-1024-BN-ReLU-10. */
@Model(inputs = 784)
public abstract class WideMlp {
  @Dense(1024) @BatchNorm @Activation(RELU) Layer hidden1;
  @Dense(1024) @BatchNorm @Activation(RELU) Layer hidden2;
  @Dense(10) Layer logits;
}
