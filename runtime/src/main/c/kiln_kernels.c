/*
 * Kiln's element-wise training kernels in C, called through JNI by dev.kiln.runtime.backend.NativeKernels.
 *
 * Each function is the same arithmetic, in the same order, as the Java loop it replaces (the
 * reference, kept in the runtime and used where this library is unavailable): float where the
 * Java code uses float, double where it uses double, no fused multiply-add (the build passes
 * -ffp-contract=off) and reductions in the same order. The results are therefore bitwise equal
 * to the Java loops (NativeKernelsTest checks it); what changes is speed: GCC vectorises these
 * loops, and target_clones compiles each for AVX-512, AVX2 and plain x86-64, picked at load time
 * from the CPU.
 *
 * Memory: arguments are addresses of float32 arrays (ND4J buffers, resolved once per Tensor) and
 * of per-kernel scratch allocated once by the Java side. Nothing here allocates after start-up.
 *
 * Threads: with more than one thread configured (NativeKernels.threads), large kernels and matrix
 * products are cut into fixed slices, one per thread: the calling thread takes slice 0, parked
 * worker threads the others. Slices never change how an element is computed (element-wise work,
 * column-wise statistics split by columns, the sum of squares in two fixed halves whatever the
 * thread count), so these kernels give the same bits with any number of threads. Matrix products
 * are cut along rows or columns of the output and each slice calls OpenBLAS single-threaded: the
 * same products OpenBLAS's own threads would compute, deterministic for a given thread count.
 */

#define _GNU_SOURCE
#include <dlfcn.h>
#include <jni.h>
#include <limits.h>
#include <linux/futex.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#define F(addr) ((float *) (intptr_t) (addr))
#define D(addr) ((double *) (intptr_t) (addr))

/* ---- the thread pool ------------------------------------------------------------------------ */

#define MAX_THREADS 16
/* Pause iterations a worker spins for the next task before it sleeps (about 0.1 ms). */
#define SPIN_LIMIT 4000
/* Below this many elements (or multiply-adds for products) a kernel runs on the calling thread. */
#define MIN_PARALLEL_ELEMENTS 16384
#define MIN_PARALLEL_MULTIPLY_ADDS (1L << 20)

typedef void (*part_fn)(const void *args, int part, int parts);

static int pool_threads = 1;
/* A core's L2 cache in bytes (sysconf at start; 1 MiB where the system does not say). */
static long l2_bytes = 1L << 20;
static part_fn task_fn;
static const void *task_args;
static atomic_int task_epoch;
static atomic_int task_done;
static atomic_int sleepers;
static atomic_flag pool_busy = ATOMIC_FLAG_INIT;

static void *worker_main(void *arg) {
  int part = (int) (intptr_t) arg;
  int seen = 0;
  for (;;) {
    int epoch;
    int spins = 0;
    while ((epoch = atomic_load_explicit(&task_epoch, memory_order_acquire)) == seen) {
      if (++spins < SPIN_LIMIT) {
        __builtin_ia32_pause();
        continue;
      }
      atomic_fetch_add(&sleepers, 1);
      syscall(SYS_futex, &task_epoch, FUTEX_WAIT_PRIVATE, seen, NULL, NULL, 0);
      atomic_fetch_sub(&sleepers, 1);
      spins = 0;
    }
    seen = epoch;
    task_fn(task_args, part, pool_threads);
    atomic_fetch_add_explicit(&task_done, 1, memory_order_release);
  }
  return NULL;
}

/*
 * Runs fn over all slices: on the pool when it has several threads and the work is large enough.
 * Small work is one slice on the calling thread. If another Java thread is using the pool at the
 * moment, the calling thread runs the same slices one after the other, so that the result does not
 * depend on what other threads do.
 */
