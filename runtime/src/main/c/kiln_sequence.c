/*
 * Sequence kernels of a transformer (see kiln.h): GELU in both forms, LayerNorm, and the causal
 * attention core over (sample, head) pairs, each cut over the pool's threads.
 *
 * The softmax rows need an exponential on every element: vexp below, a branch-free
 * double-precision exponential on GCC vector types of four doubles (one AVX2 register; two SSE2
 * ones in the default clone), accurate to a few units in the last place of a double. GELU runs in
 * float with an exponential of its own (its section says why and how closely it matches the Java
 * loop, which computes in double). LayerNorm's loops are the
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

/*
 * GELU runs in float, eight lanes (one AVX2 register; two SSE2 ones in the default clone), with
 * fused multiply-adds (this section only: the rest of the file keeps -ffp-contract=off for its
 * bitwise equalities). The Java loop (JavaSequence) computes the same formulas in double; the two
 * agree to a few units of 1e-7 relative (SequenceKernelsTest), far inside PyTorch parity's rtol of
 * 1e-5. Computing in double (the first native version) took 6 ms per call at the large GPT's
 * [1536, 1024], a tenth of its whole training step; float takes a fraction of that.
 */
#pragma GCC push_options
#pragma GCC optimize("fp-contract=fast")

typedef float v8f __attribute__((vector_size(32)));
typedef int32_t v8i __attribute__((vector_size(32)));

INLINE v8f fsplat(float v) {
  return (v8f) {v, v, v, v, v, v, v, v};
}

/* mask ? a : b, lane by lane (mask lanes all ones or zero). */
INLINE v8f fselect(v8i mask, v8f a, v8f b) {
  return (v8f) (((v8i) a & mask) | ((v8i) b & ~mask));
}

INLINE v8f fabs8(v8f x) {
  return (v8f) ((v8i) x & ~(v8i) fsplat(-0.0f));
}

INLINE v8f fload8(const float *p) {
  v8f f;
  memcpy(&f, p, sizeof f);
  return f;
}

INLINE void fstore8(float *p, v8f v) {
  memcpy(p, &v, sizeof v);
}

/*
 * exp(x) lane by lane for x in [-86.5, 88.7]: x = n·ln2 + r with |r| <= ln2/2 (ln2 in two
 * parts), the Taylor polynomial of degree 7 for exp(r) (truncation below 1e-8 relative) and 2^n
 * added to the exponent bits (n >= -125, so that the result stays a normal float).
 */
INLINE v8f fexp_in_range(v8f x) {
  const v8f shift = fsplat(0x1.8p23f);
  v8f k = x * fsplat(1.44269504f) + shift;
  v8f n = k - shift;
  v8f r = x - n * fsplat(0x1.62e430p-1f);
  r = r - n * fsplat(-0x1.05c610p-29f);
  v8f p = fsplat(1.0f / 5040);
  p = p * r + fsplat(1.0f / 720);
  p = p * r + fsplat(1.0f / 120);
  p = p * r + fsplat(1.0f / 24);
  p = p * r + fsplat(1.0f / 6);
  p = p * r + fsplat(0.5f);
  p = p * r + fsplat(1.0f);
  p = p * r + fsplat(1.0f);
  return (v8f) ((v8i) p + (((v8i) k - (v8i) shift) << 23));
}

/* exp(x) for any x: 0 below -86.5 (true values below 3e-38), +inf above 88.7; NaN stays NaN. */
INLINE v8f fexp(v8f x) {
  v8i under = x < fsplat(-86.5f);
  v8i over = x > fsplat(88.7f);
  v8i nan = x != x;
  v8f e = fexp_in_range(fselect(under | over | nan, fsplat(0), x));
  e = fselect(under, fsplat(0), fselect(over, fsplat(INFINITY), e));
  return fselect(nan, x, e);
}

