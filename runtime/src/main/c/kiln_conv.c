/*
 * Convolution kernels (see kiln.h): the convolution lowered to products and cut over the threads
 * by samples, batch normalisation per channel of [n, C, H, W] cut by channels, and 2x2 max
 * pooling with ReLU cut by planes. The Java twins are in backend.java (JavaConvolution,
 * JavaBatchNorm2d, JavaMaxPool2x2); batch norm and pooling give the same bits as they do, the
 * convolution the same bits on one thread (the same products in the same order).
 */

#include "kiln.h"

#include <math.h>
#include <string.h>

/* Floats rounded up to 64 bytes, so that per-thread regions never share a cache line. */
static inline long line_floats(long floats) {
  return (floats + 15) / 16 * 16;
}

static inline int conv_patch(const struct conv_layer *l) {
  return l->c * l->kh * l->kw;
}

/* The first output column whose window's column kj lies inside the input (ConvShape). */
static inline int first_valid_column(const struct conv_layer *l, int kj) {
  int num = l->pw - kj; /* ceil(num / sw) with floor division for negatives */
  int lo = num >= 0 ? (num + l->sw - 1) / l->sw : -((-num) / l->sw);
  if (lo > l->ow) lo = l->ow;
  return lo < 0 ? 0 : lo;
}

/* One past the last output column whose window's column kj lies inside the input. */
static inline int end_valid_column(const struct conv_layer *l, int kj) {
  int num = l->w - 1 + l->pw - kj;
  int hi = (num >= 0 ? num / l->sw : -((-num + l->sw - 1) / l->sw)) + 1;
  if (hi > l->ow) hi = l->ow;
  int lo = first_valid_column(l, kj);
  return hi < lo ? lo : hi;
}

/* Multiply-adds of the forward products of n samples: below MIN_PARALLEL_MULTIPLY_ADDS a pass
   runs on the calling thread (waking a worker costs more). */
static long conv_multiply_adds(const struct conv_layer *l, int n) {
  return (long) n * l->out * conv_patch(l) * l->oh * l->ow;
}

/* Floats one thread's columns (and grouped product) take for groups of up to group samples. */
static long group_floats(const struct conv_layer *l, int group) {
  long columns = (long) group * l->oh * l->ow;
  return conv_patch(l) * columns + (group > 1 ? (long) l->out * columns : 0);
}

long kiln_conv_thread_floats(const struct conv_layer *l, int n) {
  int fg = l->forward_group < n ? l->forward_group : n;
  int bg = l->backward_group < n ? l->backward_group : n;
  long f = group_floats(l, fg), b = group_floats(l, bg);
  return line_floats(f > b ? f : b);
}

/*
 * Im2col.im2col: the columns [C·kh·kw, outH·outW] of one sample into col (rows ld apart), 0 in
 * the padding. Stride-1 rows are copies.
 */
static void im2col(const struct conv_layer *l, const float *restrict x, float *restrict col,
    long ld) {
  int oh_n = l->oh, ow_n = l->ow, sw = l->sw, in_plane = l->h * l->w;
  int row = 0;
  for (int c = 0; c < l->c; c++) {
    const float *plane = x + (long) c * in_plane;
    for (int i = 0; i < l->kh; i++) {
      for (int j = 0; j < l->kw; j++, row++) {
        int lo = first_valid_column(l, j), hi = end_valid_column(l, j);
        float *r = col + row * ld;
        for (int oh = 0; oh < oh_n; oh++) {
          float *dst = r + (long) oh * ow_n;
          int ih = oh * l->sh - l->ph + i;
          if (ih < 0 || ih >= l->h || lo == hi) {
            memset(dst, 0, sizeof(float) * ow_n);
            continue;
          }
          memset(dst, 0, sizeof(float) * lo);
          const float *src = plane + (long) ih * l->w + (long) lo * sw - l->pw + j;
          if (sw == 1) {
            memcpy(dst + lo, src, sizeof(float) * (hi - lo));
          } else {
            for (int ow = lo; ow < hi; ow++, src += sw) dst[ow] = *src;
          }
          memset(dst + hi, 0, sizeof(float) * (ow_n - hi));
        }
      }
    }
  }
}

