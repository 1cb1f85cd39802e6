/*
 * The JNI entry points of dev.kiln.runtime.backend.cpu.NativeLibrary: each turns Java's addresses
 * (jlong) into pointers and its arguments into the structs of kiln.h, then calls the kernel. They
 * are registered by name and signature in JNI_OnLoad (RegisterNatives), so the C symbol names do
 * not depend on the Java package: moving the class means changing NATIVE_CLASS only.
 */

#include "kiln.h"

#include <jni.h>
#include <stddef.h>

#define NATIVE_CLASS "dev/kiln/runtime/backend/cpu/NativeLibrary"
#define F(addr) ((float *) (intptr_t) (addr))
#define D(addr) ((double *) (intptr_t) (addr))

static jint start(JNIEnv *env, jclass cls, jint threads, jstring openblas_path) {
  const char *path = (*env)->GetStringUTFChars(env, openblas_path, NULL);
  if (path == NULL) return -1;
  int started = kiln_pool_start(threads, path);
  (*env)->ReleaseStringUTFChars(env, openblas_path, path);
  return started;
}

static void gemm(JNIEnv *env, jclass cls, jboolean trans_a, jboolean trans_b, jint m, jint n,
    jint k, jfloat alpha, jlong a, jint lda, jlong b, jint ldb, jfloat beta, jlong c, jint ldc) {
  kiln_gemm(trans_a, trans_b, m, n, k, alpha, F(a), lda, F(b), ldb, beta, F(c), ldc);
}

static jlong cache_bytes(JNIEnv *env, jclass cls) {
  return l2_bytes;
}

static jboolean dense_forward(JNIEnv *env, jclass cls, jlong x, jint n, jint in, jlong w,
    jint out, jlong bias, jlong y) {
  struct dense_layer layer = {.x = F(x), .w = F(w), .bias = bias ? F(bias) : NULL, .y = F(y),
      .n = n, .in = in, .out = out};
  return kiln_dense_forward(&layer) ? JNI_TRUE : JNI_FALSE;
}

static struct bn_layer bn_layer(jint n, jint c, jdouble momentum, jdouble epsilon, jlong d,
    jlong f) {
  struct bn_layer layer = {.n = n, .c = c, .momentum = momentum, .epsilon = epsilon,
      .scratch_doubles = D(d), .scratch_floats = F(f)};
  return layer;
}

static void batch_norm_forward_train(JNIEnv *env, jclass cls, jlong x, jint n, jint c,
    jdouble momentum, jdouble epsilon, jlong gamma, jlong beta, jlong running_mean,
    jlong running_var, jlong xhat, jlong y, jlong d, jlong f, jboolean relu) {
  struct bn_forward forward = {.layer = bn_layer(n, c, momentum, epsilon, d, f), .x = F(x),
      .gamma = F(gamma), .beta = F(beta), .running_mean = F(running_mean),
      .running_var = F(running_var), .xhat = F(xhat), .y = F(y), .relu = relu};
  kiln_batch_norm_forward(&forward);
}

static jboolean dense_batch_norm_forward_train(JNIEnv *env, jclass cls, jlong x, jint n,
    jint in, jlong w, jint out, jlong bias, jlong pre, jdouble momentum, jdouble epsilon,
    jlong gamma, jlong beta, jlong running_mean, jlong running_var, jlong xhat, jlong y,
    jlong d, jlong f, jboolean relu) {
  struct dense_layer dense = {.x = F(x), .w = F(w), .bias = bias ? F(bias) : NULL, .y = F(pre),
      .n = n, .in = in, .out = out};
  struct bn_forward forward = {.layer = bn_layer(n, out, momentum, epsilon, d, f), .x = F(pre),
      .gamma = F(gamma), .beta = F(beta), .running_mean = F(running_mean),
      .running_var = F(running_var), .xhat = F(xhat), .y = F(y), .relu = relu};
  return kiln_dense_batch_norm_forward(&dense, &forward) ? JNI_TRUE : JNI_FALSE;
}

static void batch_norm_backward(JNIEnv *env, jclass cls, jlong dy, jlong xhat, jint n, jint c,
    jlong gamma, jlong gamma_grad, jlong beta_grad, jlong dx, jlong d, jlong f, jlong act) {
  /* momentum and epsilon are not used backward: the forward pass left invStd in the scratch */
  struct bn_backward backward = {.layer = bn_layer(n, c, 0, 0, d, f), .dy = F(dy),
      .act = act ? F(act) : NULL, .xhat = F(xhat), .gamma = F(gamma),
      .gamma_grad = F(gamma_grad), .beta_grad = F(beta_grad), .dx = F(dx)};
  kiln_batch_norm_backward(&backward);
}

