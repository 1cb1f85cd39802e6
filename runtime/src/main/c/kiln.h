/*
 * Kiln's native kernels: what the source files share. The library is called through JNI by
 * dev.kiln.runtime.backend.cpu.NativeLibrary (kiln_jni.c registers its methods).
 *
 *   kiln_pool.c        the thread pool: start, run a function over slices, slice bounds
 *   kiln_products.c    matrix products cut into slices, a dense layer cut along its inputs
 *   kiln_batch_norm.c  batch normalisation forward and backward, and fused after a dense layer
 *   kiln_elementwise.c ReLU, copies, the non-finite scan, column sums and the sum of squares
 *   kiln_optim.c       optimizer kernels: scaling (clipping), coupled L2, SGD with momentum
 *   kiln_losses.c      softmax cross-entropy
 *   kiln_conv.c        convolution kernels: 2-d convolution cut by samples, batch norm over
 *                      [n, C, H, W] cut by channels, 2x2 max pooling (with ReLU) cut by planes
 *   kiln_sequence.c    sequence kernels: GELU, LayerNorm, the attention core; Adam
 *   kiln_jni.c         JNI_OnLoad and the JNI entry points: addresses to pointers, arguments to
 *                      the structs below
 *
 * Each kernel is the same arithmetic, in the same order, as the Java loop it stands in for
 * (dev.kiln.runtime.backend.java.JavaKernels, used where this library is unavailable): float
 * where the Java code uses float, double where it uses double, no fused multiply-add (the build
 * passes -ffp-contract=off) and reductions in the same order. The results are therefore bitwise
 * equal to the Java loops (NativeKernelsTest checks it); what changes is speed: GCC vectorises
 * these loops, and target_clones compiles each for AVX-512, AVX2 and plain x86-64, picked at load
 * time from the CPU.
 *
 * Memory: arguments are float32 arrays (ND4J buffers, resolved once per Tensor) and per-kernel
 * scratch allocated once by the Java side. Nothing here allocates after start-up, except one
 * buffer of partial products per calling thread, grown to its largest layer (kiln_products.c).
 *
 * Threads: with more than one thread configured, large kernels and matrix products are cut into
 * fixed slices, one per thread: the calling thread takes slice 0, parked worker threads the
 * others. Slices never change how an element is computed (element-wise work, column-wise
 * statistics split by columns, the sum of squares in two fixed halves whatever the thread count),
 * so these kernels give the same bits with any number of threads. Matrix products are cut along
 * rows or columns of the output and each slice calls OpenBLAS single-threaded: the same products
 * OpenBLAS's own threads would compute, deterministic for a given thread count.
 */
#ifndef KILN_H
#define KILN_H

#include <limits.h>
#include <stdint.h>

#define CLONES __attribute__((target_clones("avx512f", "avx2", "default")))

#define MAX_THREADS 16
/* Below this many elements (or multiply-adds for products) a kernel runs on the calling thread. */
#define MIN_PARALLEL_ELEMENTS 16384
#define MIN_PARALLEL_MULTIPLY_ADDS (1L << 20)
/* Columns processed together by the column-wise reductions (accumulators on the stack). */
#define BLOCK 64

/* ---- kiln_pool.c ---------------------------------------------------------------------------- */

/* One slice of a kernel: part of parts (parts is 1, or the pool's thread count). */
typedef void (*part_fn)(const void *args, int part, int parts);

/* Threads in use (1: the calling thread only). */
extern int pool_threads;
/* A core's L2 cache in bytes (sysconf at start; 1 MiB where the system does not say). */
extern long l2_bytes;

/* OpenBLAS's cblas_sgemm, found in the library ND4J loaded (kiln_pool_start). */
typedef void (*sgemm_fn)(int order, int trans_a, int trans_b, int m, int n, int k, float alpha,
    const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc);
extern sgemm_fn sgemm;

#define CBLAS_ROW_MAJOR 101
#define CBLAS_NO_TRANS 111
#define CBLAS_TRANS 112

int kiln_pool_start(int threads, const char *openblas_path);

/*
 * Runs fn over all slices: on the pool when it has several threads and work >= min_work, else one
 * slice on the calling thread. A busy pool (another Java thread) means the same slices one after
 * the other on the calling thread.
 */
void run(part_fn fn, const void *args, long work, long min_work);