/*
 * Im2col.col2im: overwrites the sample dx with the sum of every column entry at the input element
 * it was copied from (entries in the padding dropped), in Im2col's order.
 */
static void col2im(const struct conv_layer *l, const float *restrict col, long ld,
    float *restrict dx) {
  int oh_n = l->oh, ow_n = l->ow, sw = l->sw, in_plane = l->h * l->w;
  memset(dx, 0, sizeof(float) * (long) l->c * in_plane);
  int row = 0;
  for (int c = 0; c < l->c; c++) {
    float *plane = dx + (long) c * in_plane;
    for (int i = 0; i < l->kh; i++) {
      for (int j = 0; j < l->kw; j++, row++) {
        int lo = first_valid_column(l, j), hi = end_valid_column(l, j);
        const float *r = col + row * ld;
        for (int oh = 0; oh < oh_n; oh++) {
          int ih = oh * l->sh - l->ph + i;
          if (ih < 0 || ih >= l->h) continue;
          const float *src = r + (long) oh * ow_n;
          float *dst = plane + (long) ih * l->w + (long) lo * sw - l->pw + j;
          if (sw == 1) {
            for (int ow = lo; ow < hi; ow++) dst[ow - lo] += src[ow];
          } else {
            for (int ow = lo; ow < hi; ow++, dst += sw) *dst += src[ow];
          }
        }
      }
    }
  }
}

/* Adds bias[o] to channel o of one sample [out, plane]. */
static void add_bias(float *restrict y, const float *restrict bias, int out, long plane) {
  for (int o = 0; o < out; o++) {
    float b = bias[o];
    float *r = y + o * plane;
    for (long i = 0; i < plane; i++) r[i] += b;
  }
}

struct conv_args {
  const struct conv_layer *l;
  const float *x, *w, *bias, *dy;
  float *y, *weight_grad, *dx, *work;
  int n;
  long thread_floats, partial_floats;
};

/*
 * The forward pass of the samples of one thread: groups of forward_group samples lowered into the
 * thread's columns, one product each (straight into y for one sample), then the bias.
 */
static void conv_forward_part(const void *p, int part, int parts) {
  const struct conv_args *a = p;
  const struct conv_layer *l = a->l;
  long lo, hi;
  slice(a->n, part, parts, 1, &lo, &hi);
  int patch = conv_patch(l), out = l->out;
  long plane = (long) l->oh * l->ow, in_sample = (long) l->c * l->h * l->w;
  long out_sample = out * plane;
  int max_g = l->forward_group < a->n ? l->forward_group : a->n;
  float *col = a->work + part * a->thread_floats;
  float *product = col + patch * max_g * plane;
  for (long s = lo; s < hi; s += max_g) {
    int group = (int) (hi - s < max_g ? hi - s : max_g);
    long ld = group * plane;
    for (int j = 0; j < group; j++) im2col(l, a->x + (s + j) * in_sample, col + j * plane, ld);
    if (max_g == 1) {
      sgemm(CBLAS_ROW_MAJOR, CBLAS_NO_TRANS, CBLAS_NO_TRANS, out, (int) plane, patch, 1.0f, a->w,
          patch, col, (int) plane, 0.0f, a->y + s * out_sample, (int) plane);
      if (a->bias != NULL) add_bias(a->y + s * out_sample, a->bias, out, plane);
      continue;
    }
    sgemm(CBLAS_ROW_MAJOR, CBLAS_NO_TRANS, CBLAS_NO_TRANS, out, (int) ld, patch, 1.0f, a->w,
        patch, col, (int) ld, 0.0f, product, (int) ld);
    for (int j = 0; j < group; j++) {
      float *y = a->y + (s + j) * out_sample;
      for (int o = 0; o < out; o++) {
        memcpy(y + o * plane, product + o * ld + j * plane, sizeof(float) * plane);
      }
      if (a->bias != NULL) add_bias(y, a->bias, out, plane);
    }
  }
}

