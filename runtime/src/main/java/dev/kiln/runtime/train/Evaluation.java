package dev.kiln.runtime.train;

/**
 * Loss, accuracy and the per-class classification report of a network in eval mode on a
 * dataset.
 *
 * <p>The per-class figures come from ND4J's own {@link
 * org.nd4j.evaluation.classification.Evaluation} (DL4J's evaluation class), fed with every
 * sample's label and output: the predicted class is the arg-max of the outputs (for a single
 * output, the side of 0.5 of its probability). Where a class was never predicted, its precision
 * is 0 (ND4J's edge value), as scikit-learn's {@code zero_division=0}.
 *
 * @param loss mean data loss per sample
 * @param accuracy fraction of samples whose arg-max output matches the arg-max label, in [0, 1]
 * @param samples samples evaluated
 * @param classification ND4J's classification counts, or null where not computed
 */
public record Evaluation(double loss, double accuracy, int samples,
    org.nd4j.evaluation.classification.Evaluation classification) {
  /** Loss and accuracy without the per-class report. */
  public Evaluation(double loss, double accuracy, int samples) {
    this(loss, accuracy, samples, null);
  }

  /** Number of classes of the report (2 for a single binary output). */
  public int classCount() {
    org.nd4j.evaluation.classification.ConfusionMatrix<Integer> m =
        report().getConfusionMatrix();
    return m == null ? 0 : m.getClasses().size();
  }

  /** Precision of class {@code c}: true positives / predicted positives (0 if none predicted). */
  public double precision(int c) {
    return report().precision(c);
  }

  /** Recall of class {@code c}: true positives / actual positives (0 if none present). */
  public double recall(int c) {
    return report().recall(c);
  }

  /** F1 of class {@code c}: the harmonic mean of its precision and recall. */
  public double f1(int c) {
    return report().f1(c);
  }

  /** The unweighted mean of the per-class F1 ({@code average="macro"} in scikit-learn). */
  public double macroF1() {
    return report().f1(org.nd4j.evaluation.EvaluationAveraging.Macro);
  }

  /**
   * The confusion matrix {@code [actual][predicted]}: element {@code [a][p]} counts the samples
   * of class {@code a} predicted as {@code p}. A new array on each call.
   */
  public int[][] confusionMatrix() {
    org.nd4j.evaluation.classification.ConfusionMatrix<Integer> m =
        report().getConfusionMatrix();
    int k = classCount();
    int[][] counts = new int[k][k];
    for (int a = 0; a < k; a++) {
      for (int p = 0; p < k; p++) {
        counts[a][p] = m.getCount(a, p);
      }
    }
    return counts;
  }

  /** ND4J's text report: accuracy, precision, recall, F1 and the confusion matrix. */
  public String stats() {
    return report().stats();
  }

  private org.nd4j.evaluation.classification.Evaluation report() {
    if (classification == null) {
      throw new IllegalStateException("this evaluation has no per-class report");
    }
    return classification;
  }
}
