/* Losses with their gradients (see kiln.h). */

#include "kiln.h"

#include <math.h>
#include <stddef.h>

/*
 * Mean softmax cross-entropy with label smoothing and its gradient (Kernels.softmaxCrossEntropy):
 * the same formulas and order in double, with the C library's exp and log, which may differ from
 * Java's Math.exp and Math.log in the last bit, and the probabilities as exp(z - max) / sum
 * (one exp per logit) instead of exp(z - logSumExp): the loss agrees with the Java loop to a few
 * units in the last place of a double, the float gradient to one float step.
 */
CLONES double kiln_softmax_cross_entropy(const float *restrict z, const float *restrict y,
    int n, int classes, double smoothing, float *restrict g) {
  double uniform = smoothing / classes;
  double total = 0;
  for (int r = 0; r < n; r++) {
    const float *zr = z + (size_t) r * classes;
    const float *yr = y + (size_t) r * classes;
    float *gr = g + (size_t) r * classes;
    double max = -INFINITY;
    for (int j = 0; j < classes; j++) {
      double v = zr[j];
      max = (v != v || max != max) ? NAN : (v > max ? v : max); /* Math.max: NaN wins */
    }
    /* exp(z - max) once per logit where the row fits on the stack; p = e / sum then. */
    double e[classes <= 1024 ? classes : 1];
    int cached = classes <= 1024;
    double sum_exp = 0;
    for (int j = 0; j < classes; j++) {
      double v = exp(zr[j] - max);
      if (cached) e[j] = v;
      sum_exp += v;
    }
    double log_sum_exp = max + log(sum_exp);
    double target_mass = 0;
    for (int j = 0; j < classes; j++) {
      double q = (1 - smoothing) * yr[j] + uniform;
      target_mass += q;
      total -= q * (zr[j] - log_sum_exp);
    }
    for (int j = 0; j < classes; j++) {
      double q = (1 - smoothing) * yr[j] + uniform;
      double p = cached ? e[j] / sum_exp : exp(zr[j] - log_sum_exp);
      gr[j] = (float) ((p * target_mass - q) / n);
    }
  }
  return total / n;
}