static void relu(JNIEnv *env, jclass cls, jlong x, jlong y, jint count) {
  kiln_relu(F(x), F(y), count);
}

static void relu_backward(JNIEnv *env, jclass cls, jlong x, jlong dy, jlong dx, jint count) {
  kiln_relu_backward(F(x), F(dy), F(dx), count);
}

static void copy(JNIEnv *env, jclass cls, jlong src, jlong dst, jint count) {
  kiln_copy(F(src), F(dst), count);
}

static jint first_non_finite(JNIEnv *env, jclass cls, jlong x, jint count) {
  return (jint) kiln_first_non_finite(F(x), count);
}

static void sum_rows(JNIEnv *env, jclass cls, jlong x, jint n, jint width, jlong out) {
  kiln_sum_rows(F(x), n, width, F(out));
}

static jdouble sum_squares(JNIEnv *env, jclass cls, jlong x, jint count) {
  return kiln_sum_squares(F(x), count);
}

static void scale(JNIEnv *env, jclass cls, jlong x, jint count, jfloat factor) {
  kiln_scale(F(x), count, factor);
}

static void add_l2(JNIEnv *env, jclass cls, jlong w, jlong g, jint count, jfloat lambda) {
  kiln_add_l2(F(w), F(g), count, lambda);
}

static void sgd_momentum(JNIEnv *env, jclass cls, jlong param, jlong grad, jlong buffer,
    jint count, jfloat learning_rate, jfloat momentum, jfloat dampening_keep, jboolean nesterov,
    jboolean first_step, jfloat decay_keep, jboolean decays, jfloat l2, jboolean coupled) {
  struct sgd_settings settings = {.learning_rate = learning_rate, .momentum = momentum,
      .dampening_keep = dampening_keep, .decay_keep = decay_keep, .l2 = l2,
      .nesterov = nesterov, .first_step = first_step, .decays = decays, .coupled = coupled};
  kiln_sgd_momentum(F(param), F(grad), F(buffer), count, &settings);
}

static jdouble softmax_cross_entropy(JNIEnv *env, jclass cls, jlong z, jlong y, jint n,
    jint classes, jdouble smoothing, jlong g) {
  return kiln_softmax_cross_entropy(F(z), F(y), n, classes, smoothing, F(g));
}

/* ---- convolution kernels (kiln_conv.c) ---- */

static struct conv_layer conv_layer(jint c, jint h, jint w, jint out, jint kh, jint kw, jint sh,
    jint sw, jint ph, jint pw, jint oh, jint ow, jint forward_group, jint backward_group) {
  struct conv_layer l = {.c = c, .h = h, .w = w, .out = out, .kh = kh, .kw = kw, .sh = sh,
      .sw = sw, .ph = ph, .pw = pw, .oh = oh, .ow = ow, .forward_group = forward_group,
      .backward_group = backward_group};
  return l;
}

static jlong conv2d_thread_floats(JNIEnv *env, jclass cls, jint n, jint c, jint h, jint w,
    jint out, jint kh, jint kw, jint sh, jint sw, jint ph, jint pw, jint oh, jint ow, jint fg,
    jint bg) {
  struct conv_layer l = conv_layer(c, h, w, out, kh, kw, sh, sw, ph, pw, oh, ow, fg, bg);
  return kiln_conv_thread_floats(&l, n);
}

static void conv2d_forward(JNIEnv *env, jclass cls, jlong x, jint n, jlong weight, jlong bias,
    jlong y, jlong work, jint c, jint h, jint w, jint out, jint kh, jint kw, jint sh, jint sw,
    jint ph, jint pw, jint oh, jint ow, jint fg, jint bg) {
  struct conv_layer l = conv_layer(c, h, w, out, kh, kw, sh, sw, ph, pw, oh, ow, fg, bg);
  kiln_conv_forward(&l, F(x), n, F(weight), bias ? F(bias) : NULL, F(y), F(work));
}

static void conv2d_backward(JNIEnv *env, jclass cls, jlong x, jlong dy, jint n, jlong weight,
    jlong weight_grad, jlong bias_grad, jlong dx, jlong work, jint c, jint h, jint w, jint out,
    jint kh, jint kw, jint sh, jint sw, jint ph, jint pw, jint oh, jint ow, jint fg, jint bg) {
  struct conv_layer l = conv_layer(c, h, w, out, kh, kw, sh, sw, ph, pw, oh, ow, fg, bg);
  kiln_conv_backward(&l, F(x), F(dy), n, F(weight), F(weight_grad),
      bias_grad ? F(bias_grad) : NULL, dx ? F(dx) : NULL, F(work));
}

