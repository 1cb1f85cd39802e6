package dev.kiln.spark.nets;

import static dev.kiln.dsl.ActivationFunction.RELU;

import dev.kiln.dsl.Activation;
import dev.kiln.dsl.BatchNorm;
import dev.kiln.dsl.Dense;
import dev.kiln.dsl.Layer;
import dev.kiln.dsl.Model;

/** 6-8-BN-ReLU-3: batch statistics per worker. */
@Model(inputs = 6)
public abstract class SmallBnMlp {
  @Dense(8) @BatchNorm @Activation(RELU) Layer hidden;
  @Dense(3) Layer logits;
}
