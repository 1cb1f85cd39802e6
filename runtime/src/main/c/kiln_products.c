/* Matrix products cut into slices on the pool (see kiln.h). */

#define _GNU_SOURCE
#include "kiln.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct gemm_args {
  int trans_a, trans_b, m, n, k, lda, ldb, ldc, split_rows;
  float alpha, beta;
  const float *a, *b;
  float *c;
  /* when not NULL, copied into each row of the slice of c before the product (beta 1) */
  const float *bias;
};

static void gemm_part(const void *p, int part, int parts) {
  const struct gemm_args *g = p;
  long lo, hi;
  const float *a = g->a, *b = g->b;
  float *c = g->c;
  int m = g->m, n = g->n;
  long col = 0; /* the slice's first column of c */
  if (g->split_rows) {
    slice(g->m, part, parts, 16, &lo, &hi);
    a += g->trans_a ? lo : lo * g->lda;
    c += lo * g->ldc;
    m = (int) (hi - lo);
  } else {
    slice(g->n, part, parts, 16, &lo, &hi);
    b += g->trans_b ? lo * g->ldb : lo;
    c += lo;
    col = lo;
    n = (int) (hi - lo);
  }
  if (m > 0 && n > 0) {
    if (g->bias != NULL) {
      for (int r = 0; r < m; r++) {
        memcpy(c + (size_t) r * g->ldc, g->bias + col, (size_t) n * sizeof(float));
      }
    }
    sgemm(CBLAS_ROW_MAJOR, g->trans_a ? CBLAS_TRANS : CBLAS_NO_TRANS,
        g->trans_b ? CBLAS_TRANS : CBLAS_NO_TRANS, m, n, g->k, g->alpha, a, g->lda, b, g->ldb,
        g->beta, c, g->ldc);
  }
}

void kiln_gemm(int trans_a, int trans_b, int m, int n, int k, float alpha, const float *a,
    int lda, const float *b, int ldb, float beta, float *c, int ldc) {
  /* Along the longer side of c. Column slices of x·W need only their half of the weights, which
     measured better in a step (step / products 1.49-1.51 against 1.60-1.75 with row slices, at
     batch 128) than whole rows per thread, despite the cache line that the two halves of each
     row of c share (ND4J's buffers are only 16-byte aligned). */
  struct gemm_args g = {.trans_a = trans_a, .trans_b = trans_b, .m = m, .n = n, .k = k,
      .lda = lda, .ldb = ldb, .ldc = ldc, .split_rows = m >= n, .alpha = alpha, .beta = beta,
      .a = a, .b = b, .c = c};
  run(gemm_part, &g, (long) m * n * k, MIN_PARALLEL_MULTIPLY_ADDS);
}

/*
 * A dense layer's forward product y = x·W + bias with the inner dimension (the layer's inputs)
 * cut among the threads: thread t multiplies its columns of x by its rows of W, into y (t = 0) or
 * its own partial; a second pass adds the partials and the bias, cut by columns of y.
 *
 * Why not cut y: the optimizer updates each weight matrix in slices of whole rows (an element-wise
 * pass over its memory), and the weight gradient x^T·dy is cut by its rows too, so thread t holds
 * rows t of W, of its gradient and of its momentum in its core's cache. A forward product cut by
 * columns of y needs every row of W (half of them last written by the other core); cut along
 * the inputs it reads only its rows of W, which the same thread updated at the end of the last
 * step and whose gradient it computes next, and its columns of x, which its slice of that
 * gradient reads too. The added pass reads n·out partial values per extra thread. Measured on the
 * reference step at batch 128 (two threads): products 10-15 % faster in the step, SGD 63-82 us
 * instead of 79-100, step / products 1.26-1.40 against 1.37-1.50 (docs/performance.md).
 *
 * Partials live in a buffer of the calling thread (grown to its largest layer, freed when the
 * thread ends), so that two Java threads sharing the pool never share partials; a busy pool runs
 * the same slices one after the other on the caller, giving the same bits.
 */
static __thread float *partials;
static __thread size_t partials_size;
static pthread_key_t partials_key;
static pthread_once_t partials_once = PTHREAD_ONCE_INIT;

static void partials_key_create(void) {
  pthread_key_create(&partials_key, free);
}