static void batch_norm_2d_forward_train(JNIEnv *env, jclass cls, jlong x, jint n, jint c,
    jint plane, jdouble momentum, jdouble epsilon, jlong gamma, jlong beta, jlong running_mean,
    jlong running_var, jlong xhat, jlong y, jlong d, jboolean relu) {
  struct bn_layer layer = bn_layer(n, c, momentum, epsilon, d, 0);
  kiln_batch_norm_2d_forward(&layer, plane, F(x), F(gamma), F(beta), F(running_mean),
      F(running_var), F(xhat), F(y), relu);
}

static void batch_norm_2d_backward(JNIEnv *env, jclass cls, jlong dy, jlong act, jlong xhat,
    jint n, jint c, jint plane, jlong gamma, jlong gamma_grad, jlong beta_grad, jlong dx,
    jlong d) {
  struct bn_layer layer = bn_layer(n, c, 0, 0, d, 0);
  kiln_batch_norm_2d_backward(&layer, plane, F(dy), act ? F(act) : NULL, F(xhat), F(gamma),
      F(gamma_grad), F(beta_grad), F(dx));
}

/* The argmax int[] is pinned (GetPrimitiveArrayCritical: no copy, no allocation in HotSpot). */
static void max_pool_2x2_forward(JNIEnv *env, jclass cls, jlong x, jint planes, jint h, jint w,
    jlong y, jintArray argmax, jboolean relu) {
  jint *a = (*env)->GetPrimitiveArrayCritical(env, argmax, NULL);
  if (a == NULL) return;
  kiln_max_pool_2x2_forward(F(x), planes, h, w, F(y), (int *) a, relu);
  (*env)->ReleasePrimitiveArrayCritical(env, argmax, a, 0);
}

static void max_pool_2x2_backward(JNIEnv *env, jclass cls, jlong dy, jlong y, jint planes,
    jint h, jint w, jintArray argmax, jlong dx) {
  jint *a = (*env)->GetPrimitiveArrayCritical(env, argmax, NULL);
  if (a == NULL) return;
  kiln_max_pool_2x2_backward(F(dy), y ? F(y) : NULL, planes, h, w, (const int *) a, F(dx));
  (*env)->ReleasePrimitiveArrayCritical(env, argmax, a, JNI_ABORT);
}

/* ---- sequence kernels (kiln_sequence.c) ---- */

static void gelu(JNIEnv *env, jclass cls, jlong x, jlong y, jint count, jboolean tanh_form) {
  kiln_gelu(F(x), F(y), count, tanh_form);
}

static void gelu_backward(JNIEnv *env, jclass cls, jlong x, jlong y, jlong dy, jlong dx,
    jint count, jboolean tanh_form) {
  kiln_gelu_backward(F(x), y ? F(y) : NULL, F(dy), F(dx), count, tanh_form);
}

static void layer_norm_forward(JNIEnv *env, jclass cls, jlong x, jint rows, jint features,
    jdouble epsilon, jlong gamma, jlong beta, jlong mean, jlong rstd, jlong y) {
  struct layer_norm ln = {.rows = rows, .features = features, .epsilon = epsilon, .x = F(x),
      .gamma = F(gamma), .beta = F(beta), .mean = F(mean), .rstd = F(rstd), .y = F(y)};
  kiln_layer_norm_forward(&ln);
}

static void layer_norm_backward(JNIEnv *env, jclass cls, jlong x, jlong dy, jint rows,
    jint features, jlong gamma, jlong mean, jlong rstd, jlong dx, jlong gamma_grad,
    jlong beta_grad) {
  struct layer_norm ln = {.rows = rows, .features = features, .x = F(x), .dy = F(dy),
      .gamma = F(gamma), .mean = F(mean), .rstd = F(rstd), .dx = dx ? F(dx) : NULL,
      .gamma_grad = F(gamma_grad), .beta_grad = F(beta_grad)};
  kiln_layer_norm_backward(&ln);
}

static void attention_forward(JNIEnv *env, jclass cls, jlong q, jlong k, jlong v, jint n, jint t,
    jint width, jint heads, jboolean causal, jfloat scale, jlong probabilities, jlong y) {
  struct attention a = {.n = n, .t = t, .context = t, .width = width, .heads = heads,
      .causal = causal, .scale = scale, .q = F(q), .k = F(k), .v = F(v),
      .probabilities = F(probabilities), .y = F(y)};
  kiln_attention(&a);
}

static void attention_backward(JNIEnv *env, jclass cls, jlong q, jlong k, jlong v,
    jlong probabilities, jlong dy, jint n, jint t, jint context, jint width, jint heads,
    jboolean causal, jfloat scale, jlong scratch, jlong dq, jlong dk, jlong dv) {
  struct attention a = {.n = n, .t = t, .context = context, .width = width, .heads = heads,
      .causal = causal, .backward = 1, .scale = scale, .q = F(q), .k = F(k), .v = F(v),
      .dy = F(dy), .probabilities = F(probabilities), .scratch = F(scratch), .dq = F(dq),
      .dk = F(dk), .dv = F(dv)};
  kiln_attention(&a);
}