void kiln_conv_forward(const struct conv_layer *l, const float *x, int n, const float *w,
    const float *bias, float *y, float *work) {
  struct conv_args a = {.l = l, .x = x, .w = w, .bias = bias, .y = y, .work = work, .n = n,
      .thread_floats = kiln_conv_thread_floats(l, n)};
  run(conv_forward_part, &a, conv_multiply_adds(l, n), MIN_PARALLEL_MULTIPLY_ADDS);
}

/*
 * The backward pass of the samples of one thread: per group of backward_group samples, the
 * columns again, dW += dY·colᵀ into the weight gradient (thread 0) or the thread's partial, and
 * with dx, dcol = Wᵀ·dY into the columns and col2im.
 */
static void conv_backward_part(const void *p, int part, int parts) {
  const struct conv_args *a = p;
  const struct conv_layer *l = a->l;
  long lo, hi;
  slice(a->n, part, parts, 1, &lo, &hi);
  int patch = conv_patch(l), out = l->out;
  long plane = (long) l->oh * l->ow, in_sample = (long) l->c * l->h * l->w;
  long out_sample = out * plane;
  int max_g = l->backward_group < a->n ? l->backward_group : a->n;
  float *col = a->work + part * a->thread_floats;
  float *product = col + patch * max_g * plane;
  float *grad = part == 0 ? a->weight_grad
      : a->work + parts * a->thread_floats + (part - 1) * a->partial_floats;
  if (hi <= lo) {
    memset(grad, 0, sizeof(float) * out * patch);
    return;
  }
  for (long s = lo; s < hi; s += max_g) {
    int group = (int) (hi - s < max_g ? hi - s : max_g);
    long ld = group * plane;
    for (int j = 0; j < group; j++) im2col(l, a->x + (s + j) * in_sample, col + j * plane, ld);
    const float *d = a->dy + s * out_sample;
    if (max_g > 1) { /* dY of the group as one [out, group·plane] matrix */
      for (int j = 0; j < group; j++) {
        const float *src = a->dy + (s + j) * out_sample;
        for (int o = 0; o < out; o++) {
          memcpy(product + o * ld + j * plane, src + o * plane, sizeof(float) * plane);
        }
      }
      d = product;
    }
    sgemm(CBLAS_ROW_MAJOR, CBLAS_NO_TRANS, CBLAS_TRANS, out, patch, (int) ld, 1.0f, d, (int) ld,
        col, (int) ld, s == lo ? 0.0f : 1.0f, grad, patch);
    if (a->dx != NULL) {
      sgemm(CBLAS_ROW_MAJOR, CBLAS_TRANS, CBLAS_NO_TRANS, patch, (int) ld, out, 1.0f, a->w, patch,
          d, (int) ld, 0.0f, col, (int) ld);
      for (int j = 0; j < group; j++) col2im(l, col + j * plane, ld, a->dx + (s + j) * in_sample);
    }
  }
}

/* The weight gradient plus the other threads' partials, in thread order, cut by elements. */
static void conv_reduce_part(const void *p, int part, int parts) {
  const struct conv_args *a = p;
  long count = (long) a->l->out * conv_patch(a->l);
  long lo, hi;
  slice(count, part, parts, 16, &lo, &hi);
  const float *partials = a->work + pool_threads * a->thread_floats;
  for (int t = 1; t < pool_threads; t++) {
    const float *restrict src = partials + (t - 1) * a->partial_floats;
    float *restrict dst = a->weight_grad;
    for (long i = lo; i < hi; i++) dst[i] += src[i];
  }
}

