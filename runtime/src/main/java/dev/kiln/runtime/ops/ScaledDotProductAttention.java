package dev.kiln.runtime.ops;

import dev.kiln.runtime.backend.Backends;
import dev.kiln.runtime.tensor.Tensor;

/**
 * The core of multi-head self-attention (Vaswani et al., 2017, "Attention Is All You Need", eq. 1
 * and section 3.2.2), as PyTorch computes {@code softmax(q·kᵀ/√d + mask)·v} per head: given the
 * projected queries, keys and values {@code q, k, v} of {@code [n, t, D]}, split {@code D} into
 * {@code heads} contiguous slices of {@code d = D/heads} features (head {@code j} takes features
 * {@code [j·d, (j+1)·d)}), and for every sample and head
 *
 * <pre>
 *   P = softmax(q_j·k_jᵀ / √d + mask)     [t, t], softmax over the keys (last axis)
 *   y_j = P·v_j                            [t, d], written into features [j·d, (j+1)·d) of y
 * </pre>
 *
 * where the causal mask lets position {@code i} attend to positions {@code ≤ i} only (GPT's
 * decoder). The attention probabilities {@code P} are saved, {@code [n, heads, t, t]}, in a caller
 * buffer for {@link #backward}. Biases and the input/output projections are not part of this
 * kernel: they are dense layers on {@code n·t} rows ({@link SelfAttention} composes them).
 *
 * <p><b>Shorter sequences.</b> Buffers are sized for the longest sequence, {@code context}; a call
 * with {@code t ≤ context} treats every buffer as packed for {@code t}: the first {@code n·t·D}
 * floats of {@code q, k, v, y} are {@code [n, t, D]} and the first {@code n·heads·t·t} of the
 * probabilities {@code [n, heads, t, t]}, as a dense layer on the first {@code n·t} rows of its
 * buffers sees them.
 *
 * <p>Each head's products are OpenBLAS {@code sgemm} calls on sub-matrices (leading dimension
 * {@code D}); with the causal mask they run per block of {@value #ROW_BLOCK} query rows against
 * only the keys that block sees. The softmax and its gradient run in double per row and round
 * once. The loops are the backend's ({@link Backends#kernels()}: {@code
 * Kernels.attentionForward} and {@code attentionBackward}; natively the (sample, head) pairs run
 * on the kernel threads, each pair on one). One instance per layer holds a {@code [context,
 * context]} scratch matrix per kernel thread; calls allocate nothing. An instance is not safe for
 * use by two threads at once.
 */
public final class ScaledDotProductAttention {
  /**
   * Query rows per block of the causal products: a block of rows multiplies only the keys its
   * last row sees, so at {@code t = 64} the products do 3/4 of the square's work, at 256 9/16.
   */
  static final int ROW_BLOCK = 32;

  private final int context;
  private final int width;
  private final int heads;
  private final int headWidth;
  private final boolean causal;
  private final float scale;
  /** The backward pass's {@code [context, context]} scratch, one per kernel thread. */
  private final Tensor scores;

  /**
   * @param context the longest sequence {@code T} a call may pass
   * @param width the model width {@code D}
   * @param heads the number of heads; must divide {@code D}
   * @param causal whether position {@code i} sees only positions {@code ≤ i}
   * @throws IllegalArgumentException for a size below 1 or heads that do not divide the width
   */
  public ScaledDotProductAttention(int context, int width, int heads, boolean causal) {
    Checks.positive("attention", "context", context);
    Checks.positive("attention", "width", width);
    Checks.positive("attention", "heads", heads);
    if (width % heads != 0) {
      throw new IllegalArgumentException("attention: " + heads + " heads do not divide the width "
          + width);
    }
    if ((long) context * context > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("attention: context " + context + " too long");
    }
    this.context = context;
    this.width = width;
    this.heads = heads;
    this.headWidth = width / heads;
    this.causal = causal;
    this.scale = (float) (1.0 / Math.sqrt(headWidth));
    this.scores = Tensor.alignedZeros((long) Backends.kernels().threads() * context * context);
  }

  /** Heads. */
  public int heads() {
    return heads;
  }

  /** Whether the mask is causal. */
  public boolean causal() {
    return causal;
  }

  /** The longest sequence a call may pass. */
  public int context() {
    return context;
  }

