package dev.kiln.runtime.backend;

import dev.kiln.runtime.tensor.Tensor;

/**
 * The kernels a training step runs that have more than one implementation: the element-wise,
 * reduction and fused layer kernels, and the matrix product. One implementation is chosen per JVM
 * ({@link Backends#kernels()}): {@code backend.cpu.NativeKernels}, C compiled by the runtime's
 * build (vectorised, optionally on several threads), or {@code backend.java.JavaKernels}, plain
 * Java loops and OpenBLAS through JavaCPP. Both give bitwise the same results (the same float and
 * double operations in the same order), except where an exponential is involved: {@link
 * #softmaxCrossEntropy} (the C library's exp and log natively, a few units in the last place),
 * {@link #gelu}, {@link #geluBackward} and the softmax of {@link #attentionForward} (the native
 * kernels' own vectorised exponential; a float step at most for GELU).
 *
 * <p>Callers are the layer, optimizer and input kernels ({@code ops}, {@code optim}, {@code
 * internal}); they check their arguments first (positive sizes, {@link Tensor#require} for every
 * tensor): implementations trust them, and the native one has no bounds checks. Tensors are
 * row-major; {@code n} is the number of rows used of a tensor sized for a full batch. No method
 * allocates.
 */
public interface Kernels {
  /** A short name for logs and tests: {@code "native"} or {@code "java"}. */
  String name();

  /**
   * The number of threads the kernels and matrix products use (1: the calling thread only);
   * constant for the life of the JVM.
   */
  int threads();

