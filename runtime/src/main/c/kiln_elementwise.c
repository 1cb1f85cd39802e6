/* Element-wise kernels and reductions, cut by element index or by column (see kiln.h). */

#include "kiln.h"

#include <string.h>

/* The bounds [lo, hi) of slice part of parts of count elements; an empty slice returns. */
#define ELEMENT_SLICE(count, lo, hi)                        \
  long lo, hi;                                              \
  slice(count, part, parts, 16, &lo, &hi);                  \
  if (hi <= lo) return;

/* y = max(0, x) with NaN kept and -0.0 mapped to +0.0 (Kernels.relu). y may be x. */
CLONES static void relu(const float *x, float *y, long count) {
  const int32_t *xi = (const int32_t *) x;
  int32_t *yi = (int32_t *) y;
  for (long i = 0; i < count; i++) {
    int32_t bits = xi[i];
    int32_t nan = (0x7f800000 - (bits & 0x7fffffff)) >> 31;
    yi[i] = bits & (~(bits >> 31) | nan);
  }
}

struct relu_args {
  const float *x;
  float *y;
  long count;
};

static void relu_part(const void *p, int part, int parts) {
  const struct relu_args *a = p;
  ELEMENT_SLICE(a->count, lo, hi)
  relu(a->x + lo, a->y + lo, hi - lo);
}

void kiln_relu(const float *x, float *y, long count) {
  struct relu_args a = {.x = x, .y = y, .count = count};
  run(relu_part, &a, count, MIN_PARALLEL_ELEMENTS);
}

/* dx = dy where 0 < x <= +inf, else +0.0 (Kernels.reluBackward). dx may be dy. */
CLONES static void relu_backward(const float *x, const float *dy, float *dx, long count) {
  const uint32_t *xi = (const uint32_t *) x;
  const int32_t *di = (const int32_t *) dy;
  int32_t *oi = (int32_t *) dx;
  for (long i = 0; i < count; i++) {
    /* JavaKernels.positiveMask: all ones for 0 < x <= +inf, else zero (NaN included). */
    uint32_t t = xi[i] - 1u;
    int32_t mask = ((int32_t) ((t - 0x7f800000u) & ~t)) >> 31;
    oi[i] = di[i] & mask;
  }
}

struct relu_backward_args {
  const float *x, *dy;
  float *dx;
  long count;
};

static void relu_backward_part(const void *p, int part, int parts) {
  const struct relu_backward_args *a = p;
  ELEMENT_SLICE(a->count, lo, hi)
  relu_backward(a->x + lo, a->dy + lo, a->dx + lo, hi - lo);
}

void kiln_relu_backward(const float *x, const float *dy, float *dx, long count) {
  struct relu_backward_args a = {.x = x, .dy = dy, .dx = dx, .count = count};
  run(relu_backward_part, &a, count, MIN_PARALLEL_ELEMENTS);
}

/* dst = src, count floats (Kernels.copy), in slices. */
struct copy_args {
  const float *src;
  float *dst;
  long count;
};

static void copy_part(const void *p, int part, int parts) {
  const struct copy_args *a = p;
  ELEMENT_SLICE(a->count, lo, hi)
  memcpy(a->dst + lo, a->src + lo, (size_t) (hi - lo) * sizeof(float));
}

void kiln_copy(const float *src, float *dst, long count) {
  struct copy_args a = {.src = src, .dst = dst, .count = count};
  run(copy_part, &a, count, MIN_PARALLEL_ELEMENTS);
}

/*
 * The index of the first element that is NaN or infinite, or -1 (Kernels.firstNonFinite). Blocks
 * of 256 are tested without branches (vectorised); only a block that holds one is searched.
 */
CLONES static long first_non_finite(const float *restrict x, long count) {
  const uint32_t *xi = (const uint32_t *) x;
  for (long i0 = 0; i0 < count; i0 += 256) {
    long m = count - i0 < 256 ? count - i0 : 256;
    uint32_t bad = 0;
    for (long k = 0; k < m; k++) bad |= (xi[i0 + k] & 0x7f800000u) == 0x7f800000u;
    if (bad) {
      for (long k = 0; k < m; k++) {
        if ((xi[i0 + k] & 0x7f800000u) == 0x7f800000u) return i0 + k;
      }
    }
  }
  return -1;
}