void dense_product_part(const void *p, int part, int parts) {
  const struct dense_args *a = p;
  const struct dense_layer *d = &a->layer;
  long lo, hi;
  slice(d->in, part, parts, 16, &lo, &hi);
  float *c = part == 0 ? d->y : a->partials + (size_t) (part - 1) * d->n * d->out;
  if (hi > lo) {
    sgemm(CBLAS_ROW_MAJOR, CBLAS_NO_TRANS, CBLAS_NO_TRANS, d->n, d->out, (int) (hi - lo), 1.0f,
        d->x + lo, d->in, d->w + lo * d->out, d->out, 0.0f, c, d->out);
  } else {
    for (long r = 0; r < d->n; r++) memset(c + r * d->out, 0, (size_t) d->out * sizeof(float));
  }
}

/* y = ((y + partial 1) + partial 2 ...) + bias, for a slice of columns. */
CLONES static void dense_sum_partials(float *restrict y, const float *restrict partials,
    const float *restrict bias, long n, int out, int parts, long lo, long hi) {
  for (long r = 0; r < n; r++) {
    float *yr = y + r * out;
    for (int q = 1; q < parts; q++) {
      const float *pr = partials + ((size_t) (q - 1) * n + r) * out;
      for (long j = lo; j < hi; j++) yr[j] = yr[j] + pr[j];
    }
    if (bias != NULL) {
      for (long j = lo; j < hi; j++) yr[j] = yr[j] + bias[j];
    }
  }
}

void dense_sum_part(const void *p, int part, int parts) {
  const struct dense_args *a = p;
  const struct dense_layer *d = &a->layer;
  long lo, hi;
  slice(d->out, part, parts, 16, &lo, &hi);
  if (hi > lo) dense_sum_partials(d->y, a->partials, d->bias, d->n, d->out, parts, lo, hi);
}

/*
 * Whether a dense layer's product is cut along its inputs (then the calling thread's partials are
 * allocated): more than one thread, a product large enough to cut, at least 64 inputs per thread,
 * a thread's share of the weights, their gradient and momentum fits in its L2 (the gain is
 * those rows staying in its cache; for the wide 784-1024-1024-10 network they do not fit, and
 * the partials would only add traffic), the batch is at most 4 times the inputs (beyond that a
 * thread's partial of n·out values costs more traffic than its rows of the weights save: the
 * GPT's 1,536 positions on 256 inputs took 1.9 ms cut along the inputs against 1.2-1.4 ms for
 * the product alone), and the partials take at most 8 L2s.
 */
int dense_cut_along_inputs(int n, int in, int out, float **partials_out) {
  int parts = pool_threads;
  long weight_bytes_per_thread = 3L * in * out * (long) sizeof(float) / (parts > 0 ? parts : 1);
  size_t need = (size_t) (parts > 1 ? parts - 1 : 0) * n * out;
  /* Partials larger than a few L2s (a large batch on many threads) cost more traffic than the
     weights' residency saves, and memory. */
  if (parts <= 1 || (long) n * in * out < MIN_PARALLEL_MULTIPLY_ADDS || in < 64 * parts
      || n > 4L * in
      || weight_bytes_per_thread > l2_bytes || need * sizeof(float) > 8 * (size_t) l2_bytes) {
    return 0;
  }
  if (need > partials_size) {
    float *grown = aligned_alloc(64, (need * sizeof(float) + 63) / 64 * 64);
    if (grown == NULL) return 0;
    pthread_once(&partials_once, partials_key_create);
    free(partials);
    partials = grown;
    partials_size = need;
    pthread_setspecific(partials_key, grown); /* freed by the key's destructor at thread exit */
  }
  *partials_out = partials;
  return 1;
}

int kiln_dense_forward(const struct dense_layer *layer) {
  struct dense_args d = {.layer = *layer};
  if (!dense_cut_along_inputs(layer->n, layer->in, layer->out, &d.partials)) {
    /* kiln_gemm's slices, each thread copying the bias into its own slice of y first (while it
       is in its cache): the Java loop's bias copy and product y = x·W + y, in one dispatch. */
    struct gemm_args g = {.m = layer->n, .n = layer->out, .k = layer->in, .lda = layer->in,
        .ldb = layer->out, .ldc = layer->out, .split_rows = layer->n >= layer->out, .alpha = 1.0f,
        .beta = layer->bias != NULL ? 1.0f : 0.0f, .a = layer->x, .b = layer->w, .c = layer->y,
        .bias = layer->bias};
    run(gemm_part, &g, (long) layer->n * layer->out * layer->in, MIN_PARALLEL_MULTIPLY_ADDS);
    return 0;
  }
  /* Always all slices, even when the pool is busy (run's serial path), for the same bits. */
  run(dense_product_part, &d, LONG_MAX, 0);
  run(dense_sum_part, &d, LONG_MAX, 0);
  return 1;
}
