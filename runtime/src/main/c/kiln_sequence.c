/*
 * Sequence kernels of a transformer (see kiln.h): GELU in both forms, LayerNorm, and the causal
 * attention core over (sample, head) pairs, each cut over the pool's threads.
 *
 * GELU and the softmax rows need exponentials on every element. They use vexp below: a
 * branch-free double-precision exponential on GCC vector types of four doubles (one AVX2
 * register; two SSE2 ones in the default clone), accurate to a few units in the last place of a
 * double, so that GELU is computed in double as the Java loop does and rounds to the same float
 * but where the two exponentials differ in the last bit of a double. LayerNorm's loops are the
 * Java loop's operations in its order (bitwise equal); its parameter gradients are summed by
 * column in row order, so they do not depend on the thread count either. The attention core runs
 * one (sample, head) pair on one thread with single-threaded sgemm calls: the softmax sums its
 * exponentials in four lanes (the Java loop: one), a difference of a unit in the last place.
 */

#include "kiln.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

/* The vector helpers are always inlined into their callers' clones: no vector crosses a call. */
#pragma GCC diagnostic ignored "-Wpsabi"

typedef double v4d __attribute__((vector_size(32)));
typedef int64_t v4l __attribute__((vector_size(32)));
typedef float v4f __attribute__((vector_size(16)));

#define INLINE static inline __attribute__((always_inline))

INLINE v4d splat(double v) {
  return (v4d) {v, v, v, v};
}

/* mask ? a : b, lane by lane (mask lanes all ones or zero). */
INLINE v4d select(v4l mask, v4d a, v4d b) {
  return (v4d) (((v4l) a & mask) | ((v4l) b & ~mask));
}

INLINE v4d load4(const float *p) {
  v4f f;
  memcpy(&f, p, sizeof f);
  return __builtin_convertvector(f, v4d);
}

INLINE void store4(float *p, v4d v) {
  v4f f = __builtin_convertvector(v, v4f);
  memcpy(p, &f, sizeof f);
}

/*
 * exp(x) lane by lane for x in [-708, 709] or NaN: x = n·ln2 + r with |r| <= ln2/2 (Cody and
 * Waite's two-part ln2), the Taylor polynomial of degree 10 for exp(r) (truncation below 1e-12
 * relative) and 2^n added to the exponent bits.
 */
INLINE v4d vexp_in_range(v4d x) {
  const v4d shift = splat(0x1.8p52);
  v4d k = x * splat(1.4426950408889634) + shift;
  v4d n = k - shift;
  v4d r = x - n * splat(0x1.62e42fefa3800p-1);
  r = r - n * splat(0x1.ef35793c76730p-45);
  v4d p = splat(1.0 / 3628800);
  p = p * r + splat(1.0 / 362880);
  p = p * r + splat(1.0 / 40320);
  p = p * r + splat(1.0 / 5040);
  p = p * r + splat(1.0 / 720);
  p = p * r + splat(1.0 / 120);
  p = p * r + splat(1.0 / 24);
  p = p * r + splat(1.0 / 6);
  p = p * r + splat(0.5);
  p = p * r + splat(1.0);
  p = p * r + splat(1.0);
  return (v4d) ((v4l) p + ((v4l) k << 52));
}

/* exp(x) for any x: below -708 it gives 0, above 709 +inf; NaN stays NaN. */
INLINE v4d vexp(v4d x) {
  v4l under = x < splat(-708.0);
  v4l over = x > splat(709.0);
  v4l nan = x != x;
  v4d e = vexp_in_range(select(under | over | nan, splat(0), x));
  e = select(under, splat(0), select(over, splat(INFINITY), e));
  return select(nan, x, e);
}

/* exp(x) for x <= 0 or NaN: 0 below -708. */
INLINE v4d vexp_nonpositive(v4d x) {
  v4l under = x < splat(-708.0);
  return select(under, splat(0), vexp_in_range(select(under, splat(0), x)));
}

/* ---- GELU ----------------------------------------------------------------------------------- */

/* ops.Gelu's constants, folded by GCC with correct rounding as Math.sqrt computes them */
#define SQRT_HALF sqrt(0.5)
#define INV_SQRT_2PI (1.0 / sqrt(2 * M_PI))
#define SQRT_2_OVER_PI sqrt(2 / M_PI)
#define KAPPA 0.044715

