package dev.kiln.spark.nets;

import static dev.kiln.dsl.ActivationFunction.RELU;

import dev.kiln.dsl.Activation;
import dev.kiln.dsl.BatchNorm;
import dev.kiln.dsl.Dense;
import dev.kiln.dsl.Dropout;
import dev.kiln.dsl.Layer;
import dev.kiln.dsl.Model;

/** 6-16-BN-ReLU-dropout-3: every kind of state (statistics, generator) for the fault tests. */
@Model(inputs = 6)
public abstract class DropoutMlp {
  @Dense(16) @BatchNorm @Activation(RELU) @Dropout(0.2) Layer hidden;
  @Dense(3) Layer logits;
}
