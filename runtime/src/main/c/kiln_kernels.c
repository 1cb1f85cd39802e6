/*
 * Kiln's element-wise training kernels in C, called through JNI by dev.kiln.runtime.NativeKernels.
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
 * of per-kernel scratch allocated once by the Java side. Nothing here allocates.
 */
#include <jni.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#define CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#define F(addr) ((float *) (intptr_t) (addr))
#define D(addr) ((double *) (intptr_t) (addr))

/* Columns processed together by the column-wise reductions: their accumulators live on the stack. */
#define BLOCK 64

/* out[j] = sum over rows r < n of x[r][j], in double, row order (Reductions.sumRows). */
CLONES static void sum_rows(const float *restrict x, int n, int w, float *restrict out) {
  for (int j0 = 0; j0 < w; j0 += BLOCK) {
    int m = w - j0 < BLOCK ? w - j0 : BLOCK;
    double s[BLOCK];
    for (int j = 0; j < m; j++) s[j] = 0;
    for (int r = 0; r < n; r++) {
      const float *row = x + (size_t) r * w + j0;
      for (int j = 0; j < m; j++) s[j] += row[j];
    }
    for (int j = 0; j < m; j++) out[j0 + j] = (float) s[j];
  }
}

JNIEXPORT void JNICALL Java_dev_kiln_runtime_NativeKernels_sumRows(
    JNIEnv *env, jclass cls, jlong x, jint n, jint w, jlong out) {
  sum_rows(F(x), n, w, F(out));
}

/*
 * Batch normalisation, training mode (BatchNormKernel.forwardTrain). Scratch: d[0..c) mean,
 * d[c..2c) invStd (kept for the backward pass), d[2c..3c) sum, d[3c..4c) sum of squares,
 * d[4c..5c) shift; f[0..c) mean, f[c..2c) invStd as float.
 */
CLONES static void bn_forward_train(const float *x, int n, int c, double momentum,
    double epsilon, const float *restrict gamma, const float *restrict beta,
    float *restrict rm, float *restrict rv, float *restrict xhat, float *y, double *restrict d,
    float *restrict f) {
  double *mean = d, *inv_std = d + c, *sum = d + 2 * c, *sum_sq = d + 3 * c, *shift = d + 4 * c;
  float *mean_f = f, *inv_std_f = f + c;
  for (int j = 0; j < c; j++) {
    shift[j] = x[j];
    sum[j] = 0;
    sum_sq[j] = 0;
  }
  for (int r = 1; r < n; r++) {
    const float *row = x + (size_t) r * c;
    for (int j = 0; j < c; j++) {
      double v = (double) row[j] - shift[j];
      sum[j] += v;
      sum_sq[j] += v * v;
    }
  }
  for (int j = 0; j < c; j++) {
    double s = sum[j];
    double squares = sum_sq[j] - s * s / n;
    if (!(squares > 0)) squares = squares != squares ? squares : 0; /* Math.max(0, v): NaN stays */
    double biased = squares / n;
    double unbiased = squares / (n - 1);
    mean[j] = shift[j] + s / n;
    inv_std[j] = 1.0 / sqrt(biased + epsilon);
    mean_f[j] = (float) mean[j];
    inv_std_f[j] = (float) inv_std[j];
    rm[j] = (float) ((1 - momentum) * rm[j] + momentum * mean[j]);
    rv[j] = (float) ((1 - momentum) * rv[j] + momentum * unbiased);
  }
  for (int r = 0; r < n; r++) {
    const float *xr = x + (size_t) r * c;
    float *hr = xhat + (size_t) r * c;
    float *yr = y + (size_t) r * c;
    for (int j = 0; j < c; j++) {
      float h = (xr[j] - mean_f[j]) * inv_std_f[j];
      hr[j] = h;
      yr[j] = gamma[j] * h + beta[j];
    }
  }
}

JNIEXPORT void JNICALL Java_dev_kiln_runtime_NativeKernels_batchNormForwardTrain(
    JNIEnv *env, jclass cls, jlong x, jint n, jint c, jdouble momentum, jdouble epsilon,
    jlong gamma, jlong beta, jlong rm, jlong rv, jlong xhat, jlong y, jlong d, jlong f) {
  bn_forward_train(F(x), n, c, momentum, epsilon, F(gamma), F(beta), F(rm), F(rv), F(xhat), F(y),
      D(d), F(f));
}

/*
 * Batch normalisation backward (BatchNormKernel.backward), with the forward pass's invStd in
 * d[c..2c). Scratch: d[2c..3c) sum of dy, d[3c..4c) sum of dy·xhat; f[2c..5c) the float
 * coefficients. dx may be dy.
 */
CLONES static void bn_backward(const float *dy, const float *restrict xhat, int n, int c,
    const float *restrict gamma, float *restrict gamma_grad, float *restrict beta_grad, float *dx,
    double *restrict d, float *restrict f) {
  double *inv_std = d + c, *sum_dy = d + 2 * c, *sum_dy_xhat = d + 3 * c;
  float *scale_f = f + 2 * c, *mean_dy_f = f + 3 * c, *mean_dy_xhat_f = f + 4 * c;
  for (int j = 0; j < c; j++) {
    sum_dy[j] = 0;
    sum_dy_xhat[j] = 0;
  }
  for (int r = 0; r < n; r++) {
    const float *dr = dy + (size_t) r * c;
    const float *hr = xhat + (size_t) r * c;
    for (int j = 0; j < c; j++) {
      double v = dr[j];
      sum_dy[j] += v;
      sum_dy_xhat[j] += v * hr[j];
    }
  }
  for (int j = 0; j < c; j++) {
    gamma_grad[j] = (float) sum_dy_xhat[j];
    beta_grad[j] = (float) sum_dy[j];
    scale_f[j] = (float) (gamma[j] * inv_std[j]);
    mean_dy_f[j] = (float) (sum_dy[j] / n);
    mean_dy_xhat_f[j] = (float) (sum_dy_xhat[j] / n);
  }
  for (int r = 0; r < n; r++) {
    const float *dr = dy + (size_t) r * c;
    const float *hr = xhat + (size_t) r * c;
    float *xr = dx + (size_t) r * c;
    for (int j = 0; j < c; j++) {
      xr[j] = (dr[j] - mean_dy_f[j] - hr[j] * mean_dy_xhat_f[j]) * scale_f[j];
    }
  }
}