/* Slice [*lo, *hi) of total for part of parts, slice starts aligned to align elements. */
static inline void slice(long total, int part, int parts, long align, long *lo, long *hi) {
  long chunk = (total + parts - 1) / parts;
  chunk = (chunk + align - 1) / align * align;
  long a = (long) part * chunk;
  *lo = a < total ? a : total;
  *hi = a + chunk < total ? a + chunk : total;
}

/* ---- kiln_products.c ------------------------------------------------------------------------ */

/* c = alpha·op(a)·op(b) + beta·c, row-major (Kernels.gemm), cut along the longer side of c. */
void kiln_gemm(int trans_a, int trans_b, int m, int n, int k, float alpha, const float *a,
    int lda, const float *b, int ldb, float beta, float *c, int ldc);

/* A dense layer's forward product y = x·W + bias: x [n, in], W [in, out], bias [out] or NULL. */
struct dense_layer {
  const float *x, *w, *bias;
  float *y;
  int n, in, out;
};

/* A dense layer cut along its inputs: the layer and the calling thread's partial products. */
struct dense_args {
  struct dense_layer layer;
  float *partials;
};

/* Whether the layer is cut along its inputs; then *partials is the calling thread's buffer. */
int dense_cut_along_inputs(int n, int in, int out, float **partials);
void dense_product_part(const void *args, int part, int parts);
void dense_sum_part(const void *args, int part, int parts);

/* Computes the layer: cut along its inputs (returns 1), or as the bias copied into y and the
   product y = x·W + y in kiln_gemm's slices (returns 0; the Java loop's bits). */
int kiln_dense_forward(const struct dense_layer *layer);

/* ---- kiln_batch_norm.c ---------------------------------------------------------------------- */

/*
 * A batch-normalisation layer of c channels over n rows of [n, c] and the scratch of its kernels:
 * 5·c doubles and 5·c floats, allocated once by the Java side (NativeKernels.Scratch).
 */
struct bn_layer {
  int n, c;
  double momentum, epsilon;
  double *scratch_doubles;
  float *scratch_floats;
};

/* Training-mode forward (Kernels.batchNormForwardTrain): xhat and y may each be x. */
struct bn_forward {
  struct bn_layer layer;
  const float *x, *gamma, *beta;
  float *running_mean, *running_var, *xhat, *y;
  int relu;
};

/* Backward (Kernels.batchNormBackward); act NULL for batch norm without ReLU; dx may be dy. */
struct bn_backward {
  struct bn_layer layer;
  const float *dy, *act, *xhat, *gamma;
  float *gamma_grad, *beta_grad, *dx;
};

void kiln_batch_norm_forward(const struct bn_forward *f);
void kiln_batch_norm_backward(const struct bn_backward *b);
/* The dense layer into f->x, then f, in one dispatch; 0 (nothing written) when not cut. */
int kiln_dense_batch_norm_forward(const struct dense_layer *dense, const struct bn_forward *f);

/* ---- kiln_elementwise.c --------------------------------------------------------------------- */

void kiln_relu(const float *x, float *y, long count);
void kiln_relu_backward(const float *x, const float *dy, float *dx, long count);
void kiln_copy(const float *src, float *dst, long count);
long kiln_first_non_finite(const float *x, long count);
void kiln_sum_rows(const float *x, int n, int width, float *out);
double kiln_sum_squares(const float *x, long count);

/* max(0, v) with NaN kept and -0.0 mapped to +0.0, on the bits (Kernels.relu). */
static inline float relu1(float v) {
  int32_t bits;
  __builtin_memcpy(&bits, &v, sizeof bits);
  int32_t nan = (0x7f800000 - (bits & 0x7fffffff)) >> 31;
  bits &= ~(bits >> 31) | nan;
  __builtin_memcpy(&v, &bits, sizeof v);
  return v;
}

/* dy where 0 < act <= +inf, else +0.0 (Kernels.reluBackward, with its positive mask). */
static inline float relu_grad1(float dy, float act) {
  uint32_t a;
  int32_t d;
  __builtin_memcpy(&a, &act, sizeof a);
  __builtin_memcpy(&d, &dy, sizeof d);
  uint32_t t = a - 1u;
  d &= ((int32_t) ((t - 0x7f800000u) & ~t)) >> 31;
  __builtin_memcpy(&dy, &d, sizeof dy);
  return dy;
}

/* ---- kiln_optim.c --------------------------------------------------------------------------- */

/*
 * The settings of one SGD-with-momentum step (Kernels.sgdMomentum), as float factors rounded once
 * on the Java side.
 */
