package dev.kiln.runtime.ops;

import dev.kiln.runtime.backend.Backends;
import dev.kiln.runtime.backend.ConvShape;
import dev.kiln.runtime.tensor.Tensor;

/**
 * 2-d convolution kernels with PyTorch's {@code nn.Conv2d} semantics (groups 1, no dilation): a
 * cross-correlation (no kernel flip) of {@code x [n, C, H, W]} with {@code weight [out, C, kh, kw]}
 * (PyTorch's layout, so parameters can be shown as they are), zero padding {@code (ph, pw)},
 * stride {@code (sh, sw)}, optional {@code bias [out]}, output {@code y [n, out, outH, outW]} with
 * {@code outH = floor((H + 2·ph - kh)/sh) + 1} (likewise {@code outW}). All activations are NCHW,
 * row-major and contiguous, as PyTorch's; tensors may be larger than the batch needs (only the
 * first {@code n} samples are read or written).
 *
 * <p><b>Algorithm.</b> The lowering of Chellapilla, Puri and Simard (2006; Caffe's {@code
 * im2col}): a group of samples becomes a matrix {@code col [C·kh·kw, g·outH·outW]} in a workspace
 * the caller allocates once ({@link #workspaceElements}), and one product computes {@code W·col}.
 * The backward pass lowers the input again (so one workspace can serve every layer), computes
 * {@code dW = Σ dY·colᵀ}, then {@code dcol = Wᵀ·dY} into the same workspace and adds it back
 * ({@code col2im}). Both run in the chosen kernels ({@link Backends#kernels()}, {@code
 * Kernels.conv2dForward}): natively the batch is cut over the threads by samples, each thread
 * lowering its own samples into its own part of the workspace and calling a single-threaded
 * product, the weight gradients summed per thread and then added (docs/performance.md,
 * "Convolutions"); the Java loops run the same groups on the calling thread.
 *
 * <p><b>Layout.</b> NCHW, as PyTorch: {@code torch.flatten(x, 1)} before a dense layer is then
 * no copy, the golden files and parameters read as they are, and one sample's product {@code
 * W·col} is already its {@code [out, outH·outW]} output. NHWC would make the lowered rows longer
 * (contiguous channels) but needs a transposition at every flatten and against the references.
 *
 * <p><b>Samples per product.</b> With one sample per product ({@code g = 1}) the product writes
 * straight into {@code y} and reads straight from {@code dy}, and a sample's columns stay in
 * cache between their lowering and the product; but small layers then make many tiny products
 * (call overhead dominates) that are below the 2²⁰ multiply-adds from which Kiln's threads cut a
 * product. One product for the whole batch is the largest, but its columns (several MB) no longer
 * fit in cache, and the output moves once more (from the product's {@code [out, g·outH·outW]}
 * into NCHW, a bulk copy per channel and sample). Measured on the shared 2-core machine
 * (docs/performance.md, "Convolutions"), the forward pass was fastest one sample at a time except
 * on tiny layers, and the backward pass (whose per-sample products {@code dY·colᵀ} are small and
 * accumulate) with groups of a few samples; the whole batch in one product was never the
 * fastest on the larger layers. So the backward pass, and the forward pass of layers below
 * {@value #TINY_MULTIPLY_ADDS} multiply-adds per sample, group as many samples as {@link
 * #defaultGroup}'s cache budget allows, and the forward pass of larger layers takes one.
 *
 * <p>Instances hold only the geometry: they are immutable and may be shared between threads
 * (each with its own workspace). Nothing is allocated per call.
 */
public final class Conv2d {
  private static final String KIND = "conv2d";

  private final Window2d g;
  private final int outChannels;
  /** {@code C·kh·kw}: the rows of a lowered sample, the columns of the weight matrix. */
  private final int patch;
  private final int forwardGroup;
  private final int backwardGroup;
  /** The geometry as the kernels take it ({@link Backends#kernels()}). */
  private final ConvShape shape;

