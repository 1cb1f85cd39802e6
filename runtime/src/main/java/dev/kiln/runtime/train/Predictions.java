package dev.kiln.runtime.train;

import dev.kiln.runtime.ops.LossKind;
import java.util.List;
import java.util.Objects;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What a classifier predicts for a batch: the class probabilities, the predicted class of each
 * row and its probability, and the class names where the data has them. Keras's {@code
 * model.predict} returns the probabilities (its last layer holds the softmax) and {@code
 * argmax} the classes; DL4J's {@code output} and {@code predict} do the same. A Kiln network
 * ends in logits (the loss applies the softmax), so this class applies it:
 *
 * <pre>{@code
 * Predictions p = Predictions.of(trainer, features, LossKind.SOFTMAX_CROSS_ENTROPY)
 *     .withClassNames(train.classes());
 * int c = p.predictedClass(0);          // argmax of row 0
 * String name = p.predictedName(0);     // its class name
 * INDArray probabilities = p.probabilities();   // [n, classes], rows sum to 1
 * }</pre>
 *
 * <p>With {@code SOFTMAX_CROSS_ENTROPY} the probabilities are the softmax of each row (PyTorch's
 * {@code torch.softmax(logits, dim=1)}); with {@code SIGMOID_BINARY_CROSS_ENTROPY} each output's
 * sigmoid (independent labels: the predicted class is the most probable one); {@code MSE} is not
 * a classifier and is refused.
 */
public final class Predictions {
  private final INDArray probabilities;
  private final int[] classes;
  private final List<String> classNames;

  private Predictions(INDArray probabilities, int[] classes, List<String> classNames) {
    this.probabilities = probabilities;
    this.classes = classes;
    this.classNames = classNames;
  }

  /**
   * The predictions of {@code trainer}'s network (eval mode) for {@code features}.
   *
   * @param features {@code [n, inputs]}, float32
   * @param loss the configuration's loss, which says how logits become probabilities
   * @throws IllegalArgumentException for {@code MSE} (no classes) or features of the wrong width
   */
  public static Predictions of(Trainer trainer, INDArray features, LossKind loss) {
    return ofLogits(trainer.predict(features), loss);
  }

  /**
   * The predictions for logits {@code [n, classes]} as a network's {@code predict} returns
   * them.
   *
   * @throws IllegalArgumentException for {@code MSE}, or logits that are not a matrix
   */
  public static Predictions ofLogits(INDArray logits, LossKind loss) {
    Objects.requireNonNull(logits, "logits");
    if (loss == LossKind.MSE) {
      throw new IllegalArgumentException("MSE is a regression loss: its outputs are the"
          + " predictions themselves (network.predict), there are no class probabilities");
    }
    if (logits.rank() != 2) {
      throw new IllegalArgumentException("expected logits [n, classes], got shape "
          + java.util.Arrays.toString(logits.shape()));
    }
    int n = (int) logits.size(0);
    int k = (int) logits.size(1);
    float[] z = logits.castTo(DataType.FLOAT).dup('c').data().asFloat();
    float[] p = new float[z.length];
    int[] argmax = new int[n];
    for (int r = 0; r < n; r++) {
      int o = r * k;
      if (loss == LossKind.SOFTMAX_CROSS_ENTROPY) {
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < k; c++) {
          max = Math.max(max, z[o + c]);
        }
        double sum = 0;
        for (int c = 0; c < k; c++) {
          sum += Math.exp(z[o + c] - max);
        }
        for (int c = 0; c < k; c++) {
          p[o + c] = (float) (Math.exp(z[o + c] - max) / sum);
        }
      } else {
        for (int c = 0; c < k; c++) {
          p[o + c] = (float) (1 / (1 + Math.exp(-z[o + c])));
        }
      }
      int best = 0;
      for (int c = 1; c < k; c++) {
        if (p[o + c] > p[o + best]) {
          best = c;
        }
      }
      argmax[r] = best;
    }
    return new Predictions(Nd4j.create(p, new long[] {n, k}, 'c'), argmax, List.of());
  }

  /**
   * The same predictions with class names, by class index (for example {@code
   * CsvDataset.classes()}).
   *
   * @throws IllegalArgumentException if there are not exactly as many names as classes
   */
  public Predictions withClassNames(List<String> names) {
    if (names.size() != probabilities.size(1)) {
      throw new IllegalArgumentException("expected " + probabilities.size(1) + " class names,"
          + " got " + names.size() + ": " + names);
    }
    return new Predictions(probabilities, classes, List.copyOf(names));
  }

  /** The class probabilities {@code [n, classes]}; with softmax each row sums to 1. */
  public INDArray probabilities() {
    return probabilities;
  }

  /** The predicted class of each row (the most probable; the first of equals), a copy. */
  public int[] predictedClasses() {
    return classes.clone();
  }

  /** The predicted class of {@code row}. */
  public int predictedClass(int row) {
    return classes[row];
  }

  /** The probability of the predicted class of {@code row}. */
  public double probability(int row) {
    return probabilities.getDouble(row, classes[row]);
  }

  /** The name of the predicted class of {@code row}, or its index as text without names. */
  public String predictedName(int row) {
    return className(classes[row]);
  }

  /** The name of class {@code c}, or {@code c} as text without names. */
  public String className(int c) {
    return classNames.isEmpty() ? String.valueOf(c) : classNames.get(c);
  }

  /** The rows predicted. */
  public int size() {
    return classes.length;
  }
}