JNIEXPORT void JNICALL Java_dev_kiln_runtime_NativeKernels_batchNormBackward(
    JNIEnv *env, jclass cls, jlong dy, jlong xhat, jint n, jint c, jlong gamma, jlong gammaGrad,
    jlong betaGrad, jlong dx, jlong d, jlong f) {
  bn_backward(F(dy), F(xhat), n, c, F(gamma), F(gammaGrad), F(betaGrad), F(dx), D(d), F(f));
}

/* y = max(0, x) with NaN kept and -0.0 mapped to +0.0 (Activations.relu). y may be x. */
CLONES static void relu(const float *x, float *y, int count) {
  const int32_t *xi = (const int32_t *) x;
  int32_t *yi = (int32_t *) y;
  for (int i = 0; i < count; i++) {
    int32_t bits = xi[i];
    int32_t nan = (0x7f800000 - (bits & 0x7fffffff)) >> 31;
    yi[i] = bits & (~(bits >> 31) | nan);
  }
}

JNIEXPORT void JNICALL Java_dev_kiln_runtime_NativeKernels_relu(
    JNIEnv *env, jclass cls, jlong x, jlong y, jint count) {
  relu(F(x), F(y), count);
}

/* dx = dy where 0 < x <= +inf, else +0.0 (Activations.reluBackward). dx may be dy. */
CLONES static void relu_backward(const float *x, const float *dy, float *dx, int count) {
  const uint32_t *xi = (const uint32_t *) x;
  const int32_t *di = (const int32_t *) dy;
  int32_t *oi = (int32_t *) dx;
  for (int i = 0; i < count; i++) {
    /* Activations.positiveMask: all ones for 0 < x <= +inf, else zero (NaN included). */
    uint32_t t = xi[i] - 1u;
    int32_t mask = ((int32_t) ((t - 0x7f800000u) & ~t)) >> 31;
    oi[i] = di[i] & mask;
  }
}

JNIEXPORT void JNICALL Java_dev_kiln_runtime_NativeKernels_reluBackward(
    JNIEnv *env, jclass cls, jlong x, jlong dy, jlong dx, jint count) {
  relu_backward(F(x), F(dy), F(dx), count);
}

/*
 * Sum of squares in double over eight lanes: lane k adds elements i = k (mod 8) in order, the
 * tail goes to lane 0..7 in order, and the lanes are added 0..7 (Reductions.sumSquares).
 */
CLONES static double sum_squares(const float *restrict x, int count) {
  double lane[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int i = 0;
  for (; i + 8 <= count; i += 8) {
    for (int k = 0; k < 8; k++) {
      double v = x[i + k];
      lane[k] += v * v;
    }
  }
  for (int k = 0; i < count; i++, k++) {
    double v = x[i];
    lane[k] += v * v;
  }
  double s = 0;
  for (int k = 0; k < 8; k++) s += lane[k];
  return s;
}

JNIEXPORT jdouble JNICALL Java_dev_kiln_runtime_NativeKernels_sumSquares(
    JNIEnv *env, jclass cls, jlong x, jint count) {
  return sum_squares(F(x), count);
}

/* x *= factor (Clipping.scale). */
CLONES static void scale(float *restrict x, int count, float factor) {
  for (int i = 0; i < count; i++) x[i] = x[i] * factor;
}

JNIEXPORT void JNICALL Java_dev_kiln_runtime_NativeKernels_scale(
    JNIEnv *env, jclass cls, jlong x, jint count, jfloat factor) {
  scale(F(x), count, factor);
}

/* grad += lambda * w (Regularization.addL2). */
CLONES static void add_l2(const float *restrict w, float *restrict g, int count, float lambda) {
  for (int i = 0; i < count; i++) g[i] = g[i] + lambda * w[i];
}

JNIEXPORT void JNICALL Java_dev_kiln_runtime_NativeKernels_addL2(
    JNIEnv *env, jclass cls, jlong w, jlong g, jint count, jfloat lambda) {
  add_l2(F(w), F(g), count, lambda);
}

/* SGD with momentum, dampening, Nesterov and decoupled decay (SgdKernel.update, momentum != 0). */
CLONES static void sgd_momentum(float *restrict w, const float *restrict g, float *restrict buf,
    int count, float lr, float mu, float keep, int nesterov, int first, float keep_w, int decays) {
  for (int i = 0; i < count; i++) {
    float gi = g[i];
    float b = first ? gi : mu * buf[i] + keep * gi;
    buf[i] = b;
    float d = nesterov ? gi + mu * b : b;
    float wi = decays ? w[i] * keep_w : w[i];
    w[i] = wi - lr * d;
  }
}

JNIEXPORT void JNICALL Java_dev_kiln_runtime_NativeKernels_sgdMomentum(
    JNIEnv *env, jclass cls, jlong w, jlong g, jlong buf, jint count, jfloat lr, jfloat mu,
    jfloat keep, jboolean nesterov, jboolean first, jfloat keepW, jboolean decays) {
  sgd_momentum(F(w), F(g), F(buf), count, lr, mu, keep, nesterov, first, keepW, decays);
}