  /**
   * Forward pass: {@code y = concat_j(softmax(q_j·k_jᵀ/√d + mask)·v_j)}.
   *
   * @param q queries {@code [n, t, D]}
   * @param k keys {@code [n, t, D]}
   * @param v values {@code [n, t, D]}
   * @param n samples, at least 1
   * @param t sequence length, {@code 1 ≤ t ≤ context}
   * @param probabilities output {@code [n, heads, t, t]}, the attention weights (zero above the
   *     diagonal when causal), kept for {@link #backward}
   * @param y output {@code [n, t, D]}; apart from {@code q, k, v} and {@code probabilities}
   * @throws IllegalArgumentException for bad sizes, a tensor smaller than its shape, or an output
   *     that overlaps an input, before anything is written
   */
  public void forward(Tensor q, Tensor k, Tensor v, int n, int t, Tensor probabilities,
      Tensor y) {
    long count = checkSizes("attention", n, t);
    long pCount = (long) n * heads * t * t;
    Checks.require("attention", "q", q, count);
    Checks.require("attention", "k", k, count);
    Checks.require("attention", "v", v, count);
    Checks.require("attention", "probabilities", probabilities, pCount);
    Checks.require("attention", "y", y, count);
    Checks.apart("attention", "probabilities", probabilities, pCount, "q", q, count);
    Checks.apart("attention", "probabilities", probabilities, pCount, "k", k, count);
    Checks.apart("attention", "probabilities", probabilities, pCount, "v", v, count);
    Checks.apart("attention", "y", y, count, "q", q, count);
    Checks.apart("attention", "y", y, count, "k", k, count);
    Checks.apart("attention", "y", y, count, "v", v, count);
    Checks.apart("attention", "y", y, count, "probabilities", probabilities, pCount);
    Backends.kernels().attentionForward(q, k, v, n, t, width, heads, causal, scale,
        probabilities, y);
  }

  /**
   * Backward pass: from {@code dy} and the saved probabilities {@code P}, per sample and head,
   * {@code dv_j = Pᵀ·dy_j}, {@code dP = dy_j·v_jᵀ}, {@code dS = P∘(dP - rowsum(dP∘P))} (the
   * softmax's Jacobian; masked entries have {@code P = 0} and get no gradient), {@code dq_j =
   * dS·k_j/√d}, {@code dk_j = dSᵀ·q_j/√d}.
   *
   * @param q the forward queries {@code [n, t, D]}
   * @param k the forward keys {@code [n, t, D]}
   * @param v the forward values {@code [n, t, D]}
   * @param probabilities the forward pass's {@code [n, heads, t, t]}
   * @param dy gradient with respect to {@code y}, {@code [n, t, D]}
   * @param dq output {@code [n, t, D]}, overwritten
   * @param dk output {@code [n, t, D]}, overwritten
   * @param dv output {@code [n, t, D]}, overwritten
   * @throws IllegalArgumentException for bad sizes, a tensor smaller than its shape, or an output
   *     that overlaps an input or another output, before anything is written
   */
  public void backward(Tensor q, Tensor k, Tensor v, Tensor probabilities, Tensor dy, int n,
      int t, Tensor dq, Tensor dk, Tensor dv) {
    String kernel = "attention backward";
    long count = checkSizes(kernel, n, t);
    long pCount = (long) n * heads * t * t;
    Checks.require(kernel, "q", q, count);
    Checks.require(kernel, "k", k, count);
    Checks.require(kernel, "v", v, count);
    Checks.require(kernel, "probabilities", probabilities, pCount);
    Checks.require(kernel, "dy", dy, count);
    Checks.require(kernel, "dq", dq, count);
    Checks.require(kernel, "dk", dk, count);
    Checks.require(kernel, "dv", dv, count);
    checkOutput(kernel, "dq", dq, count, q, k, v, probabilities, pCount, dy);
    checkOutput(kernel, "dk", dk, count, q, k, v, probabilities, pCount, dy);
    checkOutput(kernel, "dv", dv, count, q, k, v, probabilities, pCount, dy);
    Checks.apart(kernel, "dq", dq, count, "dk", dk, count);
    Checks.apart(kernel, "dq", dq, count, "dv", dv, count);
    Checks.apart(kernel, "dk", dk, count, "dv", dv, count);
    Backends.kernels().attentionBackward(q, k, v, probabilities, dy, n, t, context, width,
        heads, causal, scale, scores, dq, dk, dv);
  }

  private long checkSizes(String kernel, int n, int t) {
    Checks.positive(kernel, "n", n);
    Checks.positive(kernel, "t", t);
    if (t > context) {
      throw new IllegalArgumentException(kernel + ": sequence length " + t
          + " exceeds the context of " + context);
    }
    return (long) n * t * width;
  }

  private static void checkOutput(String kernel, String name, Tensor out, long count, Tensor q,
      Tensor k, Tensor v, Tensor probabilities, long pCount, Tensor dy) {
    Checks.apart(kernel, name, out, count, "q", q, count);
    Checks.apart(kernel, name, out, count, "k", k, count);
    Checks.apart(kernel, name, out, count, "v", v, count);
    Checks.apart(kernel, name, out, count, "probabilities", probabilities, pCount);
    Checks.apart(kernel, name, out, count, "dy", dy, count);
  }
}
