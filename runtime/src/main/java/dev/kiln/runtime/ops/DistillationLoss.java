package dev.kiln.runtime.ops;

import dev.kiln.runtime.tensor.Tensor;

import java.nio.FloatBuffer;

/**
 * The knowledge-distillation loss of Hinton, Vinyals and Dean (2015), "Distilling the Knowledge in
 * a Neural Network" (arXiv:1503.02531), in the form PyTorch users write it:
 *
 * <pre>
 *   α·T²·F.kl_div(F.log_softmax(s/T, 1), F.softmax(t/T, 1), reduction='batchmean')
 *     + (1 − α)·F.cross_entropy(s, y)
 * </pre>
 *
 * <p>With {@code p = softmax(t/T)} (the teacher, a constant) and {@code q = softmax(s/T)}: the
 * KL term is {@code (1/n)·Σ_rows Σ_c p·(log p − log q)} ({@code batchmean} divides by the rows
 * {@code n}, not by {@code n·C}), and the gradient with respect to the student logits is {@code
 * α·T·(q − p)/n + (1 − α)·(softmax(s)·Σq_y − q_y)/n}, where {@code q_y} is the (label-smoothed)
 * target row. The {@code T²} factor keeps the soft term's gradient scale independent of {@code T}
 * (Hinton et al., section 2). Log-softmax with the max subtracted keeps logits of any finite size
 * safe; sums are in double. Only the first {@code n} rows are read; nothing is allocated.
 */
public final class DistillationLoss {
  private DistillationLoss() {}

  /**
   * The batch-mean distillation loss; writes its gradient with respect to the student logits.
   *
   * @param student student logits {@code [batch, C]}
   * @param teacher teacher logits {@code [batch, C]} (eval mode; no gradient flows to them)
   * @param labels {@code [batch, C]} one-hot (or a distribution per row)
   * @param temperature {@code T > 0}
   * @param alpha weight {@code α} of the soft (teacher) term, in [0, 1]
   * @param labelSmoothing {@code ε} of the hard term's target {@code (1 − ε)·y + ε/C}, in [0, 1)
   * @param grad output {@code [batch, C]}, overwritten
   * @return the mean loss over the {@code n} rows
   */
  public static double loss(Tensor student, Tensor teacher, Tensor labels, int n, int classes,
      double temperature, double alpha, double labelSmoothing, Tensor grad) {
    return loss(student, teacher, labels, n, classes, temperature, alpha, labelSmoothing, grad,
        null);
  }

  /**
   * As {@link #loss(Tensor, Tensor, Tensor, int, int, double, double, double, Tensor)}, also
   * returning the two terms unweighted.
   *
   * @param terms output {@code [klTerm, ceTerm]}: the batch-mean KL divergence at temperature
   *     {@code T} (before {@code α·T²}) and the batch-mean cross-entropy; may be null
   */
  public static double loss(Tensor student, Tensor teacher, Tensor labels, int n, int classes,
      double temperature, double alpha, double labelSmoothing, Tensor grad, double[] terms) {
    FloatBuffer s = student.data();
    FloatBuffer t = teacher.data();
    FloatBuffer y = labels.data();
    FloatBuffer g = grad.data();
    double inverseT = 1 / temperature;
    double uniform = labelSmoothing / classes;
    double kl = 0;
    double ce = 0;
    for (int r = 0; r < n; r++) {
      int row = r * classes;
      double maxS = Double.NEGATIVE_INFINITY;
      double maxT = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < classes; j++) {
        maxS = Math.max(maxS, s.get(row + j));
        maxT = Math.max(maxT, t.get(row + j));
      }
      double sumS = 0;
      double sumSoftS = 0;
      double sumSoftT = 0;
      for (int j = 0; j < classes; j++) {
        double sj = s.get(row + j);
        sumS += Math.exp(sj - maxS);
        sumSoftS += Math.exp((sj - maxS) * inverseT);
        sumSoftT += Math.exp((t.get(row + j) - maxT) * inverseT);
      }
      double logSumS = maxS + Math.log(sumS);
      double logSumSoftS = Math.log(sumSoftS);
      double logSumSoftT = Math.log(sumSoftT);
      double targetMass = 0;
      for (int j = 0; j < classes; j++) {
        targetMass += (1 - labelSmoothing) * y.get(row + j) + uniform;
      }
      for (int j = 0; j < classes; j++) {
        double sj = s.get(row + j);
        double logQ = (sj - maxS) * inverseT - logSumSoftS;
        double logP = (t.get(row + j) - maxT) * inverseT - logSumSoftT;
        double p = Math.exp(logP);
        double q = Math.exp(logQ);
        kl += p * (logP - logQ);
        double target = (1 - labelSmoothing) * y.get(row + j) + uniform;
        double logSoftmax = sj - logSumS;
        ce -= target * logSoftmax;
        double soft = alpha * temperature * (q - p);
        double hard = (1 - alpha) * (Math.exp(logSoftmax) * targetMass - target);
        g.put(row + j, (float) ((soft + hard) / n));
      }
    }
    kl /= n;
    ce /= n;
    if (terms != null) {
      terms[0] = kl;
      terms[1] = ce;
    }
    return alpha * temperature * temperature * kl + (1 - alpha) * ce;
  }
}