/*
 * Φ(x) by Numerical Recipes' erfcc, as the Java loop (JavaSequence.cdf). From z = |x|/√2 = 26 on
 * (where the exponential's argument would pass -708) Φ is taken as exactly 1 or 0: the Java loop's
 * value there is 1 or below 1e-290, the same once multiplied by x and rounded to float (and ±inf
 * gives inf and NaN as there).
 */
INLINE v4d vcdf(v4d x) {
  v4d z = (v4d) ((v4l) x & ~(v4l) splat(-0.0)) * splat(SQRT_HALF);
  v4l far = z >= splat(26.0);
  z = select(far, splat(26.0), z);
  v4d t = splat(1.0) / (splat(1.0) + splat(0.5) * z);
  v4d poly = splat(-0.82215223) + t * splat(0.17087277);
  poly = splat(1.48851587) + t * poly;
  poly = splat(-1.13520398) + t * poly;
  poly = splat(0.27886807) + t * poly;
  poly = splat(-0.18628806) + t * poly;
  poly = splat(0.09678418) + t * poly;
  poly = splat(0.37409196) + t * poly;
  poly = splat(1.00002368) + t * poly;
  v4d erfc = t * vexp_in_range(-z * z - splat(1.26551223) + t * poly);
  v4l positive = x >= splat(0);
  v4d cdf = select(positive, splat(1.0) - splat(0.5) * erfc, splat(0.5) * erfc);
  return select(far, select(positive, splat(1.0), splat(0)), cdf);
}

/* y = gelu(x) for four values (Kernels.gelu). */
INLINE v4d gelu4(v4d x, int tanh_form) {
  if (!tanh_form) return x * vcdf(x);
  v4d two_u = splat(2 * SQRT_2_OVER_PI) * (x + splat(KAPPA) * x * x * x);
  return x / (splat(1.0) + vexp(-two_u));
}

/* gelu'(x) for four values (Kernels.geluBackward). */
INLINE v4d gelu_slope4(v4d x, int tanh_form) {
  if (!tanh_form) {
    v4d pdf = splat(INV_SQRT_2PI) * vexp_nonpositive(splat(-0.5) * x * x);
    return vcdf(x) + x * pdf;
  }
  v4d x2 = x * x;
  v4d s = splat(1.0) / (splat(1.0) + vexp(splat(-2 * SQRT_2_OVER_PI) * (x + splat(KAPPA) * x2 * x)));
  return s + splat(2.0) * x * s * (splat(1.0) - s) * splat(SQRT_2_OVER_PI)
      * (splat(1.0) + splat(3 * KAPPA) * x2);
}

struct gelu_args {
  const float *x, *y, *dy;
  float *out;
  long count;
  int tanh_form, backward;
};

/*
 * The exact form's gelu'(x) = Φ(x) + x·φ(x) with Φ(x) = y/x from the forward output y (as the Java
 * loop: exact to y's float rounding, and one exponential fewer), except in lanes where x = 0 or
 * |y| < 1e-30, which take vcdf(x) (computed only for a vector that has such a lane).
 */
INLINE v4d gelu_slope_from_output4(v4d x, v4d y) {
  v4d abs_y = (v4d) ((v4l) y & ~(v4l) splat(-0.0));
  v4l good = (x != splat(0)) & (abs_y >= splat(1e-30));
  v4d cdf = y / x;
  if (~good[0] | ~good[1] | ~good[2] | ~good[3]) cdf = select(good, cdf, vcdf(x));
  v4d pdf = splat(INV_SQRT_2PI) * vexp_nonpositive(splat(-0.5) * x * x);
  return cdf + x * pdf;
}

/* One vector of the kernel a describes, at element i of its arrays. */
INLINE v4d gelu_vector(const struct gelu_args *a, const float *x, const float *y,
    const float *dy) {
  v4d xv = load4(x);
  if (!a->backward) return gelu4(xv, a->tanh_form);
  if (a->y != NULL && !a->tanh_form) return load4(dy) * gelu_slope_from_output4(xv, load4(y));
  return load4(dy) * gelu_slope4(xv, a->tanh_form);
}

CLONES static void gelu_span(const struct gelu_args *a, long lo, long hi) {
  long i = lo;
  for (; i + 4 <= hi; i += 4) {
    store4(a->out + i, gelu_vector(a, a->x + i, a->y + i, a->dy + i));
  }
  if (i < hi) { /* the last 1-3 values, through the same vector code */
    float xs[4] = {0}, ys[4] = {0}, ds[4] = {0}, os[4];
    size_t bytes = (size_t) (hi - i) * sizeof(float);
    memcpy(xs, a->x + i, bytes);
    if (a->y != NULL) memcpy(ys, a->y + i, bytes);
    if (a->backward) memcpy(ds, a->dy + i, bytes);
    store4(os, gelu_vector(a, xs, ys, ds));
    memcpy(a->out + i, os, bytes);
  }
}

