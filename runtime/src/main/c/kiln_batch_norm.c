/* Batch normalisation over the rows of [n, c], training mode (see kiln.h). */

#include "kiln.h"

#include <math.h>
#include <stddef.h>

/*
 * Batch normalisation, training mode (Kernels.batchNormForwardTrain), for the width channels
 * starting at x (rows stride floats apart). y may be x. Per-channel scratch (see bn_scratch):
 * mean and invStd are kept for the backward pass.
 */
struct bn_scratch {
  double *mean, *inv_std, *sum, *sum_sq, *shift;
  float *mean_f, *inv_std_f, *scale_f, *mean_dy_f, *mean_dy_xhat_f;
};

/* Scratch of 5·c doubles and 5·c floats, from channel j0 on. */
static struct bn_scratch bn_scratch_at(double *d, float *f, int c, long j0) {
  struct bn_scratch s = {d + j0, d + c + j0, d + 2 * c + j0, d + 3 * c + j0, d + 4 * c + j0,
      f + j0, f + c + j0, f + 2 * c + j0, f + 3 * c + j0, f + 4 * c + j0};
  return s;
}

/* The statistics of the width channels starting at x, their running averages and float copies. */
CLONES static void bn_statistics(const float *x, int n, int stride, int width, double momentum,
    double epsilon, float *restrict rm, float *restrict rv, struct bn_scratch s) {
  double *restrict mean = s.mean, *restrict inv_std = s.inv_std, *restrict sums = s.sum;
  double *restrict sums_sq = s.sum_sq, *restrict shifts = s.shift;
  float *restrict mean_f = s.mean_f, *restrict inv_std_f = s.inv_std_f;
  /* Accumulators on the stack, BLOCK channels at a time: private to the thread (the scratch is
     shared with the other slices' threads and only 16-byte aligned). */
  for (int j0 = 0; j0 < width; j0 += BLOCK) {
    int m = width - j0 < BLOCK ? width - j0 : BLOCK;
    double shift[BLOCK], sum[BLOCK], sum_sq[BLOCK];
    for (int j = 0; j < m; j++) {
      shift[j] = x[j0 + j];
      sum[j] = 0;
      sum_sq[j] = 0;
    }
    for (int r = 1; r < n; r++) {
      const float *row = x + (size_t) r * stride + j0;
      for (int j = 0; j < m; j++) {
        double v = (double) row[j] - shift[j];
        sum[j] += v;
        sum_sq[j] += v * v;
      }
    }
    for (int j = 0; j < m; j++) {
      shifts[j0 + j] = shift[j];
      sums[j0 + j] = sum[j];
      sums_sq[j0 + j] = sum_sq[j];
    }
  }
  for (int j = 0; j < width; j++) {
    double *sum = sums, *sum_sq = sums_sq, *shift = shifts;
    double t = sum[j];
    double squares = sum_sq[j] - t * t / n;
    if (!(squares > 0)) squares = squares != squares ? squares : 0; /* Math.max(0, v): NaN stays */
    double biased = squares / n;
    double unbiased = squares / (n - 1);
    mean[j] = shift[j] + t / n;
    inv_std[j] = 1.0 / sqrt(biased + epsilon);
    mean_f[j] = (float) mean[j];
    inv_std_f[j] = (float) inv_std[j];
    rm[j] = (float) ((1 - momentum) * rm[j] + momentum * mean[j]);
    rv[j] = (float) ((1 - momentum) * rv[j] + momentum * unbiased);
  }
}

/*
 * xhat = (x - mean)·invStd, y = gamma·xhat + beta for the width channels starting at x (rows
 * stride floats apart), then max(0, y) when relu (Kernels.batchNormForwardTrain with relu: the
 * same bits as a separate Kernels.relu). xhat and y may each be x (every element is read before
 * its own outputs are written).
 */
CLONES static void bn_normalize(const float *x, int rows, int stride, int width,
    const float *restrict mean_f, const float *restrict inv_std_f, const float *restrict gamma,
    const float *restrict beta, float *xhat, float *y, int relu) {
  for (int r = 0; r < rows; r++) {
    const float *xr = x + (size_t) r * stride;
    float *hr = xhat + (size_t) r * stride;
    float *yr = y + (size_t) r * stride;
    for (int j = 0; j < width; j++) {
      float h = (xr[j] - mean_f[j]) * inv_std_f[j];
      hr[j] = h;
      float v = gamma[j] * h + beta[j];
      yr[j] = relu ? relu1(v) : v;
    }
  }
}

/* The layer of a slice function, its channels [lo, hi) and their scratch s; an empty slice
   returns. */
#define CHANNEL_SLICE(layer, s, lo, hi)                                                    \
  long lo, hi;                                                                             \
  slice((layer)->c, part, parts, 16, &lo, &hi);                                            \
  if (hi <= lo) return;                                                                    \
  struct bn_scratch s = bn_scratch_at((layer)->scratch_doubles, (layer)->scratch_floats,   \
      (layer)->c, lo);

/*
 * Statistics then normalisation of one slice of channels: every value of a channel is computed by
 * the thread that owns the channel, so that one dispatch does the whole layer and the slice's
 * columns stay in that core's cache between the two passes.
 */
static void bn_forward_part(const void *p, int part, int parts) {
  const struct bn_forward *a = p;
  const struct bn_layer *l = &a->layer;
  CHANNEL_SLICE(l, s, lo, hi)
  bn_statistics(a->x + lo, l->n, l->c, (int) (hi - lo), l->momentum, l->epsilon,
      a->running_mean + lo, a->running_var + lo, s);
  bn_normalize(a->x + lo, l->n, l->c, (int) (hi - lo), s.mean_f, s.inv_std_f, a->gamma + lo,
      a->beta + lo, a->xhat + lo, a->y + lo, a->relu);
}

