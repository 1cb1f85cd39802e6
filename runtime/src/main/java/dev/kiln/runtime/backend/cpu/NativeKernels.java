package dev.kiln.runtime.backend.cpu;

import dev.kiln.runtime.backend.BatchNormScratch;
import dev.kiln.runtime.backend.ConvShape;
import dev.kiln.runtime.backend.Kernels;
import dev.kiln.runtime.backend.java.JavaKernels;
import dev.kiln.runtime.tensor.Tensor;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;

/**
 * The kernels in C ({@link NativeLibrary}): every kernel performs the same float and double
 * operations, in the same order, as {@link JavaKernels}, so the two give bitwise equal results
 * ({@code NativeKernelsTest}); GCC vectorises the native loops, which the JIT does not do for
 * loops over off-heap buffers. With more than one thread ({@link NativeLibrary#threads()}), large
 * kernels and matrix products are cut into fixed slices that give the same bits on any number of
 * threads; on one thread the products are OpenBLAS's, as in {@link JavaKernels}.
 */
public final class NativeKernels implements Kernels {
  /** Whether products and dense layers are cut among the kernels' threads. */
  private static final boolean PARALLEL = NativeLibrary.THREADS > 1;

  NativeKernels() {}

  /** Whether this build of the runtime contains the native library (it may still not load). */
  static boolean bundled() {
    return NativeLibrary.bundled();
  }

  @Override
  public String name() {
    return "native";
  }

  @Override
  public int threads() {
    return NativeLibrary.THREADS;
  }