static void gelu_part(const void *p, int part, int parts) {
  const struct gelu_args *a = p;
  long lo, hi;
  slice(a->count, part, parts, 16, &lo, &hi);
  if (hi > lo) gelu_span(a, lo, hi);
}

void kiln_gelu(const float *x, float *y, long count, int tanh_form) {
  struct gelu_args a = {.x = x, .out = y, .count = count, .tanh_form = tanh_form};
  run(gelu_part, &a, count, MIN_PARALLEL_ELEMENTS / 4);
}

void kiln_gelu_backward(const float *x, const float *y, const float *dy, float *dx, long count,
    int tanh_form) {
  struct gelu_args a = {.x = x, .y = y, .dy = dy, .out = dx, .count = count, .tanh_form = tanh_form,
      .backward = 1};
  run(gelu_part, &a, count, MIN_PARALLEL_ELEMENTS / 4);
}

/* ---- LayerNorm ------------------------------------------------------------------------------ */

static void layer_norm_forward_part(const void *p, int part, int parts) {
  const struct layer_norm *a = p;
  long lo, hi;
  slice(a->rows, part, parts, 1, &lo, &hi);
  int d = a->features;
  for (long r = lo; r < hi; r++) {
    const float *x = a->x + r * d;
    float *y = a->y + r * d;
    double sum = 0;
    for (int j = 0; j < d; j++) sum += x[j];
    double mu = sum / d;
    double squares = 0;
    for (int j = 0; j < d; j++) {
      double c = x[j] - mu;
      squares += c * c;
    }
    double inv = 1.0 / sqrt(squares / d + a->epsilon);
    a->mean[r] = (float) mu;
    a->rstd[r] = (float) inv;
    for (int j = 0; j < d; j++) y[j] = (float) ((x[j] - mu) * inv * a->gamma[j] + a->beta[j]);
  }
}

void kiln_layer_norm_forward(const struct layer_norm *ln) {
  run(layer_norm_forward_part, ln, (long) ln->rows * ln->features, MIN_PARALLEL_ELEMENTS);
}

/* dgamma = Σ dy·xhat and dbeta = Σ dy per column, in row order, for a slice of columns. */
CLONES static void layer_norm_columns(const struct layer_norm *a, int c0, int c1) {
  int d = a->features;
  for (int b0 = c0; b0 < c1; b0 += BLOCK) {
    int w = c1 - b0 < BLOCK ? c1 - b0 : BLOCK;
    double g_acc[BLOCK], b_acc[BLOCK];
    for (int j = 0; j < w; j++) g_acc[j] = b_acc[j] = 0;
    for (int r = 0; r < a->rows; r++) {
      const float *x = a->x + (size_t) r * d + b0;
      const float *dy = a->dy + (size_t) r * d + b0;
      double mu = a->mean[r];
      double inv = a->rstd[r];
      for (int j = 0; j < w; j++) {
        double g = dy[j];
        double xhat = (x[j] - mu) * inv;
        g_acc[j] += g * xhat;
        b_acc[j] += g;
      }
    }
    for (int j = 0; j < w; j++) {
      a->gamma_grad[b0 + j] = (float) g_acc[j];
      a->beta_grad[b0 + j] = (float) b_acc[j];
    }
  }
}

static void layer_norm_columns_part(const void *p, int part, int parts) {
  const struct layer_norm *a = p;
  long lo, hi;
  slice(a->features, part, parts, 8, &lo, &hi);
  if (hi > lo) layer_norm_columns(a, (int) lo, (int) hi);
}

static void layer_norm_rows_part(const void *p, int part, int parts) {
  const struct layer_norm *a = p;
  long lo, hi;
  slice(a->rows, part, parts, 1, &lo, &hi);
  int d = a->features;
  for (long r = lo; r < hi; r++) {
    const float *x = a->x + r * d;
    const float *dy = a->dy + r * d;
    float *dx = a->dx + r * d;
    double mu = a->mean[r];
    double inv = a->rstd[r];
    double sum_g = 0, sum_g_xhat = 0;
    for (int j = 0; j < d; j++) {
      double gg = dy[j] * (double) a->gamma[j];
      double xhat = (x[j] - mu) * inv;
      sum_g += gg;
      sum_g_xhat += gg * xhat;
    }
    double mean_g = sum_g / d;
    double mean_g_xhat = sum_g_xhat / d;
    for (int j = 0; j < d; j++) {
      double xhat = (x[j] - mu) * inv;
      double gg = dy[j] * (double) a->gamma[j];
      dx[j] = (float) (inv * (gg - mean_g - xhat * mean_g_xhat));
    }
  }
}

