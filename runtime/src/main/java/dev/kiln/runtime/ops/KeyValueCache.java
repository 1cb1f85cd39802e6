package dev.kiln.runtime.ops;

import dev.kiln.runtime.tensor.Tensor;
import java.nio.FloatBuffer;
import org.bytedeco.openblas.global.openblas_nolapack;

/**
 * One causal self-attention layer's key/value cache for autoregressive generation, as GPT-2's
 * {@code past_key_values} and the KV cache of nanoGPT-style decoders: the keys and values of the
 * positions seen so far, {@code [heads, context, d]} each ({@code d = D/heads}), and {@link
 * #forward}, which runs one new position through the layer: it projects the position's input to
 * {@code q, k, v} (the layer's {@link SelfAttention.Parameters}, weights {@code [D, D]}), appends
 * {@code k} and {@code v} at that position, attends with {@code q} to positions {@code 0..position}
 * ({@code softmax(q_j·K_jᵀ/√d)·V_j} per head {@code j}, the softmax in double as {@link
 * ScaledDotProductAttention}) and applies the output projection.
 *
 * <p>With a causal mask, position {@code p}'s keys and values depend on tokens {@code ≤ p} only,
 * so calling {@link #forward} for positions {@code 0, 1, 2, …} in turn gives, at every position,
 * the output of a full {@link SelfAttention#forward} of the sequence so far, for a cost per
 * position linear in its length instead of quadratic. Nothing is allocated after construction; an
 * instance is not safe for use by two threads at once.
 */
public final class KeyValueCache {
  private static final int ROW_MAJOR = openblas_nolapack.CblasRowMajor;
  private static final int NO_TRANS = openblas_nolapack.CblasNoTrans;
  private static final int TRANS = openblas_nolapack.CblasTrans;

  private final int context;
  private final int width;
  private final int heads;
  private final int headWidth;
  private final float scale;
  private final Tensor keys;
  private final Tensor values;
  private final Tensor q;
  private final Tensor k;
  private final Tensor v;
  private final Tensor concatenated;
  private final Tensor probabilities;
  private final float[] row;
  private final MatrixPointer a = new MatrixPointer();
  private final MatrixPointer b = new MatrixPointer();
  private final MatrixPointer c = new MatrixPointer();

  /**
   * @param context the most positions the cache holds ({@code T})
   * @param width the model width {@code D}
   * @param heads heads, dividing {@code D}
   * @throws IllegalArgumentException for a size below 1 or heads that do not divide the width
   */
  public KeyValueCache(int context, int width, int heads) {
    Checks.positive("key/value cache", "context", context);
    Checks.positive("key/value cache", "width", width);
    Checks.positive("key/value cache", "heads", heads);
    if (width % heads != 0) {
      throw new IllegalArgumentException("key/value cache: " + heads
          + " heads do not divide the width " + width);
    }
    this.context = context;
    this.width = width;
    this.heads = heads;
    this.headWidth = width / heads;
    this.scale = (float) (1.0 / Math.sqrt(headWidth));
    this.keys = Tensor.alignedZeros(heads, context, headWidth);
    this.values = Tensor.alignedZeros(heads, context, headWidth);
    this.q = Tensor.alignedZeros(width);
    this.k = Tensor.alignedZeros(width);
    this.v = Tensor.alignedZeros(width);
    this.concatenated = Tensor.alignedZeros(width);
    this.probabilities = Tensor.alignedZeros(context);
    this.row = new float[context];
  }

  /** The most positions the cache holds. */
  public int context() {
    return context;
  }

  /** Heads. */
  public int heads() {
    return heads;
  }

  /** The cached keys {@code [heads, context, d]}; rows past the last position are stale. */
  public Tensor keys() {
    return keys;
  }

  /** The cached values {@code [heads, context, d]}; rows past the last position are stale. */
  public Tensor values() {
    return values;
  }