/* Conv2d.biasGradient: per channel, four interleaved double accumulators, rounded once. */
CLONES static void bias_gradient(const float *dy, int n, int out, long plane, int lo, int hi,
    float *bias_grad) {
  for (int o = lo; o < hi; o++) {
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (int s = 0; s < n; s++) {
      const float *r = dy + ((long) s * out + o) * plane;
      long i = 0;
      for (; i + 3 < plane; i += 4) {
        s0 += r[i];
        s1 += r[i + 1];
        s2 += r[i + 2];
        s3 += r[i + 3];
      }
      for (; i < plane; i++) s0 += r[i];
    }
    bias_grad[o] = (float) ((s0 + s1) + (s2 + s3));
  }
}

struct bias_args {
  const float *dy;
  float *bias_grad;
  int n, out;
  long plane;
};

static void bias_gradient_part(const void *p, int part, int parts) {
  const struct bias_args *a = p;
  long lo, hi;
  slice(a->out, part, parts, 1, &lo, &hi);
  if (hi > lo) bias_gradient(a->dy, a->n, a->out, a->plane, (int) lo, (int) hi, a->bias_grad);
}

void kiln_conv_backward(const struct conv_layer *l, const float *x, const float *dy, int n,
    const float *w, float *weight_grad, float *bias_grad, float *dx, float *work) {
  long plane = (long) l->oh * l->ow;
  if (bias_grad != NULL) {
    struct bias_args b = {.dy = dy, .bias_grad = bias_grad, .n = n, .out = l->out,
        .plane = plane};
    run(bias_gradient_part, &b, (long) n * l->out * plane, MIN_PARALLEL_ELEMENTS);
  }
  struct conv_args a = {.l = l, .x = x, .w = w, .dy = dy, .weight_grad = weight_grad, .dx = dx,
      .work = work, .n = n, .thread_floats = kiln_conv_thread_floats(l, n),
      .partial_floats = line_floats((long) l->out * conv_patch(l))};
  if (pool_threads == 1 || conv_multiply_adds(l, n) < MIN_PARALLEL_MULTIPLY_ADDS) {
    conv_backward_part(&a, 0, 1); /* small: the calling thread, straight into weight_grad */
    return;
  }
  run(conv_backward_part, &a, LONG_MAX, 0); /* a busy pool still runs pool_threads slices */
  run(conv_reduce_part, &a, (long) l->out * conv_patch(l) * (pool_threads - 1),
      MIN_PARALLEL_ELEMENTS);
}

/* ---- batch normalisation over [n, C, H, W] ------------------------------------------------- */

/*
 * JavaBatchNorm2d's order: per channel, eight double lanes, lane j % 8 for position j of a plane,
 * summed over the samples, then the lanes pairwise.
 */
#define LANES 8

static inline double lanes_sum(const double *v) {
  return ((v[0] + v[1]) + (v[2] + v[3])) + ((v[4] + v[5]) + (v[6] + v[7]));
}

struct bn2d_forward {
  struct bn_layer layer; /* n samples, c channels; scratch: invStd at doubles[c..2c) */
  long plane;
  const float *x, *gamma, *beta;
  float *running_mean, *running_var, *xhat, *y;
  int relu;
};

