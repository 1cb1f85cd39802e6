package dev.kiln.runtime.ops;

import dev.kiln.runtime.backend.Blas;
import dev.kiln.runtime.tensor.Tensor;

/**
 * A multi-head self-attention layer on {@code [n, t, D]} sequences, as GPT-2's and nanoGPT's
 * {@code CausalSelfAttention} with separate projections: {@code q = x·Wq + bq}, {@code k = x·Wk +
 * bk}, {@code v = x·Wv + bv} (weights stored {@code [in, out]} = {@code [D, D]}, dense layers on
 * {@code n·t} rows), the {@link ScaledDotProductAttention} core, and the output projection {@code
 * out = y·Wo + bo}. Biases may be absent (null), as in a bias-free model.
 *
 * <p>The layer owns its activation buffers ({@code q, k, v}, the attention probabilities, the
 * heads' concatenation {@code y}, and their gradients), each sized for {@code batch} samples of
 * {@code context} positions; a call uses their packed prefix for {@code n ≤ batch} and {@code t ≤
 * context}. Calls allocate nothing. Not safe for use by two threads at once.
 */
public final class SelfAttention {
  /**
   * The layer's parameters (or their gradients, of the same shapes): {@code [D, D]} weights and
   * {@code [D]} biases. A bias is null for a projection without one.
   */
  public record Parameters(Tensor queryWeight, Tensor queryBias, Tensor keyWeight, Tensor keyBias,
      Tensor valueWeight, Tensor valueBias, Tensor outputWeight, Tensor outputBias) {}

  private final int batch;
  private final int width;
  private final ScaledDotProductAttention core;
  private final Tensor q;
  private final Tensor k;
  private final Tensor v;
  private final Tensor probabilities;
  private final Tensor concatenated;
  private final Tensor concatenatedGrad;
  private final Tensor qGrad;
  private final Tensor kGrad;
  private final Tensor vGrad;

  /**
   * @param batch the most samples a call may pass
   * @param context the longest sequence {@code T} a call may pass
   * @param width {@code D}
   * @param heads heads, dividing {@code D}
   * @param causal whether position {@code i} sees only positions {@code ≤ i}
   * @throws IllegalArgumentException for a size below 1, heads that do not divide the width, or
   *     buffers beyond 2^31 - 1 elements
   */
  public SelfAttention(int batch, int context, int width, int heads, boolean causal) {
    Checks.positive("self-attention", "batch", batch);
    this.core = new ScaledDotProductAttention(context, width, heads, causal);
    this.batch = batch;
    this.width = width;
    long rows = (long) batch * context;
    this.q = Tensor.alignedZeros(rows, width);
    this.k = Tensor.alignedZeros(rows, width);
    this.v = Tensor.alignedZeros(rows, width);
    this.probabilities = Tensor.alignedZeros(rows * heads, context);
    this.concatenated = Tensor.alignedZeros(rows, width);
    this.concatenatedGrad = Tensor.alignedZeros(rows, width);
    this.qGrad = Tensor.alignedZeros(rows, width);
    this.kGrad = Tensor.alignedZeros(rows, width);
    this.vGrad = Tensor.alignedZeros(rows, width);
  }

  /** The attention core. */
  public ScaledDotProductAttention core() {
    return core;
  }

  /**
   * The attention probabilities of the last forward pass, packed {@code [n, heads, t, t]} at the
   * start of a buffer sized for {@code [batch, heads, context, context]}.
   */
  public Tensor probabilities() {
    return probabilities;
  }

  /**
   * {@code out = attention(x·Wq + bq, x·Wk + bk, x·Wv + bv)·Wo + bo}.
   *
   * @param x input {@code [n, t, D]}
   * @param n samples, {@code 1 ≤ n ≤ batch}
   * @param t sequence length, {@code 1 ≤ t ≤ context}
   * @param parameters the weights and biases
   * @param out output {@code [n, t, D]}, apart from {@code x} and the weights
   * @throws IllegalArgumentException for bad sizes or a tensor smaller than its shape
   */
  public void forward(Tensor x, int n, int t, Parameters parameters, Tensor out) {
    checkBatch("self-attention", n, t);
    int rows = n * t;
    Dense.forward(x, rows, width, parameters.queryWeight(), parameters.queryBias(), width, q);
    Dense.forward(x, rows, width, parameters.keyWeight(), parameters.keyBias(), width, k);
    Dense.forward(x, rows, width, parameters.valueWeight(), parameters.valueBias(), width, v);
    core.forward(q, k, v, n, t, probabilities, concatenated);
    Dense.forward(concatenated, rows, width, parameters.outputWeight(), parameters.outputBias(), width,
        out);
  }

  /**
   * Gradients of {@link #forward} (called after it, with the same {@code x, n, t}): every
   * parameter gradient overwritten, and {@code dx = dq·Wqᵀ + dk·Wkᵀ + dv·Wvᵀ}.
   *
   * @param x the forward input {@code [n, t, D]}
   * @param dOut gradient with respect to {@code out}, {@code [n, t, D]}
   * @param parameters the weights and biases of the forward pass
   * @param gradients outputs of the same shapes, overwritten; a bias gradient is null where the
   *     bias is
   * @param dx output {@code [n, t, D]}, overwritten; null where not needed
   * @throws IllegalArgumentException for bad sizes or a tensor smaller than its shape
   */
  public void backward(Tensor x, Tensor dOut, int n, int t, Parameters parameters,
      Parameters gradients, Tensor dx) {
    checkBatch("self-attention backward", n, t);
    int rows = n * t;
    int d = width;
    Dense.backward(concatenated, dOut, rows, d, parameters.outputWeight(), d,
        gradients.outputWeight(), gradients.outputBias(), concatenatedGrad);
    core.backward(q, k, v, probabilities, concatenatedGrad, n, t, qGrad, kGrad, vGrad);
    Dense.backward(x, qGrad, rows, d, parameters.queryWeight(), d, gradients.queryWeight(),
        gradients.queryBias(), dx);
    Dense.backward(x, kGrad, rows, d, parameters.keyWeight(), d, gradients.keyWeight(),
        gradients.keyBias(), null);
    Dense.backward(x, vGrad, rows, d, parameters.valueWeight(), d, gradients.valueWeight(),
        gradients.valueBias(), null);
    if (dx != null) {
      Blas.gemm(false, true, rows, d, d, 1f, kGrad, d, parameters.keyWeight(), d, 1f, dx, d);
      Blas.gemm(false, true, rows, d, d, 1f, vGrad, d, parameters.valueWeight(), d, 1f, dx, d);
    }
  }

  private void checkBatch(String kernel, int n, int t) {
    Checks.positive(kernel, "n", n);
    if (n > batch) {
      throw new IllegalArgumentException(kernel + ": " + n + " samples exceed the batch of "
          + batch);
    }
    if (t < 1 || t > core.context()) {
      throw new IllegalArgumentException(kernel + ": expected a sequence length in [1, "
          + core.context() + "], got " + t);
    }
  }
}