  /**
   * {@code c = alpha · op(a) · op(b) + beta · c} for row-major matrices, where {@code op(a)} is
   * {@code [m, k]}, {@code op(b)} {@code [k, n]} and {@code c} {@code [m, n]} (BLAS {@code sgemm}).
   *
   * @param transA whether {@code a} is stored as {@code [k, m]}
   * @param transB whether {@code b} is stored as {@code [n, k]}
   * @param lda stored columns of {@code a}; {@code ldb}, {@code ldc} likewise
   */
  void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, Tensor a, int lda,
      Tensor b, int ldb, float beta, Tensor c, int ldc);

  /**
   * {@link #gemm(boolean, boolean, int, int, int, float, Tensor, int, Tensor, int, float, Tensor,
   * int)} on matrices that start {@code aOffset}, {@code bOffset} and {@code cOffset} elements
   * into their tensors (one sample of a batch, say), without a view. The caller has checked that
   * each matrix lies inside its tensor.
   */
  void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, Tensor a,
      int aOffset, int lda, Tensor b, int bOffset, int ldb, float beta, Tensor c, int cOffset,
      int ldc);

  /**
   * A dense layer's forward product {@code y = x·W + bias} (PyTorch's {@code nn.Linear} with its
   * weight transposed).
   *
   * @param x {@code [n, in]}
   * @param weight {@code [in, out]}
   * @param bias {@code [out]}, or null for none
   * @param y {@code [n, out]}, overwritten; apart from {@code x} and {@code weight}
   */
  void denseForward(Tensor x, int n, int in, Tensor weight, Tensor bias, int out, Tensor y);

  /**
   * The per-layer scratch of the batch-normalisation kernels, allocated once per layer.
   *
   * @param channels {@code C}, at least 1
   * @param momentum weight of the new batch in the running statistics
   * @param epsilon added to the variance
   */
  BatchNormScratch batchNormScratch(int channels, double momentum, double epsilon);

  /**
   * Batch normalisation in training mode over the rows of {@code [n, C]} (Ioffe and Szegedy,
   * 2015; PyTorch's {@code nn.BatchNorm1d}): statistics in double over the {@code n ≥ 2} rows,
   * shifted by the first row; {@code xhat = (x - mean)·invStd} and {@code y = gamma·xhat + beta}
   * in float; running statistics updated (biased variance normalises, unbiased one enters the
   * running variance). With {@code relu}, {@code y = max(0, gamma·xhat + beta)} instead.
   *
   * @param x {@code [n, C]}; {@code xhat} and {@code y} may each be {@code x}
   * @param gamma {@code [C]}; {@code beta}, {@code runningMean}, {@code runningVar} likewise
   */
  void batchNormForwardTrain(BatchNormScratch scratch, Tensor x, int n, Tensor gamma, Tensor beta,
      Tensor runningMean, Tensor runningVar, Tensor xhat, Tensor y, boolean relu);

  /**
   * {@link #denseForward} into {@code pre}, then {@link #batchNormForwardTrain} of {@code pre}
   * with ReLU: bitwise the two calls. {@code pre} may be {@code xhat} (normalised in place).
   *
   * @param scratch of a layer of {@code out} channels
   */
  void denseBatchNormReluForwardTrain(BatchNormScratch scratch, Tensor x, int n, int in,
      Tensor weight, Tensor bias, Tensor pre, Tensor gamma, Tensor beta, Tensor runningMean,
      Tensor runningVar, Tensor xhat, Tensor out);

  /**
   * Backward of {@link #batchNormForwardTrain} with the statistics of the last forward pass in
   * {@code scratch}: {@code dbeta = Σ dy}, {@code dgamma = Σ dy·xhat}, {@code dx = gamma·invStd·
   * (dy - mean(dy) - xhat·mean(dy·xhat))}. With an {@code activation} (the forward pass's ReLU
   * output), {@code dy} is first masked by ReLU's gradient there; the Java loops mask {@code dy}
   * in place, the native kernel leaves it unless it is {@code dx}.
   *
   * @param dy {@code [n, C]}; {@code dx} may be {@code dy}
   * @param activation {@code [n, C]}, or null for batch normalisation without ReLU
   * @param gammaGrad {@code [C]}, overwritten; {@code betaGrad} likewise
   */
  void batchNormBackward(BatchNormScratch scratch, Tensor dy, Tensor activation, Tensor xhat,
      int n, Tensor gamma, Tensor gammaGrad, Tensor betaGrad, Tensor dx);

  /** {@code y = max(0, x)}, NaN kept, {@code -0.0} to {@code +0.0}; {@code y} may be {@code x}. */
  void relu(Tensor x, Tensor y, int count);

  /** {@code dx = dy} where {@code x > 0}, else {@code +0.0} (NaN too); {@code dx} may be {@code dy}. */
  void reluBackward(Tensor x, Tensor dy, Tensor dx, int count);

  /** {@code out[j] = Σ_{r<n} x[r, j]} in double, row order, rounded once; {@code x} {@code [n, width]}. */
  void sumRows(Tensor x, int n, int width, Tensor out);

  /**
   * The sum of the squares of the first {@code count} elements in double: two fixed halves (the
   * first {@code count / 64 · 32} elements and the rest), each over 32 lanes in a fixed order
   * (see {@code ops.Reductions#sumSquares}); the same bits on any number of threads.
   */
  double sumSquares(Tensor x, int count);

  /** {@code x[i] *= factor} for the first {@code count} elements. */
  void scale(Tensor x, int count, float factor);

  /** {@code grad[i] += lambda · param[i]} (coupled L2), in float. */
  void addL2(Tensor param, Tensor grad, int count, float lambda);

  /**
   * One step of SGD with momentum ({@code torch.optim.SGD}, momentum not 0) in float: the step's
   * gradient is {@code g = grad + l2·param} when {@code l2 ≠ 0} ({@code grad} itself is not
   * written); the buffer becomes {@code g} on the first step, else {@code momentum·buffer +
   * (1 - dampening)·g}; the direction is the buffer, or {@code g + momentum·buffer} with Nesterov;
   * then {@code param = param·(1 - decay) - learningRate·direction}, the decay only when not 0
   * (decoupled, SGDW). Every factor is rounded to float once, from the double given.
   *
   * @param decay the decoupled decay factor {@code lr·λ}, 0 for none
   * @param l2 the coupled L2 coefficient, 0 for none
   */
  void sgdMomentum(Tensor param, Tensor grad, Tensor momentumBuffer, int count,
      double learningRate, double momentum, double dampening, boolean nesterov, boolean firstStep,
      double decay, double l2);

  /** The index of the first NaN or infinity among the first {@code count} elements, or -1. */
  int firstNonFinite(Tensor x, int count);

  /** Copies the first {@code count} floats of {@code source} to {@code target}; not overlapping. */
  void copy(Tensor source, Tensor target, int count);

  /**
   * Mean softmax cross-entropy with label smoothing over {@code n} rows of {@code [n, classes]}
   * logits, and its gradient (PyTorch's {@code F.cross_entropy(..., label_smoothing)} with
   * probability targets; see {@code ops.Losses#softmaxCrossEntropy}).
   *
   * @param grad {@code [n, classes]}, overwritten
   * @return the mean loss
   */
  double softmaxCrossEntropy(Tensor logits, Tensor labels, int n, int classes,
      double labelSmoothing, Tensor grad);

  // convolution kernels

  /**
   * Floats of workspace {@link #conv2dForward} and {@link #conv2dBackward} need for batches of up
   * to {@code batch} samples: the Java loops' columns and grouped product ({@link
   * ConvShape#groupWorkspace} of the larger group); natively that per thread, each region rounded
   * up to 64 bytes, plus a partial weight gradient per thread but the first.
   *
   * @param batch at least 1
   */
  long conv2dWorkspaceElements(ConvShape shape, int batch);

  /**
   * {@code y = conv(x, weight) + bias} (PyTorch's {@code nn.Conv2d}) for the first {@code n}
   * samples: each group of samples lowered to columns ({@code im2col}) and multiplied by the
   * weight matrix {@code [out, C·kh·kw]}. Natively the samples are cut over the threads, each
   * thread lowering its own into its region of the workspace and calling a single-threaded
   * product; the Java loops run the groups one after the other with OpenBLAS.
   *
   * @param x {@code [n, C, H, W]}
   * @param weight {@code [out, C, kh, kw]}
   * @param bias {@code [out]}, or null for none
   * @param y {@code [n, out, outH, outW]}, overwritten
   * @param workspace {@link #conv2dWorkspaceElements} floats at least; scratch
   */
  void conv2dForward(ConvShape shape, Tensor x, int n, Tensor weight, Tensor bias, Tensor y,
      Tensor workspace);

  /**
   * Gradients of {@link #conv2dForward}: {@code weightGrad = Σ_samples dY·colᵀ} (natively each
   * thread sums its samples, then the partials are added in thread order: the bits depend on the
   * thread count only), {@code biasGrad[o] = Σ dy[·, o, ·, ·]} in double with four interleaved
   * accumulators, rounded once (the same bits everywhere), and {@code dx = col2im(Wᵀ·dY)}.
   *
   * @param dy {@code [n, out, outH, outW]}
   * @param weightGrad {@code [out, C, kh, kw]}, overwritten
   * @param biasGrad {@code [out]}, overwritten; null for none
   * @param dx {@code [n, C, H, W]}, overwritten; null where not needed
   */
  void conv2dBackward(ConvShape shape, Tensor x, Tensor dy, int n, Tensor weight,
      Tensor weightGrad, Tensor biasGrad, Tensor dx, Tensor workspace);

  /**
   * Batch normalisation in training mode per channel of {@code [n, C, H, W]} (PyTorch's {@code
   * nn.BatchNorm2d}; {@code m = n·plane ≥ 2} values a channel): the sums of {@code d = x - shift}
   * and {@code d²} in double (shift the channel's first element), in eight lanes by position
   * {@code j mod 8} within a plane, the lanes added pairwise; then as {@link
   * #batchNormForwardTrain}. The inverse deviation is kept in {@code scratch} for the backward
   * pass. Natively cut over the threads by channels: the same bits on any number of threads.
   *
   * @param plane {@code H·W}
   * @param y may be {@code x}; with {@code relu}, {@code max(0, ·)} (NaN kept)
   */
  void batchNorm2dForwardTrain(BatchNormScratch scratch, Tensor x, int n, int plane, Tensor gamma,
      Tensor beta, Tensor runningMean, Tensor runningVar, Tensor xhat, Tensor y, boolean relu);

  /**
   * Backward of {@link #batchNorm2dForwardTrain} ({@code dbeta = Σ dy}, {@code dgamma = Σ
   * dy·xhat} in the forward pass's eight lanes, {@code dx = gamma·invStd·(dy - mean(dy) -
   * xhat·mean(dy·xhat))} in float). With an {@code activation} (the forward pass's ReLU output)
   * {@code dy} is first masked by ReLU's gradient, written into {@code dx}.
   *
   * @param dx may be {@code dy}
   */
  void batchNorm2dBackward(BatchNormScratch scratch, Tensor dy, Tensor activation, Tensor xhat,
      int n, int plane, Tensor gamma, Tensor gammaGrad, Tensor betaGrad, Tensor dx);

  /**
   * 2×2 max pooling at stride 2 without padding over {@code planes} planes of {@code [height,
   * width]} (PyTorch's {@code MaxPool2d(2)}): per window the first maximum in row-major order (a
   * NaN wins, the last one), its index {@code ih·width + iw} in its plane into {@code argmax};
   * with {@code relu}, {@code y = max(0, maximum)}. Natively cut by planes.
   *
   * @param y {@code [planes, height / 2, width / 2]}
   * @param argmax as many entries as {@code y}
   */
  void maxPool2x2Forward(Tensor x, int planes, int height, int width, Tensor y, int[] argmax,
      boolean relu);

  /**
   * Backward of {@link #maxPool2x2Forward}: every element of {@code dx} written once, each window's
   * gradient (where {@code y > 0}, if {@code y} is given) at its argmax, 0 elsewhere; an argmax
   * outside its window is not sent.
   *
   * @param y the forward output with ReLU, or null for none
   */
  void maxPool2x2Backward(Tensor dy, Tensor y, int planes, int height, int width, int[] argmax,
      Tensor dx);

  // sequence kernels

  /**
   * GELU (Hendrycks and Gimpel, 2016; PyTorch's {@code nn.GELU(approximate=...)}) over the first
   * {@code count} elements, each value computed in double and rounded once (see {@code ops.Gelu}):
   * the exact form {@code x·Φ(x)} with Numerical Recipes' {@code erfcc} for {@code Φ}, or the
   * tanh form {@code x·σ(2u)}, {@code u = √(2/π)·(x + 0.044715·x³)}. The native kernel's
   * exponential is its own (a polynomial in double): results agree with the Java loop to a float
   * step where the two exponentials round differently.
   *
   * @param y output; may be {@code x}
   * @param tanh the tanh form ({@code approximate='tanh'}) instead of the exact one
   */
  void gelu(Tensor x, Tensor y, int count, boolean tanh);

  /**
   * {@code dx = dy·gelu'(x)} for {@link #gelu}'s form.
   *
   * @param y the forward output, or null: the exact form then takes {@code Φ(x)} as {@code y/x}
   *     (one exponential fewer), except where {@code x = 0} or {@code |y| < 1e-30}
   * @param dx output; may be {@code dy}
   */
  void geluBackward(Tensor x, Tensor y, Tensor dy, Tensor dx, int count, boolean tanh);

  /**
   * LayerNorm forward over {@code rows} rows of {@code [rows, features]} (see {@code
   * ops.LayerNorm}): per row, the mean and biased variance in double, {@code rstd = 1/sqrt(var +
   * epsilon)}, {@code y = (x - mean)·rstd·gamma + beta} rounded once. Bitwise the same on every
   * backend and thread count.
   *
   * @param mean output {@code [rows]}; {@code rstd} likewise
   * @param y output {@code [rows, features]}; may be {@code x}
   */
  void layerNormForward(Tensor x, int rows, int features, double epsilon, Tensor gamma,
      Tensor beta, Tensor mean, Tensor rstd, Tensor y);

  /**
   * LayerNorm backward (see {@code ops.LayerNorm#backward}): {@code dgamma = Σ dy·xhat}, {@code
   * dbeta = Σ dy} per column in row order (double), and per row {@code dx = rstd·(g - mean(g) -
   * xhat·mean(g·xhat))} with {@code g = dy·gamma}. Bitwise the same on every backend and thread
   * count.
   *
   * @param dx output {@code [rows, features]}, may be {@code dy}; null where not needed
   * @param gammaGrad output {@code [features]}, overwritten; {@code betaGrad} likewise
   */
  void layerNormBackward(Tensor x, Tensor dy, int rows, int features, Tensor gamma, Tensor mean,
      Tensor rstd, Tensor dx, Tensor gammaGrad, Tensor betaGrad);

  /**
   * The attention core's forward pass (see {@code ops.ScaledDotProductAttention}): per sample and
   * head, {@code P = softmax(scale·q_h·k_hᵀ + mask)} into {@code probabilities} and {@code y_h =
   * P·v_h}, by blocks of 32 query rows. The native kernel runs the (sample, head) pairs on its
   * threads, each pair on one thread: the same results on any number of threads.
   *
   * @param q {@code [n, t, width]}; {@code k}, {@code v}, {@code y} likewise
   * @param probabilities {@code [n, heads, t, t]}, overwritten (zero above the diagonal if causal)
   * @param scale the scores' factor, {@code 1/√(width/heads)}
   */
  void attentionForward(Tensor q, Tensor k, Tensor v, int n, int t, int width, int heads,
      boolean causal, float scale, Tensor probabilities, Tensor y);

  /**
   * The attention core's backward pass from the forward pass's probabilities (see {@code
   * ops.ScaledDotProductAttention#backward}).
   *
   * @param scratch {@link #threads()} blocks of {@code context·context} floats
   * @param context the longest sequence the scratch is sized for, {@code t ≤ context}
   * @param dq output {@code [n, t, width]}, overwritten; {@code dk}, {@code dv} likewise
   */
  void attentionBackward(Tensor q, Tensor k, Tensor v, Tensor probabilities, Tensor dy, int n,
      int t, int context, int width, int heads, boolean causal, float scale, Tensor scratch,
      Tensor dq, Tensor dk, Tensor dv);

  /**
   * One step of Adam or AdamW in float ({@code optim.AdamKernel}, PyTorch 1.13's single-tensor
   * {@code torch.optim.Adam}/{@code AdamW}), with its factors rounded to float once by the caller:
   * {@code m = m·b1 + oneMinusB1·g}, {@code v = v·b2 + oneMinusB2·g·g}, with AMSGrad {@code v =
   * max(vMax, v)} (kept in {@code vMax}), {@code w = (decays ? w·keep : w) + negStepSize·m /
   * (sqrt(v)/bc2Sqrt + eps)}. Bitwise the same on every backend and thread count.
   *
   * @param maxExpAvgSq the AMSGrad maximum, or null without AMSGrad
   */
  void adam(Tensor param, Tensor grad, Tensor expAvg, Tensor expAvgSq, Tensor maxExpAvgSq,
      int count, float keep, float b1, float oneMinusB1, float b2, float oneMinusB2,
      float negStepSize, float bc2Sqrt, float eps, boolean decays);
}