CLONES static void bn2d_forward_channel(const struct bn2d_forward *a, int ch) {
  const struct bn_layer *l = &a->layer;
  long plane = a->plane, sample = (long) l->c * plane, m = (long) l->n * plane;
  const float *x0 = a->x + ch * plane;
  double shift = x0[0];
  double sum[LANES] = {0}, sq[LANES] = {0};
  for (int s = 0; s < l->n; s++) {
    const float *restrict x = x0 + s * sample;
    long j = 0;
    for (; j + LANES <= plane; j += LANES) {
      for (int k = 0; k < LANES; k++) {
        double d = (double) x[j + k] - shift;
        sum[k] += d;
        sq[k] += d * d;
      }
    }
    for (int k = 0; j < plane; j++, k++) {
      double d = (double) x[j] - shift;
      sum[k] += d;
      sq[k] += d * d;
    }
  }
  double total = lanes_sum(sum), total_sq = lanes_sum(sq);
  double squares = total_sq - total * total / m;
  if (squares < 0) squares = 0; /* Math.max(0, squares): NaN stays */
  double mean = shift + total / m;
  double biased = squares / m, unbiased = squares / (m - 1);
  double inv_std = 1.0 / sqrt(biased + l->epsilon);
  l->scratch_doubles[l->c + ch] = inv_std;
  a->running_mean[ch] = (float) ((1 - l->momentum) * a->running_mean[ch] + l->momentum * mean);
  a->running_var[ch] =
      (float) ((1 - l->momentum) * a->running_var[ch] + l->momentum * unbiased);
  float mean_f = (float) mean, inv_std_f = (float) inv_std;
  float gamma = a->gamma[ch], beta = a->beta[ch];
  for (int s = 0; s < l->n; s++) {
    long at = s * sample + ch * plane;
    const float *x = a->x + at;
    float *xhat = a->xhat + at, *y = a->y + at;
    if (a->relu) {
      for (long j = 0; j < plane; j++) {
        float h = (x[j] - mean_f) * inv_std_f;
        xhat[j] = h;
        y[j] = relu1(gamma * h + beta);
      }
    } else {
      for (long j = 0; j < plane; j++) {
        float h = (x[j] - mean_f) * inv_std_f;
        xhat[j] = h;
        y[j] = gamma * h + beta;
      }
    }
  }
}

static void bn2d_forward_part(const void *p, int part, int parts) {
  const struct bn2d_forward *a = p;
  long lo, hi;
  slice(a->layer.c, part, parts, 1, &lo, &hi);
  for (long ch = lo; ch < hi; ch++) bn2d_forward_channel(a, (int) ch);
}

void kiln_batch_norm_2d_forward(const struct bn_layer *layer, long plane, const float *x,
    const float *gamma, const float *beta, float *running_mean, float *running_var, float *xhat,
    float *y, int relu) {
  struct bn2d_forward a = {.layer = *layer, .plane = plane, .x = x, .gamma = gamma,
      .beta = beta, .running_mean = running_mean, .running_var = running_var, .xhat = xhat,
      .y = y, .relu = relu};
  run(bn2d_forward_part, &a, (long) layer->n * layer->c * plane, MIN_PARALLEL_ELEMENTS);
}

struct bn2d_backward {
  struct bn_layer layer;
  long plane;
  const float *dy, *act, *xhat, *gamma;
  float *gamma_grad, *beta_grad, *dx;
};

CLONES static void bn2d_backward_channel(const struct bn2d_backward *a, int ch) {
  const struct bn_layer *l = &a->layer;
  long plane = a->plane, sample = (long) l->c * plane, m = (long) l->n * plane;
  double sum_dy[LANES] = {0}, sum_dy_xhat[LANES] = {0};
  for (int s = 0; s < l->n; s++) {
    long at = s * sample + ch * plane;
    const float *dy = a->dy + at, *xhat = a->xhat + at;
    if (a->act != NULL) { /* the ReLU's gradient first, written into dx (which may be dy) */
      const float *act = a->act + at;
      float *dx = a->dx + at;
      long j = 0;
      for (; j + LANES <= plane; j += LANES) {
        for (int k = 0; k < LANES; k++) {
          float d = relu_grad1(dy[j + k], act[j + k]);
          dx[j + k] = d;
          sum_dy[k] += d;
          sum_dy_xhat[k] += (double) d * xhat[j + k];
        }
      }
      for (int k = 0; j < plane; j++, k++) {
        float d = relu_grad1(dy[j], act[j]);
        dx[j] = d;
        sum_dy[k] += d;
        sum_dy_xhat[k] += (double) d * xhat[j];
      }
      continue;
    }
    long j = 0;
    for (; j + LANES <= plane; j += LANES) {
      for (int k = 0; k < LANES; k++) {
        double d = dy[j + k];
        sum_dy[k] += d;
        sum_dy_xhat[k] += d * xhat[j + k];
      }
    }
    for (int k = 0; j < plane; j++, k++) {
      double d = dy[j];
      sum_dy[k] += d;
      sum_dy_xhat[k] += d * xhat[j];
    }
  }
  double total_dy = lanes_sum(sum_dy), total_dy_xhat = lanes_sum(sum_dy_xhat);
  a->gamma_grad[ch] = (float) total_dy_xhat;
  a->beta_grad[ch] = (float) total_dy;
  float scale = (float) (a->gamma[ch] * l->scratch_doubles[l->c + ch]);
  float mean_dy = (float) (total_dy / m), mean_dy_xhat = (float) (total_dy_xhat / m);
  const float *src_base = a->act != NULL ? a->dx : a->dy;
  for (int s = 0; s < l->n; s++) {
    long at = s * sample + ch * plane;
    const float *src = src_base + at, *xhat = a->xhat + at;
    float *dx = a->dx + at;
    for (long j = 0; j < plane; j++) dx[j] = ((src[j] - mean_dy) - xhat[j] * mean_dy_xhat) * scale;
  }
}

