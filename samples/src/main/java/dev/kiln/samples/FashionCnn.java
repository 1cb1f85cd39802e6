package dev.kiln.samples;

import static dev.kiln.dsl.ActivationFunction.RELU;

import dev.kiln.dsl.Activation;
import dev.kiln.dsl.BatchNorm;
import dev.kiln.dsl.Conv2d;
import dev.kiln.dsl.Dense;
import dev.kiln.dsl.Dropout;
import dev.kiln.dsl.Layer;
import dev.kiln.dsl.MaxPool;
import dev.kiln.dsl.Model;

/**
 * The reference convolutional network for Fashion-MNIST, the same network as the PyTorch peer of
 * the CNN benchmark ({@code benchmarks/pytorch/cnn_peer.py}). Images come in as {@code [1, 28,
 * 28]} (fed as rows of 784 pixels in NCHW order):
 *
 * <pre>
 * conv1   Conv2d(1 -&gt; 32, 3x3, padding 1)  BatchNorm  ReLU  MaxPool(2)  [32, 14, 14]
 * conv2   Conv2d(32 -&gt; 64, 3x3, padding 1) BatchNorm  ReLU  MaxPool(2)  [64, 7, 7]
 * hidden  Dense(3136 -&gt; 128)  ReLU  Dropout(0.25)                      [128]
 * logits  Dense(128 -&gt; 10)                                            [10]
 * </pre>
 *
 * <p>The batch norms after the convolutions are per channel (PyTorch's {@code BatchNorm2d}).
 */
@Model(inputs = {1, 28, 28})
public abstract class FashionCnn {
  @Conv2d(filters = 32, kernel = 3, padding = 1) @BatchNorm @Activation(RELU) @MaxPool(size = 2)
  Layer conv1;

  @Conv2d(filters = 64, kernel = 3, padding = 1) @BatchNorm @Activation(RELU) @MaxPool(size = 2)
  Layer conv2;

  @Dense(128) @Activation(RELU) @Dropout(0.25) Layer hidden;
  @Dense(10) Layer logits;
}