/*
 * x² as an exact sum hi + lo (Dekker's split: x's upper 12 significant bits times themselves and
 * the cross terms are exact products), so that an exponent of -x²/2 is rounded once, at the end.
 */
INLINE void fsquare(v8f x, v8f *hi, v8f *lo) {
  v8f upper = (v8f) ((v8i) x & (v8i) {-4096, -4096, -4096, -4096, -4096, -4096, -4096, -4096});
  v8f lower = x - upper;
  *hi = upper * upper;
  *lo = (upper + upper) * lower + lower * lower;
}

/* ops.Gelu's constants */
#define SQRT_HALF_F 0.70710678f
#define INV_SQRT_2PI_F 0.39894228f
#define SQRT_2_OVER_PI_F 0.79788456f
#define KAPPA_F 0.044715f

/*
 * Φ(x) by Numerical Recipes' erfcc (fractional error below 1.2e-7), as the Java loop
 * (JavaSequence.cdf), with z² = x²/2 from fsquare, so that the exponent's own rounding is its only
 * large error. From z = 10 on (erfc below 3e-45) Φ is exactly 1 or 0.
 */
INLINE v8f fcdf(v8f x) {
  v8f z = fabs8(x) * fsplat(SQRT_HALF_F);
  v8i far = z >= fsplat(10.0f);
  z = fselect(far, fsplat(10.0f), z);
  v8f xs = fselect(far, fsplat(10.0f), x);
  v8f hi, lo;
  fsquare(xs, &hi, &lo);
  v8f t = fsplat(1.0f) / (fsplat(1.0f) + fsplat(0.5f) * z);
  v8f poly = fsplat(-0.82215223f) + t * fsplat(0.17087277f);
  poly = fsplat(1.48851587f) + t * poly;
  poly = fsplat(-1.13520398f) + t * poly;
  poly = fsplat(0.27886807f) + t * poly;
  poly = fsplat(-0.18628806f) + t * poly;
  poly = fsplat(0.09678418f) + t * poly;
  poly = fsplat(0.37409196f) + t * poly;
  poly = fsplat(1.00002368f) + t * poly;
  v8f arg = (fsplat(-0.5f) * hi + (fsplat(-1.26551223f) + t * poly)) - fsplat(0.5f) * lo;
  v8i under = far | (arg < fsplat(-86.5f)); /* erfc below 3e-38 */
  v8f erfc = t * fexp_in_range(fselect(under, fsplat(0), arg));
  erfc = fselect(under, fsplat(0), erfc);
  v8i positive = x >= fsplat(0);
  return fselect(positive, fsplat(1.0f) - fsplat(0.5f) * erfc, fsplat(0.5f) * erfc);
}

/* φ(x) = exp(-x²/2)/√(2π), x² from fsquare; 0 from |x| = 13 on (where x² may overflow). */
INLINE v8f fpdf(v8f x) {
  v8f hi, lo;
  fsquare(x, &hi, &lo);
  v8f arg = fsplat(-0.5f) * hi - fsplat(0.5f) * lo;
  v8i under = fabs8(x) >= fsplat(13.0f);
  v8f e = fexp_in_range(fselect(under, fsplat(0), arg));
  return fselect(under, fsplat(0), fsplat(INV_SQRT_2PI_F) * e);
}

/* y = gelu(x) for eight values (Kernels.gelu). */
INLINE v8f gelu8(v8f x, int tanh_form) {
  if (!tanh_form) return x * fcdf(x);
  v8f two_u = fsplat(2 * SQRT_2_OVER_PI_F) * (x + fsplat(KAPPA_F) * x * x * x);
  return x / (fsplat(1.0f) + fexp(-two_u));
}

