package dev.kiln.runtime.ops;

import dev.kiln.runtime.tensor.Tensor;
import java.nio.FloatBuffer;

/**
 * The knowledge-distillation loss of a language model (Hinton, Vinyals and Dean 2015,
 * arXiv:1503.02531) over every position of a batch of sequences, as a PyTorch user writes it for
 * logits {@code [n, T, V]} flattened to {@code rows = n·T} positions:
 *
 * <pre>
 *   α·T²·F.kl_div(F.log_softmax(s.view(-1, V)/τ, 1), F.softmax(t.view(-1, V)/τ, 1),
 *                 reduction='batchmean')
 *     + (1 − α)·F.cross_entropy(s.view(-1, V), y.view(-1))
 * </pre>
 *
 * <p>({@code τ} the temperature.) Both terms are means over the {@code rows} positions, as {@link
 * SequenceCrossEntropy}'s loss is. With {@code p = softmax(t/τ)} (the teacher, a constant) and
 * {@code q = softmax(s/τ)} the gradient with respect to the student logits is {@code (α·τ·(q − p)
 * + (1 − α)·(softmax(s) − onehot(y)))/rows}. Targets are class indices (whole numbers in {@code [0,
 * V)}), all checked before anything is written. Log-softmax subtracts the row maximum and sums in
 * double. Nothing is allocated.
 */
public final class SequenceDistillationLoss {
  private SequenceDistillationLoss() {}

  private static final String KERNEL = "sequence distillation";

  /**
   * Writes the gradient of the mean loss into {@code grad} and returns the mean loss.
   *
   * @param student student logits {@code [n, T, V]} (at least {@code rows·V} values)
   * @param teacher teacher logits, the same layout (eval mode; no gradient flows to them)
   * @param targets {@code [n, T]} next-token ids as whole numbers
   * @param rows positions {@code n·T}, at least 1
   * @param classes {@code V}, at least 1
   * @param steps {@code T}, used only to name a bad target's (sample, step); 0 if none
   * @param temperature {@code τ > 0}
   * @param alpha weight {@code α} of the teacher's term, in [0, 1]
   * @param grad output, the student's layout, overwritten; may not be {@code teacher}
   * @param terms output {@code [klTerm, ceTerm]}: the position-mean KL divergence at {@code τ}
   *     (before {@code α·τ²}) and the position-mean cross-entropy; may be null
   * @return the mean loss over the {@code rows} positions
   * @throws IllegalArgumentException for a target that is not a whole number in {@code [0, V)}
   *     (naming its position), bad sizes or a tensor smaller than its shape, before anything is
   *     written
   */
  public static double loss(Tensor student, Tensor teacher, Tensor targets, int rows,
      int classes, int steps, double temperature, double alpha, Tensor grad, double[] terms) {
    Checks.positive(KERNEL, "rows", rows);
    Checks.positive(KERNEL, "classes", classes);
    long count = (long) rows * classes;
    Checks.require(KERNEL, "student", student, count);
    Checks.require(KERNEL, "teacher", teacher, count);
    Checks.require(KERNEL, "grad", grad, count);
    Checks.require(KERNEL, "targets", targets, rows);
    if (!(temperature > 0) || !(alpha >= 0 && alpha <= 1)) {
      throw new IllegalArgumentException(KERNEL + ": expected temperature > 0 and alpha in"
          + " [0, 1], got " + temperature + " and " + alpha);
    }
    FloatBuffer y = targets.data();
    for (int r = 0; r < rows; r++) {
      Checks.index(KERNEL, "target", y.get(r), classes, r, steps);
    }
    FloatBuffer s = student.data();
    FloatBuffer t = teacher.data();
    FloatBuffer g = grad.data();
    double inverseT = 1 / temperature;
    double invRows = 1.0 / rows;
    double kl = 0;
    double ce = 0;
    for (int r = 0; r < rows; r++) {
      int base = r * classes;
      int target = (int) y.get(r);
      double maxS = Double.NEGATIVE_INFINITY;
      double maxT = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < classes; j++) {
        maxS = Math.max(maxS, s.get(base + j));
        maxT = Math.max(maxT, t.get(base + j));
      }
      double sumS = 0;
      double sumSoftS = 0;
      double sumSoftT = 0;
      for (int j = 0; j < classes; j++) {
        double sj = s.get(base + j);
        sumS += Math.exp(sj - maxS);
        sumSoftS += Math.exp((sj - maxS) * inverseT);
        sumSoftT += Math.exp((t.get(base + j) - maxT) * inverseT);
      }
      double logSumS = maxS + Math.log(sumS);
      double logSumSoftS = Math.log(sumSoftS);
      double logSumSoftT = Math.log(sumSoftT);
      ce += logSumS - s.get(base + target);
      for (int j = 0; j < classes; j++) {
        double sj = s.get(base + j);
        double logQ = (sj - maxS) * inverseT - logSumSoftS;
        double logP = (t.get(base + j) - maxT) * inverseT - logSumSoftT;
        double p = Math.exp(logP);
        kl += p * (logP - logQ);
        double soft = alpha * temperature * (Math.exp(logQ) - p);
        double softmax = Math.exp(sj - logSumS);
        double hard = (1 - alpha) * (j == target ? softmax - 1 : softmax);
        g.put(base + j, (float) ((soft + hard) * invRows));
      }
    }
    kl *= invRows;
    ce *= invRows;
    if (terms != null) {
      terms[0] = kl;
      terms[1] = ce;
    }
    return alpha * temperature * temperature * kl + (1 - alpha) * ce;
  }
}
