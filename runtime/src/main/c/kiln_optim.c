/* Optimizer kernels, cut by element index (see kiln.h). */

#include "kiln.h"

#define ELEMENT_SLICE(count, lo, hi)                        \
  long lo, hi;                                              \
  slice(count, part, parts, 16, &lo, &hi);                  \
  if (hi <= lo) return;

/* x *= factor (Kernels.scale: gradient clipping). */
CLONES static void scale(float *restrict x, long count, float factor) {
  for (long i = 0; i < count; i++) x[i] = x[i] * factor;
}

struct scale_args {
  float *x;
  long count;
  float factor;
};

static void scale_part(const void *p, int part, int parts) {
  const struct scale_args *a = p;
  ELEMENT_SLICE(a->count, lo, hi)
  scale(a->x + lo, hi - lo, a->factor);
}

void kiln_scale(float *x, long count, float factor) {
  struct scale_args a = {.x = x, .count = count, .factor = factor};
  run(scale_part, &a, count, MIN_PARALLEL_ELEMENTS);
}

/* grad += lambda * w (Kernels.addL2). */
CLONES static void add_l2(const float *restrict w, float *restrict g, long count, float lambda) {
  for (long i = 0; i < count; i++) g[i] = g[i] + lambda * w[i];
}

struct add_l2_args {
  const float *w;
  float *g;
  long count;
  float lambda;
};

static void add_l2_part(const void *p, int part, int parts) {
  const struct add_l2_args *a = p;
  ELEMENT_SLICE(a->count, lo, hi)
  add_l2(a->w + lo, a->g + lo, hi - lo, a->lambda);
}

void kiln_add_l2(const float *w, float *g, long count, float lambda) {
  struct add_l2_args a = {.w = w, .g = g, .count = count, .lambda = lambda};
  run(add_l2_part, &a, count, MIN_PARALLEL_ELEMENTS);
}

/*
 * SGD with momentum, dampening, Nesterov, decoupled decay and coupled L2 folded into the gradient
 * (Kernels.sgdMomentum); g itself is not written.
 */
CLONES static void sgd_momentum(float *restrict w, const float *restrict g, float *restrict buf,
    long count, struct sgd_settings s) {
  float lr = s.learning_rate, mu = s.momentum, keep = s.dampening_keep, keep_w = s.decay_keep;
  float l2 = s.l2;
  int nesterov = s.nesterov, first = s.first_step, decays = s.decays, coupled = s.coupled;
  for (long i = 0; i < count; i++) {
    float gi = coupled ? g[i] + l2 * w[i] : g[i];
    float b = first ? gi : mu * buf[i] + keep * gi;
    buf[i] = b;
    float d = nesterov ? gi + mu * b : b;
    float wi = decays ? w[i] * keep_w : w[i];
    w[i] = wi - lr * d;
  }
}

struct sgd_args {
  float *w, *buffer;
  const float *g;
  long count;
  struct sgd_settings settings;
};

static void sgd_momentum_part(const void *p, int part, int parts) {
  const struct sgd_args *a = p;
  ELEMENT_SLICE(a->count, lo, hi)
  sgd_momentum(a->w + lo, a->g + lo, a->buffer + lo, hi - lo, a->settings);
}

void kiln_sgd_momentum(float *w, const float *g, float *buffer, long count,
    const struct sgd_settings *settings) {
  struct sgd_args a = {.w = w, .buffer = buffer, .g = g, .count = count, .settings = *settings};
  run(sgd_momentum_part, &a, count, MIN_PARALLEL_ELEMENTS);
}