static void adam(JNIEnv *env, jclass cls, jlong w, jlong g, jlong m, jlong v, jlong v_max,
    jint count, jfloat keep, jfloat b1, jfloat one_minus_b1, jfloat b2, jfloat one_minus_b2,
    jfloat neg_step_size, jfloat bc2_sqrt, jfloat eps, jboolean decays) {
  struct adam_settings s = {.keep = keep, .b1 = b1, .one_minus_b1 = one_minus_b1, .b2 = b2,
      .one_minus_b2 = one_minus_b2, .neg_step_size = neg_step_size, .bc2_sqrt = bc2_sqrt,
      .eps = eps, .decays = decays};
  kiln_adam(F(w), F(g), F(m), F(v), v_max ? F(v_max) : NULL, count, &s);
}

#define METHOD(name, signature, fn) {(char *) (name), (char *) (signature), (void *) (fn)}

static const JNINativeMethod methods[] = {
    METHOD("start", "(ILjava/lang/String;)I", start),
    METHOD("gemm", "(ZZIIIFJIJIFJI)V", gemm),
    METHOD("cacheBytes", "()J", cache_bytes),
    METHOD("denseForward", "(JIIJIJJ)Z", dense_forward),
    METHOD("batchNormForwardTrain", "(JIIDDJJJJJJJJZ)V", batch_norm_forward_train),
    METHOD("denseBatchNormForwardTrain", "(JIIJIJJDDJJJJJJJJZ)Z", dense_batch_norm_forward_train),
    METHOD("batchNormBackward", "(JJIIJJJJJJJ)V", batch_norm_backward),
    METHOD("relu", "(JJI)V", relu),
    METHOD("reluBackward", "(JJJI)V", relu_backward),
    METHOD("copy", "(JJI)V", copy),
    METHOD("firstNonFinite", "(JI)I", first_non_finite),
    METHOD("sumRows", "(JIIJ)V", sum_rows),
    METHOD("sumSquares", "(JI)D", sum_squares),
    METHOD("scale", "(JIF)V", scale),
    METHOD("addL2", "(JJIF)V", add_l2),
    METHOD("sgdMomentum", "(JJJIFFFZZFZFZ)V", sgd_momentum),
    METHOD("softmaxCrossEntropy", "(JJIIDJ)D", softmax_cross_entropy),
    /* convolution kernels */
    METHOD("conv2dThreadFloats", "(IIIIIIIIIIIIIII)J", conv2d_thread_floats),
    METHOD("conv2dForward", "(JIJJJJIIIIIIIIIIIIII)V", conv2d_forward),
    METHOD("conv2dBackward", "(JJIJJJJJIIIIIIIIIIIIII)V", conv2d_backward),
    METHOD("batchNorm2dForwardTrain", "(JIIIDDJJJJJJJZ)V", batch_norm_2d_forward_train),
    METHOD("batchNorm2dBackward", "(JJJIIIJJJJJ)V", batch_norm_2d_backward),
    METHOD("maxPool2x2Forward", "(JIIIJ[IZ)V", max_pool_2x2_forward),
    METHOD("maxPool2x2Backward", "(JJIII[IJ)V", max_pool_2x2_backward),
    /* sequence kernels */
    METHOD("gelu", "(JJIZ)V", gelu),
    METHOD("geluBackward", "(JJJJIZ)V", gelu_backward),
    METHOD("layerNormForward", "(JIIDJJJJJ)V", layer_norm_forward),
    METHOD("layerNormBackward", "(JJIIJJJJJJ)V", layer_norm_backward),
    METHOD("attentionForward", "(JJJIIIIZFJJ)V", attention_forward),
    METHOD("attentionBackward", "(JJJJJIIIIIZFJJJJ)V", attention_backward),
    METHOD("adam", "(JJJJJIFFFFFFFFZ)V", adam),
};

/* Registers the methods above on NATIVE_CLASS; a mismatch fails System.load (the Java backend
   then runs, with a warning). */
JNIEXPORT jint JNICALL JNI_OnLoad(JavaVM *vm, void *reserved) {
  JNIEnv *env;
  if ((*vm)->GetEnv(vm, (void **) &env, JNI_VERSION_1_8) != JNI_OK) return JNI_ERR;
  jclass cls = (*env)->FindClass(env, NATIVE_CLASS);
  if (cls == NULL) return JNI_ERR;
  if ((*env)->RegisterNatives(env, cls, methods, sizeof methods / sizeof methods[0]) != 0) {
    return JNI_ERR;
  }
  return JNI_VERSION_1_8;
}
