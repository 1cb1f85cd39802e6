package dev.kiln.runtime;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What every generated trainer offers, so that runtime loops ({@link Training#fit}) can drive any
 * of them. Generated trainers add typed accessors for their network.
 */
public interface Trainer {
  /**
   * One optimizer step on a batch.
   *
   * @param features {@code [n, inputs]} float32, {@code 1 ≤ n ≤ batchSize}
   * @param labels {@code [n, outputs]} float32, one-hot or soft
   * @return the batch's mean data loss (no regularization term)
   * @throws IllegalArgumentException for a wrong shape or dtype, before any state changes
   */
  float step(INDArray features, INDArray labels);

  /**
   * One optimizer step on the first {@code n} rows already written into {@link #featureBuffer()}
   * and {@link #labelBuffer()}: the path {@code fit} uses, with no copy.
   */
  float stepBuffered(int n);

  /** The trainer's own input buffer {@code [batchSize, inputs]}. */
  Tensor featureBuffer();

  /** The trainer's own label buffer {@code [batchSize, outputs]}. */
  Tensor labelBuffer();

  /** The rate the next step will use. */
  double learningRate();

  /** Optimizer steps taken so far. */
  long iteration();

  /** The global L2 norm of the last step's gradients, before clipping. */
  double lastGradientNorm();

  /** The largest batch. */
  int batchSize();

  /** Epochs {@code fit} runs, from the training configuration. */
  int epochs();

  /**
   * The fewest rows a training step accepts: 2 for a network with batch normalisation (its
   * unbiased running variance needs two samples, as PyTorch), else 1.
   */
  default int minimumRows() {
    return 1;
  }

  /** The configuration's seed. */
  long seed();

  /** Eval-mode forward pass of the trained network: {@code [n, inputs]} to {@code [n, outputs]}. */
  INDArray predict(INDArray features);
}