static void run(part_fn fn, const void *args, long work, long min_work) {
  if (pool_threads <= 1 || work < min_work) {
    fn(args, 0, 1);
    return;
  }
  if (atomic_flag_test_and_set(&pool_busy)) {
    for (int part = 0; part < pool_threads; part++) fn(args, part, pool_threads);
    return;
  }
  task_fn = fn;
  task_args = args;
  atomic_store_explicit(&task_done, 0, memory_order_relaxed);
  atomic_fetch_add(&task_epoch, 1);
  if (atomic_load(&sleepers) > 0) {
    syscall(SYS_futex, &task_epoch, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
  }
  fn(args, 0, pool_threads);
  while (atomic_load_explicit(&task_done, memory_order_acquire) < pool_threads - 1) {
    __builtin_ia32_pause();
  }
  atomic_flag_clear(&pool_busy);
}

/* Slice [*lo, *hi) of total for part of parts, slice starts aligned to align elements. */
static void slice(long total, int part, int parts, long align, long *lo, long *hi) {
  long chunk = (total + parts - 1) / parts;
  chunk = (chunk + align - 1) / align * align;
  long a = (long) part * chunk;
  *lo = a < total ? a : total;
  *hi = a + chunk < total ? a + chunk : total;
}

typedef void (*sgemm_fn)(int order, int trans_a, int trans_b, int m, int n, int k, float alpha,
    const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc);
typedef void (*set_threads_fn)(int threads);
static sgemm_fn sgemm;

/*
 * Starts threads - 1 workers (once) and takes cblas_sgemm from the OpenBLAS already loaded from
 * openblas_path, which is set to one thread of its own: Kiln's threads (or, with one, the calling
 * thread) do all the work. Returns the number of threads in use, or -1 if OpenBLAS's functions
 * could not be found.
 */
JNIEXPORT jint JNICALL Java_dev_kiln_runtime_backend_NativeKernels_start(
    JNIEnv *env, jclass cls, jint threads, jstring openblas_path) {
  const char *path = (*env)->GetStringUTFChars(env, openblas_path, NULL);
  void *lib = dlopen(path, RTLD_NOW | RTLD_NOLOAD);
  (*env)->ReleaseStringUTFChars(env, openblas_path, path);
  if (lib == NULL) return -1;
  sgemm = (sgemm_fn) dlsym(lib, "cblas_sgemm");
  set_threads_fn set_threads = (set_threads_fn) dlsym(lib, "openblas_set_num_threads");
  if (sgemm == NULL || set_threads == NULL) return -1;
  if (threads > MAX_THREADS) threads = MAX_THREADS;
  set_threads(1); /* Kiln's threads, or the one calling thread, do all the work */
  long l2 = sysconf(_SC_LEVEL2_CACHE_SIZE);
  if (l2 > 0) l2_bytes = l2;
  if (threads > 1) {
    for (int t = 1; t < threads; t++) {
      pthread_t worker;
      pthread_attr_t attr;
      pthread_attr_init(&attr);
      pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
      if (pthread_create(&worker, &attr, worker_main, (void *) (intptr_t) t) != 0) {
        threads = t;
      }
      pthread_attr_destroy(&attr);
      if (threads == t) break;
    }
    pool_threads = threads;
  }
  return pool_threads;
}

/* ---- matrix products -------------------------------------------------------------------------- */

struct gemm_args {
  int trans_a, trans_b, m, n, k, lda, ldb, ldc, split_rows;
  float alpha, beta;
  const float *a, *b;
  float *c;
};

#define CBLAS_ROW_MAJOR 101
#define CBLAS_NO_TRANS 111
#define CBLAS_TRANS 112

static void gemm_part(const void *p, int part, int parts) {
  const struct gemm_args *g = p;
  long lo, hi;
  const float *a = g->a, *b = g->b;
  float *c = g->c;
  int m = g->m, n = g->n;
  if (g->split_rows) {
    slice(g->m, part, parts, 16, &lo, &hi);
    a += g->trans_a ? lo : lo * g->lda;
    c += lo * g->ldc;
    m = (int) (hi - lo);
  } else {
    slice(g->n, part, parts, 16, &lo, &hi);
    b += g->trans_b ? lo * g->ldb : lo;
    c += lo;
    n = (int) (hi - lo);
  }
  if (m > 0 && n > 0) {
    sgemm(CBLAS_ROW_MAJOR, g->trans_a ? CBLAS_TRANS : CBLAS_NO_TRANS,
        g->trans_b ? CBLAS_TRANS : CBLAS_NO_TRANS, m, n, g->k, g->alpha, a, g->lda, b, g->ldb,
        g->beta, c, g->ldc);
  }
}

/* c = alpha·op(a)·op(b) + beta·c, row-major (Blas.gemm), cut along the longer side of c. */
JNIEXPORT void JNICALL Java_dev_kiln_runtime_backend_NativeKernels_gemm(
    JNIEnv *env, jclass cls, jboolean trans_a, jboolean trans_b, jint m, jint n, jint k,
    jfloat alpha, jlong a, jint lda, jlong b, jint ldb, jfloat beta, jlong c, jint ldc) {
  /* Along the longer side of c. Column slices of x·W need only their half of the weights, which
     measured better in a step (step / products 1.49-1.51 against 1.60-1.75 with row slices, at
     batch 128) than whole rows per thread, despite the cache line that the two halves of each
     row of c share (ND4J's buffers are only 16-byte aligned). */
  struct gemm_args g = {trans_a, trans_b, m, n, k, lda, ldb, ldc, m >= n, alpha, beta, F(a), F(b),
      F(c)};
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

struct dense_args {
  const float *x, *w, *bias;
  float *y, *partials;
  int n, in, out;
};

static void dense_product_part(const void *p, int part, int parts) {
  const struct dense_args *d = p;
  long lo, hi;
  slice(d->in, part, parts, 16, &lo, &hi);
  float *c = part == 0 ? d->y : d->partials + (size_t) (part - 1) * d->n * d->out;
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

static void dense_sum_part(const void *p, int part, int parts) {
  const struct dense_args *d = p;
  long lo, hi;
  slice(d->out, part, parts, 16, &lo, &hi);
  if (hi > lo) dense_sum_partials(d->y, d->partials, d->bias, d->n, d->out, parts, lo, hi);
}

/* The L2 size used by denseForward's choice, in bytes (for tests). */
JNIEXPORT jlong JNICALL Java_dev_kiln_runtime_backend_NativeKernels_cacheBytes(JNIEnv *env, jclass cls) {
  return l2_bytes;
}

/*
 * Whether a dense layer's product is cut along its inputs (then the calling thread's partials are
 * allocated): more than one thread, a product large enough to cut, at least 64 inputs per thread,
 * a thread's share of the weights, their gradient and momentum fits in its L2 (the gain is
 * those rows staying in its cache; for the wide 784-1024-1024-10 network they do not fit, and
 * the partials would only add traffic), and the partials take at most 8 L2s.
 */
static int dense_cut_along_inputs(int n, int in, int out) {
  int parts = pool_threads;
  long weight_bytes_per_thread = 3L * in * out * (long) sizeof(float) / (parts > 0 ? parts : 1);
  size_t need = (size_t) (parts > 1 ? parts - 1 : 0) * n * out;
  /* Partials larger than a few L2s (a large batch on many threads) cost more traffic than the
     weights' residency saves, and memory. */
  if (parts <= 1 || (long) n * in * out < MIN_PARALLEL_MULTIPLY_ADDS || in < 64 * parts
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
  return 1;
}

/*
 * Returns whether it computed y = x·W + bias cut along the inputs (Dense.forward); false when the
 * product is not to be cut (see dense_cut_along_inputs): the caller then uses gemm.
 */
JNIEXPORT jboolean JNICALL Java_dev_kiln_runtime_backend_NativeKernels_denseForward(
    JNIEnv *env, jclass cls, jlong x, jint n, jint in, jlong w, jint out, jlong bias, jlong y) {
  if (!dense_cut_along_inputs(n, in, out)) return JNI_FALSE;
  struct dense_args d = {F(x), F(w), bias ? F(bias) : NULL, F(y), partials, n, in, out};
  /* Always all slices, even when the pool is busy (run's serial path), for the same bits. */
  run(dense_product_part, &d, LONG_MAX, 0);
  run(dense_sum_part, &d, LONG_MAX, 0);
  return JNI_TRUE;
}

/* ---- kernels ---------------------------------------------------------------------------------- */

/* Columns processed together by the column-wise reductions: their accumulators live on the stack. */
#define BLOCK 64

/*
 * out[j] = sum over rows r < n of x[r][j], in double, row order (Reductions.sumRows), for the
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

JNIEXPORT void JNICALL Java_dev_kiln_runtime_backend_NativeKernels_sumRows(
    JNIEnv *env, jclass cls, jlong x, jint n, jint w, jlong out) {
  struct sum_rows_args a = {F(x), n, w, F(out)};
  run(sum_rows_part, &a, (long) n * w, MIN_PARALLEL_ELEMENTS);
}

/*
 * Batch normalisation, training mode (BatchNormKernel.forwardTrain), for the width channels
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

/* max(0, v) with NaN kept and -0.0 mapped to +0.0, on the bits (Activations.relu). */
static inline float relu1(float v) {
  int32_t bits;
  memcpy(&bits, &v, sizeof bits);
  int32_t nan = (0x7f800000 - (bits & 0x7fffffff)) >> 31;
  bits &= ~(bits >> 31) | nan;
  memcpy(&v, &bits, sizeof v);
  return v;
}

/* dy where 0 < act <= +inf, else +0.0 (Activations.reluBackward, with its positive mask). */
static inline float relu_grad1(float dy, float act) {
  uint32_t a;
  int32_t d;
  memcpy(&a, &act, sizeof a);
  memcpy(&d, &dy, sizeof d);
  uint32_t t = a - 1u;
  d &= ((int32_t) ((t - 0x7f800000u) & ~t)) >> 31;
  memcpy(&dy, &d, sizeof dy);
  return dy;
}

/*
 * xhat = (x - mean)·invStd, y = gamma·xhat + beta for the width channels starting at x (rows
 * stride floats apart), then max(0, y) when
 * relu (BatchNormKernel.forwardTrainRelu: the same bits as a separate Activations.relu). xhat and
 * y may each be x (every element is read before its own outputs are written).
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

struct bn_args {
  const float *x, *dy, *gamma, *beta, *xhat_in, *act;
  float *rm, *rv, *xhat, *y, *gamma_grad, *beta_grad, *dx;
  int n, c, relu;
  double momentum, epsilon;
  double *d;
  float *f;
};

/* The bn_args a of a slice function, its channels [lo, hi) and their scratch s; an empty slice
   returns. */
#define CHANNEL_SLICE(a, s, lo, hi)                                \
  const struct bn_args *a = p;                                     \
  long lo, hi;                                                     \
  slice(a->c, part, parts, 16, &lo, &hi);                          \
  if (hi <= lo) return;                                            \
  struct bn_scratch s = bn_scratch_at(a->d, a->f, a->c, lo);

/*
 * Statistics then normalisation of one slice of channels: every value of a channel is computed by
 * the thread that owns the channel, so that one dispatch does the whole layer and the slice's
 * columns stay in that core's cache between the two passes.
 */
static void bn_forward_part(const void *p, int part, int parts) {
  CHANNEL_SLICE(a, s, lo, hi)
  bn_statistics(a->x + lo, a->n, a->c, (int) (hi - lo), a->momentum, a->epsilon, a->rm + lo,
      a->rv + lo, s);
  bn_normalize(a->x + lo, a->n, a->c, (int) (hi - lo), s.mean_f, s.inv_std_f, a->gamma + lo,
      a->beta + lo, a->xhat + lo, a->y + lo, a->relu);
}

JNIEXPORT void JNICALL Java_dev_kiln_runtime_backend_NativeKernels_batchNormForwardTrain(
    JNIEnv *env, jclass cls, jlong x, jint n, jint c, jdouble momentum, jdouble epsilon,
    jlong gamma, jlong beta, jlong rm, jlong rv, jlong xhat, jlong y, jlong d, jlong f,
    jboolean relu) {
  struct bn_args a = {.x = F(x), .gamma = F(gamma), .beta = F(beta), .rm = F(rm), .rv = F(rv),
      .xhat = F(xhat), .y = F(y), .n = n, .c = c, .relu = relu, .momentum = momentum,
      .epsilon = epsilon, .d = D(d), .f = F(f)};
  run(bn_forward_part, &a, (long) n * c, MIN_PARALLEL_ELEMENTS);
}

/*
 * A dense layer's forward product cut along its inputs (denseForward), then batch normalisation
 * (and ReLU) in the same dispatch as the partials' sum: each thread normalises the channels whose
 * sums it has just written (BatchNormKernel.denseForwardTrainRelu; the same bits as the two
 * calls).
 */
struct dense_bn_args {
  struct dense_args dense;
  struct bn_args bn;
};

static void dense_sum_bn_part(const void *p, int part, int parts) {
  const struct dense_bn_args *a = p;
  dense_sum_part(&a->dense, part, parts);
  bn_forward_part(&a->bn, part, parts);
}

JNIEXPORT jboolean JNICALL Java_dev_kiln_runtime_backend_NativeKernels_denseBatchNormForwardTrain(
    JNIEnv *env, jclass cls, jlong x, jint n, jint in, jlong w, jint out, jlong bias, jlong pre,
    jdouble momentum, jdouble epsilon, jlong gamma, jlong beta, jlong rm, jlong rv, jlong xhat,
    jlong y, jlong d, jlong f, jboolean relu) {
  if (!dense_cut_along_inputs(n, in, out)) return JNI_FALSE;
  struct dense_bn_args a = {{F(x), F(w), bias ? F(bias) : NULL, F(pre), partials, n, in, out},
      {.x = F(pre), .gamma = F(gamma), .beta = F(beta), .rm = F(rm), .rv = F(rv),
          .xhat = F(xhat), .y = F(y), .n = n, .c = out, .relu = relu, .momentum = momentum,
          .epsilon = epsilon, .d = D(d), .f = F(f)}};
  run(dense_product_part, &a.dense, LONG_MAX, 0);
  run(dense_sum_bn_part, &a, LONG_MAX, 0);
  return JNI_TRUE;
}

/*
 * Batch normalisation backward (BatchNormKernel.backward), first the per-channel sums and
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
 * ...then dx for the width channels starting at dy (rows stride floats apart). dx may be dy. With act (BatchNormKernel.backwardRelu), dy is
 * first masked by ReLU's gradient at act, the layer's output: the same bits as a separate
 * Activations.reluBackward, whose mask is read off the pre-activation (positive exactly where the
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
  CHANNEL_SLICE(a, s, lo, hi)
  const float *act = a->act ? a->act + lo : NULL;
  bn_gradient_sums(a->dy + lo, act, a->xhat_in + lo, a->n, a->c, (int) (hi - lo), a->gamma + lo,
      a->gamma_grad + lo, a->beta_grad + lo, s);
  bn_input_gradient(a->dy + lo, act, a->xhat_in + lo, a->n, a->c, (int) (hi - lo), s.scale_f,
      s.mean_dy_f, s.mean_dy_xhat_f, a->dx + lo);
}

JNIEXPORT void JNICALL Java_dev_kiln_runtime_backend_NativeKernels_batchNormBackward(
    JNIEnv *env, jclass cls, jlong dy, jlong xhat, jint n, jint c, jlong gamma, jlong gammaGrad,
    jlong betaGrad, jlong dx, jlong d, jlong f, jlong act) {
  struct bn_args a = {.dy = F(dy), .act = act ? F(act) : NULL, .xhat_in = F(xhat),
      .gamma = F(gamma),
      .gamma_grad = F(gammaGrad), .beta_grad = F(betaGrad), .dx = F(dx), .n = n, .c = c,
      .d = D(d), .f = F(f)};
  run(bn_backward_part, &a, (long) n * c, MIN_PARALLEL_ELEMENTS);
}

/* Arguments of the element-wise kernels, cut by element index. */
struct elementwise_args {
  const float *x, *dy;
  float *y, *w, *buf;
  const float *g;
  long count, columns;
  float a, b, c, d, e;
  int flag1, flag2, flag3, flag4;
  int result[MAX_THREADS];
};

#define ELEMENT_SLICE(args, part, parts, lo, hi)            \
  const struct elementwise_args *args = p;                  \
  long lo, hi;                                              \
  slice(args->count, part, parts, 16, &lo, &hi);            \
  if (hi <= lo) return;

/* y = max(0, x) with NaN kept and -0.0 mapped to +0.0 (Activations.relu). y may be x. */
CLONES static void relu(const float *x, float *y, long count) {
  const int32_t *xi = (const int32_t *) x;
  int32_t *yi = (int32_t *) y;
  for (long i = 0; i < count; i++) {
    int32_t bits = xi[i];
    int32_t nan = (0x7f800000 - (bits & 0x7fffffff)) >> 31;
    yi[i] = bits & (~(bits >> 31) | nan);
  }
}

static void relu_part(const void *p, int part, int parts) {
  ELEMENT_SLICE(a, part, parts, lo, hi)
  relu(a->x + lo, a->y + lo, hi - lo);
}

JNIEXPORT void JNICALL Java_dev_kiln_runtime_backend_NativeKernels_relu(
    JNIEnv *env, jclass cls, jlong x, jlong y, jint count) {
  struct elementwise_args a = {.x = F(x), .y = F(y), .count = count};
  run(relu_part, &a, count, MIN_PARALLEL_ELEMENTS);
}

/* dx = dy where 0 < x <= +inf, else +0.0 (Activations.reluBackward). dx may be dy. */
CLONES static void relu_backward(const float *x, const float *dy, float *dx, long count) {
  const uint32_t *xi = (const uint32_t *) x;
  const int32_t *di = (const int32_t *) dy;
  int32_t *oi = (int32_t *) dx;
  for (long i = 0; i < count; i++) {
    /* Activations.positiveMask: all ones for 0 < x <= +inf, else zero (NaN included). */
    uint32_t t = xi[i] - 1u;
    int32_t mask = ((int32_t) ((t - 0x7f800000u) & ~t)) >> 31;
    oi[i] = di[i] & mask;
  }
}

static void relu_backward_part(const void *p, int part, int parts) {
  ELEMENT_SLICE(a, part, parts, lo, hi)
  relu_backward(a->x + lo, a->dy + lo, a->y + lo, hi - lo);
}

JNIEXPORT void JNICALL Java_dev_kiln_runtime_backend_NativeKernels_reluBackward(
    JNIEnv *env, jclass cls, jlong x, jlong dy, jlong dx, jint count) {
  struct elementwise_args a = {.x = F(x), .dy = F(dy), .y = F(dx), .count = count};
  run(relu_backward_part, &a, count, MIN_PARALLEL_ELEMENTS);
}

/*
 * Sum of squares in double over eight lanes: lane k adds elements i = k (mod 8) in order, the
 * tail goes to lanes 0, 1, ... in order, and the lanes are added 0..7.
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

/* Reductions.sumSquares: the two fixed halves [0, split) and [split, count), then their sum. */
static void sum_squares_part(const void *p, int part, int parts) {
  struct sum_squares_args *a = (struct sum_squares_args *) p;
  if (parts == 1 || part == 0) a->half[0] = sum_squares_lanes(a->x, a->split);
  if (parts == 1 || part == 1) a->half[1] = sum_squares_lanes(a->x + a->split, a->count - a->split);
}

JNIEXPORT jdouble JNICALL Java_dev_kiln_runtime_backend_NativeKernels_sumSquares(
    JNIEnv *env, jclass cls, jlong x, jint count) {
  struct sum_squares_args a = {F(x), count, (long) count / (2 * SQUARE_LANES) * SQUARE_LANES,
      {0, 0}};
  run(sum_squares_part, &a, count, MIN_PARALLEL_ELEMENTS);
  return a.half[0] + a.half[1];
}

/* x *= factor (Clipping.scale). */
CLONES static void scale(float *restrict x, long count, float factor) {
  for (long i = 0; i < count; i++) x[i] = x[i] * factor;
}

static void scale_part(const void *p, int part, int parts) {
  ELEMENT_SLICE(a, part, parts, lo, hi)
  scale(a->y + lo, hi - lo, a->a);
}

JNIEXPORT void JNICALL Java_dev_kiln_runtime_backend_NativeKernels_scale(
    JNIEnv *env, jclass cls, jlong x, jint count, jfloat factor) {
  struct elementwise_args a = {.y = F(x), .count = count, .a = factor};
  run(scale_part, &a, count, MIN_PARALLEL_ELEMENTS);
}

/* grad += lambda * w (Regularization.addL2). */
CLONES static void add_l2(const float *restrict w, float *restrict g, long count, float lambda) {
  for (long i = 0; i < count; i++) g[i] = g[i] + lambda * w[i];
}

static void add_l2_part(const void *p, int part, int parts) {
  ELEMENT_SLICE(a, part, parts, lo, hi)
  add_l2(a->x + lo, a->y + lo, hi - lo, a->a);
}

JNIEXPORT void JNICALL Java_dev_kiln_runtime_backend_NativeKernels_addL2(
    JNIEnv *env, jclass cls, jlong w, jlong g, jint count, jfloat lambda) {
  struct elementwise_args a = {.x = F(w), .y = F(g), .count = count, .a = lambda};
  run(add_l2_part, &a, count, MIN_PARALLEL_ELEMENTS);
}

/*
 * SGD with momentum, dampening, Nesterov, decoupled decay and coupled L2 folded into the gradient
 * (SgdKernel.update, momentum != 0); g itself is not written.
 */
CLONES static void sgd_momentum(float *restrict w, const float *restrict g, float *restrict buf,
    long count, float lr, float mu, float keep, int nesterov, int first, float keep_w, int decays,
    float l2, int coupled) {
  for (long i = 0; i < count; i++) {
    float gi = coupled ? g[i] + l2 * w[i] : g[i];
    float b = first ? gi : mu * buf[i] + keep * gi;
    buf[i] = b;
    float d = nesterov ? gi + mu * b : b;
    float wi = decays ? w[i] * keep_w : w[i];
    w[i] = wi - lr * d;
  }
}

static void sgd_momentum_part(const void *p, int part, int parts) {
  ELEMENT_SLICE(a, part, parts, lo, hi)
  sgd_momentum(a->w + lo, a->g + lo, a->buf + lo, hi - lo, a->a, a->b, a->c, a->flag1, a->flag2,
      a->d, a->flag3, a->e, a->flag4);
}

JNIEXPORT void JNICALL Java_dev_kiln_runtime_backend_NativeKernels_sgdMomentum(
    JNIEnv *env, jclass cls, jlong w, jlong g, jlong buf, jint count, jfloat lr, jfloat mu,
    jfloat keep, jboolean nesterov, jboolean first, jfloat keepW, jboolean decays, jfloat l2,
    jboolean coupled) {
  struct elementwise_args a = {.w = F(w), .g = F(g), .buf = F(buf), .count = count, .a = lr,
      .b = mu, .c = keep, .d = keepW, .e = l2, .flag1 = nesterov, .flag2 = first, .flag3 = decays,
      .flag4 = coupled};
  run(sgd_momentum_part, &a, count, MIN_PARALLEL_ELEMENTS);
}

/*
 * The index of the first element that is NaN or infinite, or -1 (BatchInput.checkFinite). Blocks
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

/* Cut by element index; the first slice holding one has the first bad value in row-major order. */
static void first_non_finite_part(const void *p, int part, int parts) {
  struct elementwise_args *a = (struct elementwise_args *) p;
  long lo, hi;
  slice(a->count, part, parts, 16, &lo, &hi);
  long i = hi > lo ? first_non_finite(a->x + lo, hi - lo) : -1;
  a->result[part] = i < 0 ? -1 : (int) (lo + i);
}

JNIEXPORT jint JNICALL Java_dev_kiln_runtime_backend_NativeKernels_firstNonFinite(
    JNIEnv *env, jclass cls, jlong x, jint count) {
  struct elementwise_args a = {.x = F(x), .count = count};
  for (int t = 0; t < MAX_THREADS; t++) a.result[t] = -1;
  run(first_non_finite_part, &a, count, MIN_PARALLEL_ELEMENTS);
  for (int t = 0; t < MAX_THREADS; t++) {
    if (a.result[t] >= 0) return a.result[t];
  }
  return -1;
}

/*
 * Mean softmax cross-entropy with label smoothing and its gradient (Losses.softmaxCrossEntropy):
 * the same formulas and order in double, with the C library's exp and log, which may differ from
 * Java's Math.exp and Math.log in the last bit, and the probabilities as exp(z - max) / sum
 * (one exp per logit) instead of exp(z - logSumExp): the loss agrees with the Java loop to a few
 * units in the last place of a double, the float gradient to one float step.
 */
CLONES static double softmax_cross_entropy(const float *restrict z, const float *restrict y,
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

JNIEXPORT jdouble JNICALL Java_dev_kiln_runtime_backend_NativeKernels_softmaxCrossEntropy(
    JNIEnv *env, jclass cls, jlong z, jlong y, jint n, jint classes, jdouble smoothing,
    jlong g) {
  return softmax_cross_entropy(F(z), F(y), n, classes, smoothing, F(g));
}

/* dst = src, count floats (BatchInput.copy), in slices. */
static void copy_part(const void *p, int part, int parts) {
  ELEMENT_SLICE(a, part, parts, lo, hi)
  memcpy(a->y + lo, a->x + lo, (size_t) (hi - lo) * sizeof(float));
}

JNIEXPORT void JNICALL Java_dev_kiln_runtime_backend_NativeKernels_copy(
    JNIEnv *env, jclass cls, jlong src, jlong dst, jint count) {
  struct elementwise_args a = {.x = F(src), .y = F(dst), .count = count};
  run(copy_part, &a, count, MIN_PARALLEL_ELEMENTS);
}