  /**
   * One position of causal self-attention: {@code out = concat_j(softmax(q_j·K_j[0..p]ᵀ/√d)·
   * V_j[0..p])·Wo + bo} with {@code q = x·Wq + bq}, after storing {@code x·Wk + bk} and {@code
   * x·Wv + bv} as the keys and values of position {@code p}. Positions {@code 0..p-1} must have
   * been stored by earlier calls for the same sequence (a call for position 0 starts a new one).
   *
   * @param x the layer input at position {@code p}, {@code [D]} (the first {@code D} floats)
   * @param position {@code p}, {@code 0 ≤ p < context}
   * @param parameters the layer's weights and biases
   * @param out output {@code [D]}, apart from {@code x}
   * @throws IllegalArgumentException for a position outside {@code [0, context)} or a tensor
   *     smaller than {@code D}, before anything is written
   */
  public void forward(Tensor x, int position, SelfAttention.Parameters parameters, Tensor out) {
    if (position < 0 || position >= context) {
      throw new IllegalArgumentException("key/value cache: expected a position in [0, " + context
          + "), got " + position);
    }
    Checks.require("key/value cache", "x", x, width);
    Checks.require("key/value cache", "out", out, width);
    Checks.apart("key/value cache", "out", out, width, "x", x, width);
    checkParameters(parameters);
    project(x, parameters.queryWeight(), parameters.queryBias(), q);
    project(x, parameters.keyWeight(), parameters.keyBias(), k);
    project(x, parameters.valueWeight(), parameters.valueBias(), v);
    int d = headWidth;
    int seen = position + 1;
    FloatBuffer kb = k.data();
    FloatBuffer vb = v.data();
    FloatBuffer keyb = keys.data();
    FloatBuffer valueb = values.data();
    for (int h = 0; h < heads; h++) {
      int at = (h * context + position) * d;
      keyb.put(at, kb, h * d, d);
      valueb.put(at, vb, h * d, d);
    }
    for (int h = 0; h < heads; h++) {
      long head = (long) h * context * d;
      // scores[0:seen] = scale · K_h[0:seen] · q_h
      openblas_nolapack.cblas_sgemv(ROW_MAJOR, NO_TRANS, seen, d, scale, a.at(keys, head), d,
          b.at(q, (long) h * d), 1, 0f, c.at(probabilities, 0), 1);
      softmax(seen);
      // y_h = V_h[0:seen]ᵀ · P
      openblas_nolapack.cblas_sgemv(ROW_MAJOR, TRANS, seen, d, 1f, a.at(values, head), d,
          b.at(probabilities, 0), 1, 0f, c.at(concatenated, (long) h * d), 1);
    }
    project(concatenated, parameters.outputWeight(), parameters.outputBias(), out);
  }

  /**
   * {@code y = x·W + b} for one row, as {@link Dense#forward} with {@code n = 1} but as one
   * {@code sgemv} (a one-row {@code sgemm} costs several times more).
   */
  private void project(Tensor x, Tensor weight, Tensor bias, Tensor y) {
    if (bias != null) {
      y.data().put(0, bias.data(), 0, width);
    }
    // y[j] (+)= Σ_i x[i]·W[i, j]: W [in, out] row-major, transposed
    openblas_nolapack.cblas_sgemv(ROW_MAJOR, TRANS, width, width, 1f, a.at(weight, 0), width,
        b.at(x, 0), 1, bias != null ? 1f : 0f, c.at(y, 0), 1);
  }

  private void checkParameters(SelfAttention.Parameters p) {
    long square = (long) width * width;
    Checks.require("key/value cache", "query weight", p.queryWeight(), square);
    Checks.require("key/value cache", "key weight", p.keyWeight(), square);
    Checks.require("key/value cache", "value weight", p.valueWeight(), square);
    Checks.require("key/value cache", "output weight", p.outputWeight(), square);
    checkBias("query bias", p.queryBias());
    checkBias("key bias", p.keyBias());
    checkBias("value bias", p.valueBias());
    checkBias("output bias", p.outputBias());
  }

  private void checkBias(String name, Tensor bias) {
    if (bias != null) {
      Checks.require("key/value cache", name, bias, width);
    }
  }

  /** Softmax of the first {@code seen} scores in place, in double as the full kernel. */
  private void softmax(int seen) {
    FloatBuffer p = probabilities.data();
    p.get(0, row, 0, seen);
    float max = Float.NEGATIVE_INFINITY;
    for (int j = 0; j < seen; j++) {
      max = Math.max(max, row[j]);
    }
    double sum = 0;
    for (int j = 0; j < seen; j++) {
      double e = Math.exp(row[j] - max);
      sum += e;
      row[j] = (float) e;
    }
    float inv = (float) (1.0 / sum);
    for (int j = 0; j < seen; j++) {
      row[j] *= inv;
    }
    p.put(0, row, 0, seen);
  }
}