static void bn2d_backward_part(const void *p, int part, int parts) {
  const struct bn2d_backward *a = p;
  long lo, hi;
  slice(a->layer.c, part, parts, 1, &lo, &hi);
  for (long ch = lo; ch < hi; ch++) bn2d_backward_channel(a, (int) ch);
}

void kiln_batch_norm_2d_backward(const struct bn_layer *layer, long plane, const float *dy,
    const float *act, const float *xhat, const float *gamma, float *gamma_grad, float *beta_grad,
    float *dx) {
  struct bn2d_backward a = {.layer = *layer, .plane = plane, .dy = dy, .act = act, .xhat = xhat,
      .gamma = gamma, .gamma_grad = gamma_grad, .beta_grad = beta_grad, .dx = dx};
  run(bn2d_backward_part, &a, (long) layer->n * layer->c * plane, MIN_PARALLEL_ELEMENTS);
}

/* ---- 2x2 max pooling at stride 2 ----------------------------------------------------------- */

struct pool_args {
  const float *x, *dy, *y;
  float *out;
  int *argmax;
  long planes;
  int h, w, relu;
};

/*
 * JavaMaxPool2x2.forward: per window the first maximum in row-major order (strictly greater
 * replaces; a NaN replaces anything, so the last NaN wins), its index within the plane, and the
 * maximum (with ReLU: max(0, it), NaN kept, -0 to +0). Branch-free selects.
 */
CLONES static void pool_forward_planes(const struct pool_args *a, long lo, long hi) {
  int w = a->w, oh_n = a->h / 2, ow_n = a->w / 2;
  long in_plane = (long) a->h * w, out_plane = (long) oh_n * ow_n;
  for (long p = lo; p < hi; p++) {
    const float *x = a->x + p * in_plane;
    float *y = a->out + p * out_plane;
    int *arg = a->argmax + p * out_plane;
    for (int oh = 0; oh < oh_n; oh++) {
      const float *restrict top = x + (long) 2 * oh * w;
      const float *restrict bottom = top + w;
      float *restrict yr = y + (long) oh * ow_n;
      int *restrict ar = arg + (long) oh * ow_n;
      int base = 2 * oh * w;
      for (int ow = 0; ow < ow_n; ow++) {
        float v0 = top[2 * ow], v1 = top[2 * ow + 1], v2 = bottom[2 * ow], v3 = bottom[2 * ow + 1];
        float m = v0;
        int at = 0;
        int t1 = v1 > m || v1 != v1;
        m = t1 ? v1 : m;
        at = t1 ? 1 : at;
        int t2 = v2 > m || v2 != v2;
        m = t2 ? v2 : m;
        at = t2 ? w : at;
        int t3 = v3 > m || v3 != v3;
        m = t3 ? v3 : m;
        at = t3 ? w + 1 : at;
        yr[ow] = a->relu ? relu1(m) : m;
        ar[ow] = base + 2 * ow + at;
      }
    }
  }
}