  @Override
  public void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, Tensor a,
      int lda, Tensor b, int ldb, float beta, Tensor c, int ldc) {
    if (PARALLEL) {
      NativeLibrary.gemm(transA, transB, m, n, k, alpha, a.address(), lda, b.address(), ldb,
          beta, c.address(), ldc);
      return;
    }
    JavaKernels.openBlasGemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  }

  @Override
  public void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, Tensor a,
      int aOffset, int lda, Tensor b, int bOffset, int ldb, float beta, Tensor c, int cOffset,
      int ldc) {
    long aAddress = a.address() + (long) aOffset * Float.BYTES;
    long bAddress = b.address() + (long) bOffset * Float.BYTES;
    long cAddress = c.address() + (long) cOffset * Float.BYTES;
    if (PARALLEL) {
      NativeLibrary.gemm(transA, transB, m, n, k, alpha, aAddress, lda, bAddress, ldb, beta,
          cAddress, ldc);
      return;
    }
    JavaKernels.openBlasGemm(transA, transB, m, n, k, alpha, aAddress, lda, bAddress, ldb, beta,
        cAddress, ldc);
  }

  @Override
  public void denseForward(Tensor x, int n, int in, Tensor weight, Tensor bias, int out,
      Tensor y) {
    // Cut along the inputs on several threads where that pays (see kiln_products.c), else the
    // bias copy and the product in one dispatch.
    if (PARALLEL) {
      NativeLibrary.denseForward(x.address(), n, in, weight.address(), out,
          bias == null ? 0 : bias.address(), y.address());
      return;
    }
    JavaKernels.denseForward(this, x, n, in, weight, bias, out, y);
  }

  /** Off-heap, so that a call passes addresses only: 5·C doubles and 5·C floats. */
  static final class Scratch extends BatchNormScratch {
    final DoublePointer doubles;
    final FloatPointer floats;

    Scratch(int channels, double momentum, double epsilon) {
      super(channels, momentum, epsilon);
      doubles = new DoublePointer(5L * channels);
      floats = new FloatPointer(5L * channels);
    }
  }

  @Override
  public BatchNormScratch batchNormScratch(int channels, double momentum, double epsilon) {
    return new Scratch(channels, momentum, epsilon);
  }

  @Override
  public void batchNormForwardTrain(BatchNormScratch scratch, Tensor x, int n, Tensor gamma,
      Tensor beta, Tensor runningMean, Tensor runningVar, Tensor xhat, Tensor y, boolean relu) {
    Scratch s = (Scratch) scratch;
    NativeLibrary.batchNormForwardTrain(x.address(), n, s.channels(), s.momentum(), s.epsilon(),
        gamma.address(), beta.address(), runningMean.address(), runningVar.address(),
        xhat.address(), y.address(), s.doubles.address(), s.floats.address(), relu);
  }

  @Override
  public void denseBatchNormReluForwardTrain(BatchNormScratch scratch, Tensor x, int n, int in,
      Tensor weight, Tensor bias, Tensor pre, Tensor gamma, Tensor beta, Tensor runningMean,
      Tensor runningVar, Tensor xhat, Tensor out) {
    Scratch s = (Scratch) scratch;
    if (PARALLEL && NativeLibrary.denseBatchNormForwardTrain(x.address(), n, in,
        weight.address(), s.channels(), bias == null ? 0 : bias.address(), pre.address(),
        s.momentum(), s.epsilon(), gamma.address(), beta.address(), runningMean.address(),
        runningVar.address(), xhat.address(), out.address(), s.doubles.address(),
        s.floats.address(), true)) {
      return;
    }
    denseForward(x, n, in, weight, bias, s.channels(), pre);
    batchNormForwardTrain(s, pre, n, gamma, beta, runningMean, runningVar, xhat, out, true);
  }

  @Override
  public void batchNormBackward(BatchNormScratch scratch, Tensor dy, Tensor activation,
      Tensor xhat, int n, Tensor gamma, Tensor gammaGrad, Tensor betaGrad, Tensor dx) {
    Scratch s = (Scratch) scratch;
    NativeLibrary.batchNormBackward(dy.address(), xhat.address(), n, s.channels(),
        gamma.address(), gammaGrad.address(), betaGrad.address(), dx.address(),
        s.doubles.address(), s.floats.address(), activation == null ? 0 : activation.address());
  }

  @Override
  public void relu(Tensor x, Tensor y, int count) {
    NativeLibrary.relu(x.address(), y.address(), count);
  }

  @Override
  public void reluBackward(Tensor x, Tensor dy, Tensor dx, int count) {
    NativeLibrary.reluBackward(x.address(), dy.address(), dx.address(), count);
  }

  @Override
  public void sumRows(Tensor x, int n, int width, Tensor out) {
    NativeLibrary.sumRows(x.address(), n, width, out.address());
  }

  @Override
  public double sumSquares(Tensor x, int count) {
    return NativeLibrary.sumSquares(x.address(), count);
  }

  @Override
  public void scale(Tensor x, int count, float factor) {
    NativeLibrary.scale(x.address(), count, factor);
  }

  @Override
  public void addL2(Tensor param, Tensor grad, int count, float lambda) {
    NativeLibrary.addL2(param.address(), grad.address(), count, lambda);
  }

  @Override
  public void sgdMomentum(Tensor param, Tensor grad, Tensor momentumBuffer, int count,
      double learningRate, double momentum, double dampening, boolean nesterov, boolean firstStep,
      double decay, double l2) {
    // The same float factors as JavaKernels.sgdMomentum.
    NativeLibrary.sgdMomentum(param.address(), grad.address(), momentumBuffer.address(), count,
        (float) learningRate, (float) momentum, (float) (1 - dampening), nesterov, firstStep,
        (float) (1 - decay), decay != 0, (float) l2, l2 != 0);
  }

  @Override
  public int firstNonFinite(Tensor x, int count) {
    return NativeLibrary.firstNonFinite(x.address(), count);
  }

  @Override
  public void copy(Tensor source, Tensor target, int count) {
    NativeLibrary.copy(source.address(), target.address(), count);
  }

  @Override
  public double softmaxCrossEntropy(Tensor logits, Tensor labels, int n, int classes,
      double labelSmoothing, Tensor grad) {
    return NativeLibrary.softmaxCrossEntropy(logits.address(), labels.address(), n, classes,
        labelSmoothing, grad.address());
  }

  // convolution kernels

  @Override
  public long conv2dWorkspaceElements(ConvShape s, int batch) {
    long partial = ((long) s.outChannels() * s.patch() + 15) / 16 * 16;
    return NativeLibrary.THREADS * NativeLibrary.conv2dThreadFloats(batch, s.channels(),
        s.height(), s.width(), s.outChannels(), s.kernelH(), s.kernelW(), s.strideH(),
        s.strideW(), s.padH(), s.padW(), s.outH(), s.outW(), s.forwardGroup(), s.backwardGroup())
        + (NativeLibrary.THREADS - 1) * partial;
  }

  @Override
  public void conv2dForward(ConvShape s, Tensor x, int n, Tensor weight, Tensor bias, Tensor y,
      Tensor workspace) {
    NativeLibrary.conv2dForward(x.address(), n, weight.address(),
        bias == null ? 0 : bias.address(), y.address(), workspace.address(), s.channels(),
        s.height(), s.width(), s.outChannels(), s.kernelH(), s.kernelW(), s.strideH(),
        s.strideW(), s.padH(), s.padW(), s.outH(), s.outW(), s.forwardGroup(), s.backwardGroup());
  }

  @Override
  public void conv2dBackward(ConvShape s, Tensor x, Tensor dy, int n, Tensor weight,
      Tensor weightGrad, Tensor biasGrad, Tensor dx, Tensor workspace) {
    NativeLibrary.conv2dBackward(x.address(), dy.address(), n, weight.address(),
        weightGrad.address(), biasGrad == null ? 0 : biasGrad.address(),
        dx == null ? 0 : dx.address(), workspace.address(), s.channels(), s.height(), s.width(),
        s.outChannels(), s.kernelH(), s.kernelW(), s.strideH(), s.strideW(), s.padH(), s.padW(),
        s.outH(), s.outW(), s.forwardGroup(), s.backwardGroup());
  }

  @Override
  public void batchNorm2dForwardTrain(BatchNormScratch scratch, Tensor x, int n, int plane,
      Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar, Tensor xhat, Tensor y,
      boolean relu) {
    Scratch s = (Scratch) scratch;
    NativeLibrary.batchNorm2dForwardTrain(x.address(), n, s.channels(), plane, s.momentum(),
        s.epsilon(), gamma.address(), beta.address(), runningMean.address(),
        runningVar.address(), xhat.address(), y.address(), s.doubles.address(), relu);
  }

  @Override
  public void batchNorm2dBackward(BatchNormScratch scratch, Tensor dy, Tensor activation,
      Tensor xhat, int n, int plane, Tensor gamma, Tensor gammaGrad, Tensor betaGrad, Tensor dx) {
    Scratch s = (Scratch) scratch;
    NativeLibrary.batchNorm2dBackward(dy.address(),
        activation == null ? 0 : activation.address(), xhat.address(), n, s.channels(), plane,
        gamma.address(), gammaGrad.address(), betaGrad.address(), dx.address(),
        s.doubles.address());
  }

  @Override
  public void maxPool2x2Forward(Tensor x, int planes, int height, int width, Tensor y,
      int[] argmax, boolean relu) {
    NativeLibrary.maxPool2x2Forward(x.address(), planes, height, width, y.address(), argmax,
        relu);
  }

  @Override
  public void maxPool2x2Backward(Tensor dy, Tensor y, int planes, int height, int width,
      int[] argmax, Tensor dx) {
    NativeLibrary.maxPool2x2Backward(dy.address(), y == null ? 0 : y.address(), planes, height,
        width, argmax, dx.address());
  }

  // sequence kernels (kiln_sequence.c)

  @Override
  public void gelu(Tensor x, Tensor y, int count, boolean tanh) {
    NativeLibrary.gelu(x.address(), y.address(), count, tanh);
  }

  @Override
  public void geluBackward(Tensor x, Tensor y, Tensor dy, Tensor dx, int count, boolean tanh) {
    NativeLibrary.geluBackward(x.address(), y == null ? 0 : y.address(), dy.address(),
        dx.address(), count, tanh);
  }

  @Override
  public void layerNormForward(Tensor x, int rows, int features, double epsilon, Tensor gamma,
      Tensor beta, Tensor mean, Tensor rstd, Tensor y) {
    NativeLibrary.layerNormForward(x.address(), rows, features, epsilon, gamma.address(),
        beta.address(), mean.address(), rstd.address(), y.address());
  }

  @Override
  public void layerNormBackward(Tensor x, Tensor dy, int rows, int features, Tensor gamma,
      Tensor mean, Tensor rstd, Tensor dx, Tensor gammaGrad, Tensor betaGrad) {
    NativeLibrary.layerNormBackward(x.address(), dy.address(), rows, features, gamma.address(),
        mean.address(), rstd.address(), dx == null ? 0 : dx.address(), gammaGrad.address(),
        betaGrad.address());
  }

  @Override
  public void attentionForward(Tensor q, Tensor k, Tensor v, int n, int t, int width, int heads,
      boolean causal, float scale, Tensor probabilities, Tensor y) {
    NativeLibrary.attentionForward(q.address(), k.address(), v.address(), n, t, width, heads,
        causal, scale, probabilities.address(), y.address());
  }

  @Override
  public void attentionBackward(Tensor q, Tensor k, Tensor v, Tensor probabilities, Tensor dy,
      int n, int t, int context, int width, int heads, boolean causal, float scale,
      Tensor scratch, Tensor dq, Tensor dk, Tensor dv) {
    NativeLibrary.attentionBackward(q.address(), k.address(), v.address(),
        probabilities.address(), dy.address(), n, t, context, width, heads, causal, scale,
        scratch.address(), dq.address(), dk.address(), dv.address());
  }

  @Override
  public void adam(Tensor param, Tensor grad, Tensor expAvg, Tensor expAvgSq, Tensor maxExpAvgSq,
      int count, float keep, float b1, float oneMinusB1, float b2, float oneMinusB2,
      float negStepSize, float bc2Sqrt, float eps, boolean decays) {
    NativeLibrary.adam(param.address(), grad.address(), expAvg.address(), expAvgSq.address(),
        maxExpAvgSq == null ? 0 : maxExpAvgSq.address(), count, keep, b1, oneMinusB1, b2,
        oneMinusB2, negStepSize, bc2Sqrt, eps, decays);
  }
}