void kiln_layer_norm_backward(const struct layer_norm *ln) {
  long work = (long) ln->rows * ln->features;
  /* the parameter gradients first: dx may be dy */
  run(layer_norm_columns_part, ln, work, MIN_PARALLEL_ELEMENTS);
  if (ln->dx != NULL) run(layer_norm_rows_part, ln, work, MIN_PARALLEL_ELEMENTS);
}

/* ---- attention ------------------------------------------------------------------------------ */

/* Query rows per block of the causal products (ops.ScaledDotProductAttention.ROW_BLOCK). */
#define ATTENTION_ROW_BLOCK 32

/* Softmax of row i of a [t, t] matrix (the first seen entries), the rest of the row zeroed. */
CLONES static void softmax_row(float *row, int seen, int t) {
  float max = -INFINITY;
  for (int j = 0; j < seen; j++) max = row[j] > max || row[j] != row[j] ? row[j] : max;
  v4d sum4 = splat(0);
  int j = 0;
  for (; j + 4 <= seen; j += 4) {
    /* the difference in float, as the Java loop (row[j] - max) */
    v4f diff;
    memcpy(&diff, row + j, sizeof diff);
    diff = diff - (v4f) {max, max, max, max};
    v4d e = vexp(__builtin_convertvector(diff, v4d));
    sum4 += e;
    store4(row + j, e);
  }
  double sum = (sum4[0] + sum4[1]) + (sum4[2] + sum4[3]);
  for (; j < seen; j++) {
    float diff = row[j] - max;
    double e = vexp(splat(diff))[0];
    sum += e;
    row[j] = (float) e;
  }
  float inv = (float) (1.0 / sum);
  for (j = 0; j < seen; j++) row[j] *= inv;
  for (j = seen; j < t; j++) row[j] = 0;
}

/* dS = P∘(dP - rowsum(dP∘P)) for one row, over dP; the rest of the row zeroed. */
CLONES static void softmax_backward_row(const float *p, float *dp, int seen, int t) {
  double dot = 0;
  for (int j = 0; j < seen; j++) dot += (double) p[j] * dp[j];
  for (int j = 0; j < seen; j++) dp[j] = (float) (p[j] * (dp[j] - dot));
  for (int j = seen; j < t; j++) dp[j] = 0;
}

static void attention_forward_pair(const struct attention *a, int s, int h) {
  int t = a->t, width = a->width, d = a->width / a->heads;
  size_t off = (size_t) s * t * width + (size_t) h * d;
  float *pr = a->probabilities + ((size_t) s * a->heads + h) * t * t;
  for (int r0 = 0; r0 < t; r0 += ATTENTION_ROW_BLOCK) {
    int rows = t - r0 < ATTENTION_ROW_BLOCK ? t - r0 : ATTENTION_ROW_BLOCK;
    int keys = a->causal ? r0 + rows : t;
    size_t q_row = off + (size_t) r0 * width;
    float *p_row = pr + (size_t) r0 * t;
    sgemm(CBLAS_ROW_MAJOR, CBLAS_NO_TRANS, CBLAS_TRANS, rows, keys, d, a->scale, a->q + q_row,
        width, a->k + off, width, 0.0f, p_row, t);
    for (int i = r0; i < r0 + rows; i++) softmax_row(pr + (size_t) i * t, a->causal ? i + 1 : t, t);
    sgemm(CBLAS_ROW_MAJOR, CBLAS_NO_TRANS, CBLAS_NO_TRANS, rows, d, keys, 1.0f, p_row, t,
        a->v + off, width, 0.0f, a->y + q_row, width);
  }
}