  /**
   * @param inChannels input channels {@code C}
   * @param height input height {@code H}
   * @param width input width {@code W}
   * @param outChannels output channels
   * @param kernelH kernel height {@code kh}
   * @param kernelW kernel width {@code kw}
   * @param strideH vertical stride, at least 1
   * @param strideW horizontal stride, at least 1
   * @param padH zero padding above and below, at least 0
   * @param padW zero padding left and right, at least 0
   * @throws IllegalArgumentException for a size below 1, negative padding, or a kernel larger
   *     than the padded input
   */
  public Conv2d(int inChannels, int height, int width, int outChannels, int kernelH, int kernelW,
      int strideH, int strideW, int padH, int padW) {
    this(new Window2d(KIND, inChannels, height, width, kernelH, kernelW, strideH, strideW, padH,
        padW), outChannels, -1);
  }

  /** With {@code maxGroup} samples per product at most ({@code -1}: {@link #defaultGroup}'s rule). */
  Conv2d(Window2d g, int outChannels, int maxGroup) {
    if (outChannels < 1) {
      throw new IllegalArgumentException(KIND + ": expected out channels >= 1, got "
          + outChannels);
    }
    this.g = g;
    this.outChannels = outChannels;
    this.patch = g.channels * g.kernelH * g.kernelW;
    if ((long) patch * g.outPlane > Integer.MAX_VALUE
        || (long) outChannels * g.outPlane > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(KIND + ": a lowered sample has more than 2^31 - 1 "
          + "elements");
    }
    int budget = defaultGroup(patch, outChannels, g.outPlane);
    boolean tiny = (long) outChannels * patch * g.outPlane < TINY_MULTIPLY_ADDS;
    this.forwardGroup = maxGroup > 0 ? maxGroup : tiny ? budget : 1;
    this.backwardGroup = maxGroup > 0 ? maxGroup : budget;
    this.shape = new ConvShape(g.channels, g.height, g.width, outChannels, g.kernelH, g.kernelW,
        g.strideH, g.strideW, g.padH, g.padW, g.outH, g.outW, forwardGroup, backwardGroup);
  }

