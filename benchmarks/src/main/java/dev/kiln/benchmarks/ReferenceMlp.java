package dev.kiln.benchmarks;

import static dev.kiln.dsl.ActivationFunction.RELU;

import dev.kiln.dsl.Activation;
import dev.kiln.dsl.BatchNorm;
import dev.kiln.dsl.Dense;
import dev.kiln.dsl.Layer;
import dev.kiln.dsl.Model;

/** The reference network of DESIGN.md: 784-256-BN-ReLU-256-BN-ReLU-10. */
@Model(inputs = 784)
public abstract class ReferenceMlp {
  @Dense(256) @BatchNorm @Activation(RELU) Layer hidden1;
  @Dense(256) @BatchNorm @Activation(RELU) Layer hidden2;
  @Dense(10) Layer logits;
}