static void pool_forward_part(const void *p, int part, int parts) {
  const struct pool_args *a = p;
  long lo, hi;
  slice(a->planes, part, parts, 1, &lo, &hi);
  if (hi > lo) pool_forward_planes(a, lo, hi);
}

void kiln_max_pool_2x2_forward(const float *x, long planes, int h, int w, float *y, int *argmax,
    int relu) {
  struct pool_args a = {.x = x, .out = y, .argmax = argmax, .planes = planes, .h = h, .w = w,
      .relu = relu};
  run(pool_forward_part, &a, planes * h * w, MIN_PARALLEL_ELEMENTS);
}

/*
 * JavaMaxPool2x2.backward: every input element written once, the window's gradient (gated by
 * y > 0 when y is given) at its argmax and 0 elsewhere, 0 in a last odd row or column; an argmax
 * outside its own window is not sent.
 */
CLONES static void pool_backward_planes(const struct pool_args *a, long lo, long hi) {
  int w = a->w, h = a->h, oh_n = a->h / 2, ow_n = a->w / 2;
  long in_plane = (long) h * w, out_plane = (long) oh_n * ow_n;
  for (long p = lo; p < hi; p++) {
    const float *dy = a->dy + p * out_plane;
    const float *y = a->y != NULL ? a->y + p * out_plane : NULL;
    const int *arg = a->argmax + p * out_plane;
    float *dx = a->out + p * in_plane;
    for (int oh = 0; oh < oh_n; oh++) {
      float *restrict top = dx + (long) 2 * oh * w;
      float *restrict bottom = top + w;
      const float *restrict dr = dy + (long) oh * ow_n;
      const int *restrict ar = arg + (long) oh * ow_n;
      int base = 2 * oh * w;
      if (y != NULL) {
        const float *restrict yr = y + (long) oh * ow_n;
        for (int ow = 0; ow < ow_n; ow++) {
          float d = relu_grad1(dr[ow], yr[ow]);
          int r = ar[ow] - (base + 2 * ow);
          top[2 * ow] = r == 0 ? d : 0.0f;
          top[2 * ow + 1] = r == 1 ? d : 0.0f;
          bottom[2 * ow] = r == w ? d : 0.0f;
          bottom[2 * ow + 1] = r == w + 1 ? d : 0.0f;
        }
      } else {
        for (int ow = 0; ow < ow_n; ow++) {
          float d = dr[ow];
          int r = ar[ow] - (base + 2 * ow);
          top[2 * ow] = r == 0 ? d : 0.0f;
          top[2 * ow + 1] = r == 1 ? d : 0.0f;
          bottom[2 * ow] = r == w ? d : 0.0f;
          bottom[2 * ow + 1] = r == w + 1 ? d : 0.0f;
        }
      }
      if (2 * ow_n < w) {
        top[w - 1] = 0.0f;
        bottom[w - 1] = 0.0f;
      }
    }
    if (2 * oh_n < h) memset(dx + (long) 2 * oh_n * w, 0, sizeof(float) * w);
  }
}

static void pool_backward_part(const void *p, int part, int parts) {
  const struct pool_args *a = p;
  long lo, hi;
  slice(a->planes, part, parts, 1, &lo, &hi);
  if (hi > lo) pool_backward_planes(a, lo, hi);
}

void kiln_max_pool_2x2_backward(const float *dy, const float *y, long planes, int h, int w,
    const int *argmax, float *dx) {
  struct pool_args a = {.dy = dy, .y = y, .out = dx, .argmax = (int *) argmax, .planes = planes,
      .h = h, .w = w};
  run(pool_backward_part, &a, planes * h * w, MIN_PARALLEL_ELEMENTS);
}