static void attention_backward_pair(const struct attention *a, int s, int h, float *scores) {
  int t = a->t, width = a->width, d = a->width / a->heads;
  size_t off = (size_t) s * t * width + (size_t) h * d;
  const float *pr = a->probabilities + ((size_t) s * a->heads + h) * t * t;
  /* row blocks from the last, which writes all keys' rows of dk and dv (beta 0) */
  int last = (t - 1) / ATTENTION_ROW_BLOCK * ATTENTION_ROW_BLOCK;
  for (int r0 = last; r0 >= 0; r0 -= ATTENTION_ROW_BLOCK) {
    int rows = t - r0 < ATTENTION_ROW_BLOCK ? t - r0 : ATTENTION_ROW_BLOCK;
    int keys = a->causal ? r0 + rows : t;
    float beta = r0 == last ? 0.0f : 1.0f;
    size_t row = off + (size_t) r0 * width;
    const float *p_row = pr + (size_t) r0 * t;
    float *s_row = scores + (size_t) r0 * t;
    sgemm(CBLAS_ROW_MAJOR, CBLAS_TRANS, CBLAS_NO_TRANS, keys, d, rows, 1.0f, p_row, t,
        a->dy + row, width, beta, a->dv + off, width);
    sgemm(CBLAS_ROW_MAJOR, CBLAS_NO_TRANS, CBLAS_TRANS, rows, keys, d, 1.0f, a->dy + row, width,
        a->v + off, width, 0.0f, s_row, t);
    for (int i = r0; i < r0 + rows; i++) {
      softmax_backward_row(pr + (size_t) i * t, scores + (size_t) i * t, a->causal ? i + 1 : t, t);
    }
    sgemm(CBLAS_ROW_MAJOR, CBLAS_NO_TRANS, CBLAS_NO_TRANS, rows, d, keys, a->scale, s_row, t,
        a->k + off, width, 0.0f, a->dq + row, width);
    sgemm(CBLAS_ROW_MAJOR, CBLAS_TRANS, CBLAS_NO_TRANS, keys, d, rows, a->scale, s_row, t,
        a->q + row, width, beta, a->dk + off, width);
  }
}

/* The pairs (sample, head) of slice part, in order; a pair's work never depends on the cut. */
static void attention_part(const void *p, int part, int parts) {
  const struct attention *a = p;
  long lo, hi;
  slice((long) a->n * a->heads, part, parts, 1, &lo, &hi);
  for (long pair = lo; pair < hi; pair++) {
    int s = (int) (pair / a->heads), h = (int) (pair % a->heads);
    if (a->backward) {
      attention_backward_pair(a, s, h, a->scratch + (size_t) part * a->context * a->context);
    } else {
      attention_forward_pair(a, s, h);
    }
  }
}

void kiln_attention(const struct attention *a) {
  long work = (long) a->n * a->heads * a->t * a->t * (a->width / a->heads);
  run(attention_part, a, work, MIN_PARALLEL_MULTIPLY_ADDS / 8);
}

/* ---- Adam ----------------------------------------------------------------------------------- */

/*
 * One Adam/AdamW step (Kernels.adam, optim.AdamKernel): the Java loop's float operations in its
 * order, so the same bits; element-wise, cut by element index.
 */
struct adam_args {
  float *w, *m, *v, *v_max;
  const float *g;
  long count;
  struct adam_settings s;
};

CLONES static void adam_span(const struct adam_args *a, long lo, long hi) {
  const struct adam_settings s = a->s;
  float *restrict w = a->w, *restrict m = a->m, *restrict v = a->v, *restrict v_max = a->v_max;
  const float *restrict g = a->g;
  for (long i = lo; i < hi; i++) {
    float gi = g[i];
    float mi = m[i] * s.b1 + s.one_minus_b1 * gi;
    float vi = v[i] * s.b2 + s.one_minus_b2 * gi * gi;
    m[i] = mi;
    v[i] = vi;
    if (v_max != NULL) {
      float old = v_max[i]; /* Math.max: NaN wins */
      vi = old != old || vi != vi ? old + vi : (old > vi ? old : vi);
      v_max[i] = vi;
    }
    float wi = s.decays ? w[i] * s.keep : w[i];
    float denom = sqrtf(vi) / s.bc2_sqrt + s.eps;
    w[i] = wi + s.neg_step_size * mi / denom;
  }
}

static void adam_part(const void *p, int part, int parts) {
  const struct adam_args *a = p;
  long lo, hi;
  slice(a->count, part, parts, 16, &lo, &hi);
  if (hi > lo) adam_span(a, lo, hi);
}

void kiln_adam(float *w, const float *g, float *m, float *v, float *v_max, long count,
    const struct adam_settings *settings) {
  struct adam_args a = {.w = w, .g = g, .m = m, .v = v, .v_max = v_max, .count = count,
      .s = *settings};
  run(adam_part, &a, count, MIN_PARALLEL_ELEMENTS);
}
