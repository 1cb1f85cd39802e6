package dev.kiln.runtime.train;

import dev.kiln.runtime.ops.LossKind;
import dev.kiln.runtime.tensor.Tensor;

import java.nio.FloatBuffer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Accumulates an {@link Evaluation} over chunks of at most {@link #CHUNK} samples: the mean loss
 * and accuracy with Kiln's loss kernels, the per-class report with ND4J's {@link
 * org.nd4j.evaluation.classification.Evaluation}. Allocates per chunk, not per sample.
 */
final class Evaluator {
  static final int CHUNK = 1000;

  private final Trainer trainer;
  private final LossKind loss;
  private final double labelSmoothing;
  private final int classes;
  private final Tensor labels;
  private final Tensor scratch;
  private final org.nd4j.evaluation.classification.Evaluation report;
  private double lossSum;
  private long correct;
  private int samples;

  Evaluator(Trainer trainer, LossKind loss, double labelSmoothing, int classes) {
    this.trainer = trainer;
    this.loss = loss;
    this.labelSmoothing = labelSmoothing;
    this.classes = classes;
    this.labels = Tensor.zeros(CHUNK, classes);
    this.scratch = Tensor.zeros(CHUNK, classes);
    this.report = classes == 1 ? new org.nd4j.evaluation.classification.Evaluation(0.5)
        : new org.nd4j.evaluation.classification.Evaluation(classes);
  }

  /**
   * Adds {@code n ≤ CHUNK} samples: features {@code [n, inputs]}, and their labels, {@code n *
   * classes} floats of {@code labelSource} from {@code labelOffset}.
   */
  void add(INDArray features, FloatBuffer labelSource, int labelOffset, int n) {
    INDArray outputs = trainer.predict(features);
    Tensor out = Tensor.isContiguousRowMajor(outputs) && outputs.offset() == 0
        ? Tensor.wrap(outputs) : Tensor.wrap(outputs.dup('c'));
    labels.data().put(0, labelSource, labelOffset, n * classes);
    lossSum += loss.mean(out, labels, n, classes, labelSmoothing, scratch) * n;
    for (int r = 0; r < n; r++) {
      if (loss.correct(out, labels, r, classes)) {
        correct++;
      }
    }
    INDArray labelRows = labels.array().get(NDArrayIndex.interval(0, n), NDArrayIndex.all());
    INDArray predicted = outputs;
    if (classes == 1 && loss == LossKind.SIGMOID_BINARY_CROSS_ENTROPY) {
      predicted = Transforms.sigmoid(outputs, true);
    }
    report.eval(labelRows.dup('c'), predicted);
    samples += n;
  }

  Evaluation result() {
    if (samples == 0) {
      throw new IllegalArgumentException("no samples to evaluate");
    }
    return new Evaluation(lossSum / samples, (double) correct / samples, samples, report);
  }
}