/* gelu'(x) for eight values (Kernels.geluBackward). */
INLINE v8f gelu_slope8(v8f x, int tanh_form) {
  if (!tanh_form) return fcdf(x) + x * fpdf(x);
  v8f x2 = x * x;
  v8f e = fexp(fsplat(-2 * SQRT_2_OVER_PI_F) * (x + fsplat(KAPPA_F) * x2 * x));
  v8f s = fsplat(1.0f) / (fsplat(1.0f) + e);
  /* 1 - s as e·s: exact where s rounds to 1 (the Java loop's 1 - s, in double) */
  v8f one_minus_s = fselect((e == e) & (e != fsplat(INFINITY)), e * s, fsplat(1.0f) - s);
  v8f slope = s + fsplat(2.0f) * x * s * one_minus_s * fsplat(SQRT_2_OVER_PI_F)
      * (fsplat(1.0f) + fsplat(3 * KAPPA_F) * x2);
  /* from |x| = 10 on the slope is 1 or 0 to float precision, where x² may overflow */
  v8i far = fabs8(x) >= fsplat(10.0f);
  return fselect(far & (x > fsplat(0)), fsplat(1.0f), fselect(far, fsplat(0), slope));
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
 * |y| < 1e-30, which take fcdf(x) (computed only for a vector that has such a lane).
 */
INLINE v8f gelu_slope_from_output8(v8f x, v8f y) {
  v8i good = (x != fsplat(0)) & (fabs8(y) >= fsplat(1e-30f));
  v8f cdf = y / x;
  v8i bad = ~good;
  if (bad[0] | bad[1] | bad[2] | bad[3] | bad[4] | bad[5] | bad[6] | bad[7]) {
    cdf = fselect(good, cdf, fcdf(x));
  }
  return cdf + x * fpdf(x);
}

/* One vector of the kernel a describes, at element i of its arrays. */
INLINE v8f gelu_vector(const struct gelu_args *a, const float *x, const float *y,
    const float *dy) {
  v8f xv = fload8(x);
  if (!a->backward) return gelu8(xv, a->tanh_form);
  if (a->y != NULL && !a->tanh_form) return fload8(dy) * gelu_slope_from_output8(xv, fload8(y));
  return fload8(dy) * gelu_slope8(xv, a->tanh_form);
}

INLINE void gelu_span_body(const struct gelu_args *a, long lo, long hi) {
  long i = lo;
  for (; i + 8 <= hi; i += 8) {
    fstore8(a->out + i, gelu_vector(a, a->x + i, a->y + i, a->dy + i));
  }
  if (i < hi) { /* the last 1-7 values, through the same vector code */
    float xs[8] = {0}, ys[8] = {0}, ds[8] = {0}, os[8];
    size_t bytes = (size_t) (hi - i) * sizeof(float);
    memcpy(xs, a->x + i, bytes);
    if (a->y != NULL) memcpy(ys, a->y + i, bytes);
    if (a->backward) memcpy(ds, a->dy + i, bytes);
    fstore8(os, gelu_vector(a, xs, ys, ds));
    memcpy(a->out + i, os, bytes);
  }
}

/* The span with AVX2 and FMA (chosen at run time), or in the build's baseline instructions. */
__attribute__((target("avx2,fma"))) static void gelu_span_fma(const struct gelu_args *a, long lo,
    long hi) {
  gelu_span_body(a, lo, hi);
}

static void gelu_span_baseline(const struct gelu_args *a, long lo, long hi) {
  gelu_span_body(a, lo, hi);
}

#pragma GCC pop_options

static void gelu_span(const struct gelu_args *a, long lo, long hi) {
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    gelu_span_fma(a, lo, hi);
  } else {
    gelu_span_baseline(a, lo, hi);
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
  run(gelu_part, &a, count, MIN_PARALLEL_ELEMENTS);
}

void kiln_gelu_backward(const float *x, const float *y, const float *dy, float *dx, long count,
    int tanh_form) {
  struct gelu_args a = {.x = x, .y = y, .dy = dy, .out = dx, .count = count, .tanh_form = tanh_form,
      .backward = 1};
  run(gelu_part, &a, count, MIN_PARALLEL_ELEMENTS);
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