struct first_non_finite_args {
  const float *x;
  long count;
  long result[MAX_THREADS]; /* per slice: the index found, or -1 */
};

/* Cut by element index; the first slice holding one has the first bad value in row-major order. */
static void first_non_finite_part(const void *p, int part, int parts) {
  struct first_non_finite_args *a = (struct first_non_finite_args *) p;
  long lo, hi;
  slice(a->count, part, parts, 16, &lo, &hi);
  long i = hi > lo ? first_non_finite(a->x + lo, hi - lo) : -1;
  a->result[part] = i < 0 ? -1 : lo + i;
}

long kiln_first_non_finite(const float *x, long count) {
  struct first_non_finite_args a = {.x = x, .count = count};
  for (int t = 0; t < MAX_THREADS; t++) a.result[t] = -1;
  run(first_non_finite_part, &a, count, MIN_PARALLEL_ELEMENTS);
  for (int t = 0; t < MAX_THREADS; t++) {
    if (a.result[t] >= 0) return a.result[t];
  }
  return -1;
}

/*
 * out[j] = sum over rows r < n of x[r][j], in double, row order (Kernels.sumRows), for the
 * width columns starting at x; rows are stride floats apart.
 */
CLONES static void sum_rows(const float *restrict x, int n, int stride, int width,
    float *restrict out) {
  for (int j0 = 0; j0 < width; j0 += BLOCK) {
    int m = width - j0 < BLOCK ? width - j0 : BLOCK;
    double s[BLOCK];
    for (int j = 0; j < m; j++) s[j] = 0;
    for (int r = 0; r < n; r++) {
      const float *row = x + (size_t) r * stride + j0;
      for (int j = 0; j < m; j++) s[j] += row[j];
    }
    for (int j = 0; j < m; j++) out[j0 + j] = (float) s[j];
  }
}

struct sum_rows_args {
  const float *x;
  int n, width;
  float *out;
};

static void sum_rows_part(const void *p, int part, int parts) {
  const struct sum_rows_args *a = p;
  long lo, hi;
  slice(a->width, part, parts, 16, &lo, &hi);
  if (hi > lo) sum_rows(a->x + lo, a->n, a->width, (int) (hi - lo), a->out + lo);
}

void kiln_sum_rows(const float *x, int n, int width, float *out) {
  struct sum_rows_args a = {.x = x, .n = n, .width = width, .out = out};
  run(sum_rows_part, &a, (long) n * width, MIN_PARALLEL_ELEMENTS);
}

/*
 * Sum of squares in double over 32 lanes: lane k adds elements i = k (mod 32) in order, the tail
 * goes to lanes 0, 1, ... in order, and the lanes are added 0..31 (Kernels.sumSquares).
 */
/* Lanes of the sum of squares: four vectors of eight doubles, so that the additions of one lane
   do not wait on each other (one vector accumulator made the pass latency-bound: 1.7x slower). */
#define SQUARE_LANES 32

CLONES static double sum_squares_lanes(const float *restrict x, long count) {
  double lane[SQUARE_LANES] = {0};
  long i = 0;
  for (; i + SQUARE_LANES <= count; i += SQUARE_LANES) {
    for (int k = 0; k < SQUARE_LANES; k++) {
      double v = x[i + k];
      lane[k] += v * v;
    }
  }
  for (int k = 0; i < count; i++, k++) {
    double v = x[i];
    lane[k] += v * v;
  }
  double s = 0;
  for (int k = 0; k < SQUARE_LANES; k++) s += lane[k];
  return s;
}

struct sum_squares_args {
  const float *x;
  long count, split;
  double half[2];
};

/* The two fixed halves [0, split) and [split, count), whatever the thread count. */
static void sum_squares_part(const void *p, int part, int parts) {
  struct sum_squares_args *a = (struct sum_squares_args *) p;
  if (parts == 1 || part == 0) a->half[0] = sum_squares_lanes(a->x, a->split);
  if (parts == 1 || part == 1) a->half[1] = sum_squares_lanes(a->x + a->split, a->count - a->split);
}

double kiln_sum_squares(const float *x, long count) {
  struct sum_squares_args a = {.x = x, .count = count,
      .split = count / (2 * SQUARE_LANES) * SQUARE_LANES, .half = {0, 0}};
  run(sum_squares_part, &a, count, MIN_PARALLEL_ELEMENTS);
  return a.half[0] + a.half[1];
}
