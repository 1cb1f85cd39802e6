package dev.kiln.spark.nets;

import static dev.kiln.dsl.ActivationFunction.TANH;

import dev.kiln.dsl.Activation;
import dev.kiln.dsl.Dense;
import dev.kiln.dsl.Layer;
import dev.kiln.dsl.Model;

/** 6-8-tanh-3 without batch norm: the exactness tests' network. */
@Model(inputs = 6)
public abstract class SmallMlp {
  @Dense(8) @Activation(TANH) Layer hidden;
  @Dense(3) Layer logits;
}