void kiln_batch_norm_forward(const struct bn_forward *f) {
  run(bn_forward_part, f, (long) f->layer.n * f->layer.c, MIN_PARALLEL_ELEMENTS);
}

/*
 * A dense layer's forward product cut along its inputs (kiln_dense_forward), then batch
 * normalisation (and ReLU) in the same dispatch as the partials' sum: each thread normalises the
 * channels whose sums it has just written (Kernels.denseBatchNormReluForwardTrain; the same bits
 * as the two calls).
 */
struct dense_bn_args {
  struct dense_args dense;
  struct bn_forward bn;
};

static void dense_sum_bn_part(const void *p, int part, int parts) {
  const struct dense_bn_args *a = p;
  dense_sum_part(&a->dense, part, parts);
  bn_forward_part(&a->bn, part, parts);
}

int kiln_dense_batch_norm_forward(const struct dense_layer *dense, const struct bn_forward *f) {
  struct dense_bn_args a = {.dense = {.layer = *dense}, .bn = *f};
  if (!dense_cut_along_inputs(dense->n, dense->in, dense->out, &a.dense.partials)) return 0;
  run(dense_product_part, &a.dense, LONG_MAX, 0);
  run(dense_sum_bn_part, &a, LONG_MAX, 0);
  return 1;
}

/*
 * Batch normalisation backward (Kernels.batchNormBackward), first the per-channel sums and
 * coefficients of the width channels starting at dy, with the forward pass's invStd in the
 * scratch...
 */
CLONES static void bn_gradient_sums(const float *dy, const float *act,
    const float *restrict xhat, int n, int stride, int width, const float *restrict gamma,
    float *restrict gamma_grad, float *restrict beta_grad, struct bn_scratch s) {
  double *restrict inv_std = s.inv_std, *restrict sum_dy = s.sum, *restrict sum_dy_xhat = s.sum_sq;
  float *restrict scale_f = s.scale_f, *restrict mean_dy_f = s.mean_dy_f;
  float *restrict mean_dy_xhat_f = s.mean_dy_xhat_f;
  /* Thread-private accumulators, as in bn_statistics. */
  for (int j0 = 0; j0 < width; j0 += BLOCK) {
    int m = width - j0 < BLOCK ? width - j0 : BLOCK;
    double a[BLOCK], b[BLOCK];
    for (int j = 0; j < m; j++) {
      a[j] = 0;
      b[j] = 0;
    }
    for (int r = 0; r < n; r++) {
      const float *dr = dy + (size_t) r * stride + j0;
      const float *ar = act ? act + (size_t) r * stride + j0 : dr;
      const float *hr = xhat + (size_t) r * stride + j0;
      for (int j = 0; j < m; j++) {
        double v = act ? relu_grad1(dr[j], ar[j]) : dr[j];
        a[j] += v;
        b[j] += v * hr[j];
      }
    }
    for (int j = 0; j < m; j++) {
      sum_dy[j0 + j] = a[j];
      sum_dy_xhat[j0 + j] = b[j];
    }
  }
  for (int j = 0; j < width; j++) {
    gamma_grad[j] = (float) sum_dy_xhat[j];
    beta_grad[j] = (float) sum_dy[j];
    scale_f[j] = (float) (gamma[j] * inv_std[j]);
    mean_dy_f[j] = (float) (sum_dy[j] / n);
    mean_dy_xhat_f[j] = (float) (sum_dy_xhat[j] / n);
  }
}

/*
 * ...then dx for the width channels starting at dy (rows stride floats apart). dx may be dy.
 * With act (ReLU before batch norm's backward), dy is first masked by ReLU's gradient at act,
 * the layer's output: the same bits as a separate
 * Kernels.reluBackward, whose mask is read off the pre-activation (positive exactly where the
 * output is).
 */
CLONES static void bn_input_gradient(const float *dy, const float *act,
    const float *restrict xhat, int rows, int stride, int width, const float *restrict scale_f,
    const float *restrict mean_dy_f, const float *restrict mean_dy_xhat_f, float *dx) {
  for (int r = 0; r < rows; r++) {
    const float *dr = dy + (size_t) r * stride;
    const float *ar = act ? act + (size_t) r * stride : dr;
    const float *hr = xhat + (size_t) r * stride;
    float *xr = dx + (size_t) r * stride;
    for (int j = 0; j < width; j++) {
      float d = act ? relu_grad1(dr[j], ar[j]) : dr[j];
      xr[j] = (d - mean_dy_f[j] - hr[j] * mean_dy_xhat_f[j]) * scale_f[j];
    }
  }
}

/* Sums then input gradient of one slice of channels, as bn_forward_part. */
static void bn_backward_part(const void *p, int part, int parts) {
  const struct bn_backward *a = p;
  const struct bn_layer *l = &a->layer;
  CHANNEL_SLICE(l, s, lo, hi)
  const float *act = a->act ? a->act + lo : NULL;
  bn_gradient_sums(a->dy + lo, act, a->xhat + lo, l->n, l->c, (int) (hi - lo), a->gamma + lo,
      a->gamma_grad + lo, a->beta_grad + lo, s);
  bn_input_gradient(a->dy + lo, act, a->xhat + lo, l->n, l->c, (int) (hi - lo), s.scale_f,
      s.mean_dy_f, s.mean_dy_xhat_f, a->dx + lo);
}

void kiln_batch_norm_backward(const struct bn_backward *b) {
  run(bn_backward_part, b, (long) b->layer.n * b->layer.c, MIN_PARALLEL_ELEMENTS);
}
