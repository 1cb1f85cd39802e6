package dev.kiln.samples;

import static dev.kiln.dsl.ActivationFunction.RELU;

import dev.kiln.dsl.Activation;
import dev.kiln.dsl.Dense;
import dev.kiln.dsl.Layer;
import dev.kiln.dsl.Model;

/** A small student for distillation: 784-64-ReLU-10 (51 thousand parameters). */
@Model(inputs = 784)
public abstract class StudentMlp {
  @Dense(64) @Activation(RELU) Layer hidden;
  @Dense(10) Layer logits;
}