  /**
   * The rule for the samples per product: as many as keep the group's lowered input and product
   * ({@code (C·kh·kw + out)·outH·outW} floats per sample) within {@value #GROUP_BUDGET_FLOATS}
   * floats (2 MiB, the L2 of the development machine's cores), and at least one. Tiny layers
   * so get the whole batch in one product (a product per sample costs more in call overhead than
   * in arithmetic), mid-sized ones products large enough for both threads, and large ones one
   * sample per product (the columns of one sample stay in cache between their lowering and the
   * product). Measured in docs/performance.md ("Convolutions").
   */
  static int defaultGroup(int patch, int outChannels, int outPlane) {
    long perSample = (long) (patch + outChannels) * outPlane;
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, GROUP_BUDGET_FLOATS / perSample));
  }

  /** The floats of lowered input and product that one group may take: 2 MiB. */
  static final long GROUP_BUDGET_FLOATS = 1L << 19;

  /**
   * Below this many multiply-adds per sample the forward pass groups samples as the backward
   * pass does; above, it multiplies one sample at a time (measured faster: no copy of the
   * output, and the columns stay in cache).
   */
  static final long TINY_MULTIPLY_ADDS = 1L << 16;

  /** Output height {@code floor((H + 2·ph - kh)/sh) + 1}. */
  public int outHeight() {
    return g.outH;
  }

  /** Output width {@code floor((W + 2·pw - kw)/sw) + 1}. */
  public int outWidth() {
    return g.outW;
  }

  /**
   * Samples lowered into one product of the forward pass for a batch of {@code n} (public for
   * the benchmarks, which time the products alone).
   */
  public int forwardGroup(int n) {
    return Math.min(n, forwardGroup);
  }

  /** Samples lowered into one product of the backward pass for a batch of {@code n}. */
  public int backwardGroup(int n) {
    return Math.min(n, backwardGroup);
  }

  /**
   * Floats the workspace of {@link #forward} and {@link #backward} needs for batches of up to
   * {@code batch} samples.
   *
   * @throws IllegalArgumentException if {@code batch < 1}
   */
  public long workspaceElements(int batch) {
    Checks.batch(KIND, batch);
    return Backends.kernels().conv2dWorkspaceElements(shape, batch);
  }

  /**
   * {@link #workspaceElements(int)} for a layer of the given shape, without making one.
   *
   * @throws IllegalArgumentException as the constructor, or if {@code batch < 1}
   */
  public static long workspaceElements(int batch, int inChannels, int height, int width,
      int outChannels, int kernelH, int kernelW, int strideH, int strideW, int padH, int padW) {
    return new Conv2d(inChannels, height, width, outChannels, kernelH, kernelW, strideH, strideW,
        padH, padW).workspaceElements(batch);
  }

  /**
   * {@code y = conv(x, weight) + bias} for the first {@code n} samples.
   *
   * @param x input {@code [batch, C, H, W]}
   * @param weight {@code [out, C, kh, kw]}
   * @param bias {@code [out]}, or null for a layer without bias
   * @param y output {@code [batch, out, outH, outW]}, overwritten; apart from {@code x} and
   *     {@code weight}
   * @param workspace at least {@link #workspaceElements}{@code (n)} floats, apart from the others;
   *     its contents are scratch
   * @throws IllegalArgumentException for {@code n < 1}, a tensor smaller than its shape or
   *     overlapping ones, before anything is written
   */
  public void forward(Tensor x, int n, Tensor weight, Tensor bias, Tensor y, Tensor workspace) {
    check("conv2d", x, "x", n, weight, y, "y", workspace);
    if (bias != null) {
      Checks.require(KIND, "bias", bias, outChannels);
    }
    Backends.kernels().conv2dForward(shape, x, n, weight, bias, y, workspace);
  }

  /**
   * Gradients of {@link #forward}: {@code weightGrad = Σ_samples dY·colᵀ}, {@code biasGrad[o] =
   * Σ dy[·, o, ·, ·]} (accumulated in double), and {@code dx}, the adjoint of the convolution.
   *
   * @param x the forward input {@code [batch, C, H, W]}
   * @param dy gradient with respect to {@code y}, {@code [batch, out, outH, outW]}
   * @param weight {@code [out, C, kh, kw]}
   * @param weightGrad output {@code [out, C, kh, kw]}, overwritten
   * @param biasGrad output {@code [out]}, overwritten; null for a layer without bias
   * @param dx output {@code [batch, C, H, W]}, overwritten; null where not needed (first layer)
   * @param workspace as for {@link #forward}
   * @throws IllegalArgumentException for {@code n < 1}, a tensor smaller than its shape or
   *     overlapping ones, before anything is written
   */
  public void backward(Tensor x, Tensor dy, int n, Tensor weight, Tensor weightGrad,
      Tensor biasGrad, Tensor dx, Tensor workspace) {
    String kernel = "conv2dBackward";
    check(kernel, x, "x", n, weight, dy, "dy", workspace);
    Checks.require(kernel, "weightGrad", weightGrad, (long) outChannels * patch);
    Checks.apart(kernel, "weightGrad", weightGrad, (long) outChannels * patch, "workspace",
        workspace, workspaceElements(n));
    if (biasGrad != null) {
      Checks.require(kernel, "biasGrad", biasGrad, outChannels);
    }
    if (dx != null) {
      Checks.require(kernel, "dx", dx, g.inElements(n));
      Checks.apart(kernel, "dx", dx, g.inElements(n), "workspace", workspace,
          workspaceElements(n));
      Checks.apart(kernel, "dx", dx, g.inElements(n), "dy", dy, (long) n * outChannels
          * g.outPlane);
    }
    Backends.kernels().conv2dBackward(shape, x, dy, n, weight, weightGrad, biasGrad, dx,
        workspace);
  }

  /** The checks both passes share: sizes, then the workspace apart from what it is read with. */
  private void check(String kernel, Tensor x, String xName, int n, Tensor weight, Tensor y,
      String yName, Tensor workspace) {
    Checks.batch(kernel, n);
    long inElements = g.inElements(n);
    long outElements = (long) n * outChannels * g.outPlane;
    long weights = (long) outChannels * patch;
    long work = workspaceElements(n);
    Checks.require(kernel, xName, x, inElements);
    Checks.require(kernel, "weight", weight, weights);
    Checks.require(kernel, yName, y, outElements);
    Checks.require(kernel, "workspace", workspace, work);
    Checks.apart(kernel, yName, y, outElements, xName, x, inElements);
    Checks.apart(kernel, yName, y, outElements, "weight", weight, weights);
    Checks.apart(kernel, "workspace", workspace, work, xName, x, inElements);
    Checks.apart(kernel, "workspace", workspace, work, yName, y, outElements);
    Checks.apart(kernel, "workspace", workspace, work, "weight", weight, weights);
  }
}