struct sgd_settings {
  float learning_rate;
  float momentum;
  float dampening_keep; /* 1 - dampening */
  float decay_keep;     /* 1 - decoupled decay, applied when decays */
  float l2;             /* coupled L2, folded into the gradient when coupled */
  int nesterov, first_step, decays, coupled;
};

void kiln_scale(float *x, long count, float factor);
void kiln_add_l2(const float *w, float *g, long count, float lambda);
void kiln_sgd_momentum(float *w, const float *g, float *buffer, long count,
    const struct sgd_settings *settings);

/* ---- kiln_losses.c -------------------------------------------------------------------------- */

double kiln_softmax_cross_entropy(const float *z, const float *y, int n, int classes,
    double smoothing, float *g);

/* ---- kiln_conv.c (convolution kernels) ------------------------------------------------------ */

/* A convolution layer (Kernels' ConvShape): NCHW, weight [out, c, kh, kw]. */
struct conv_layer {
  int c, h, w, out, kh, kw, sh, sw, ph, pw, oh, ow, forward_group, backward_group;
};

/* Floats of one thread's region of the workspace for a batch of n (64-byte multiple). */
long kiln_conv_thread_floats(const struct conv_layer *l, int n);
/*
 * Workspace: pool_threads regions of kiln_conv_thread_floats, then (pool_threads - 1) partial
 * weight gradients of out·c·kh·kw floats rounded up to 16 (Kernels.conv2dWorkspaceElements).
 */
void kiln_conv_forward(const struct conv_layer *l, const float *x, int n, const float *w,
    const float *bias, float *y, float *work);
void kiln_conv_backward(const struct conv_layer *l, const float *x, const float *dy, int n,
    const float *w, float *weight_grad, float *bias_grad, float *dx, float *work);
/* Batch norm per channel of [n, c, plane]: layer->n samples; invStd kept at doubles[c, 2c). */
void kiln_batch_norm_2d_forward(const struct bn_layer *layer, long plane, const float *x,
    const float *gamma, const float *beta, float *running_mean, float *running_var, float *xhat,
    float *y, int relu);
void kiln_batch_norm_2d_backward(const struct bn_layer *layer, long plane, const float *dy,
    const float *act, const float *xhat, const float *gamma, float *gamma_grad, float *beta_grad,
    float *dx);
void kiln_max_pool_2x2_forward(const float *x, long planes, int h, int w, float *y, int *argmax,
    int relu);
void kiln_max_pool_2x2_backward(const float *dy, const float *y, long planes, int h, int w,
    const int *argmax, float *dx);

/* ---- kiln_sequence.c ------------------------------------------------------------------------ */

/* GELU over count values (Kernels.gelu): the exact (erf) form, or the tanh form. y may be x. */
void kiln_gelu(const float *x, float *y, long count, int tanh_form);
/* dx = dy·gelu'(x) (Kernels.geluBackward); y, the forward output, or NULL; dx may be dy. */
void kiln_gelu_backward(const float *x, const float *y, const float *dy, float *dx, long count,
    int tanh_form);

/* LayerNorm over rows of [rows, features] (Kernels.layerNormForward / layerNormBackward). */
struct layer_norm {
  int rows, features;
  double epsilon;
  const float *x, *gamma, *beta, *dy;
  float *mean, *rstd, *y;          /* forward outputs; mean and rstd are read backward */
  float *dx, *gamma_grad, *beta_grad; /* backward outputs; dx NULL where not needed */
};

void kiln_layer_norm_forward(const struct layer_norm *ln);
void kiln_layer_norm_backward(const struct layer_norm *ln);

/*
 * The attention core (Kernels.attentionForward / attentionBackward) on [n, t, width] q, k, v with
 * heads contiguous slices of width / heads features; probabilities [n, heads, t, t]. scratch:
 * pool_threads blocks of context·context floats, one per slice (backward only).
 */
struct attention {
  int n, t, context, width, heads, causal, backward;
  float scale;
  const float *q, *k, *v, *dy;
  float *probabilities, *y, *dq, *dk, *dv, *scratch;
};

void kiln_attention(const struct attention *a);

/* The float factors of one Adam step (Kernels.adam), rounded once on the Java side. */
struct adam_settings {
  float keep, b1, one_minus_b1, b2, one_minus_b2, neg_step_size, bc2_sqrt, eps;
  int decays;
};

/* One Adam/AdamW step over count parameters; v_max NULL without AMSGrad. */
void kiln_adam(float *w, const float *g, float *m, float *v, float *v_max, long count,
    const struct adam_settings *settings);

#endif
