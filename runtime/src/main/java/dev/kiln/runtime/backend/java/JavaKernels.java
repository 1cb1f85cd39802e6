package dev.kiln.runtime.backend.java;

import dev.kiln.runtime.backend.BatchNormScratch;
import dev.kiln.runtime.backend.ConvShape;
import dev.kiln.runtime.backend.Kernels;
import dev.kiln.runtime.tensor.Tensor;

import java.nio.FloatBuffer;
import org.bytedeco.openblas.global.openblas_nolapack;

/**
 * The kernels as Java loops over each tensor's {@link FloatBuffer}, and matrix products by
 * OpenBLAS through JavaCPP: the backend wherever the native kernels are not built or not loaded
 * (another platform than Linux x86-64, no C compiler at build time, or {@code -Dkiln.native=false})
 * and the reference the native kernels are tested against bit for bit ({@code NativeKernelsTest}).
 * Everything runs on the calling thread; OpenBLAS keeps the thread count ND4J gave it.
 */
public final class JavaKernels implements Kernels {
  private static final int ROW_MAJOR = openblas_nolapack.CblasRowMajor;
  private static final int NO_TRANS = openblas_nolapack.CblasNoTrans;
  private static final int TRANS = openblas_nolapack.CblasTrans;

  /** Java loops; stateless (batch-norm state lives in its scratch). */
  public JavaKernels() {}

  @Override
  public String name() {
    return "java";
  }

  @Override
  public int threads() {
    return 1;
  }

  @Override
  public void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, Tensor a,
      int lda, Tensor b, int ldb, float beta, Tensor c, int ldc) {
    openBlasGemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  }

  /**
   * {@link Kernels#gemm} by OpenBLAS's {@code cblas_sgemm} (the one ND4J's CPU backend calls) on
   * each tensor's pointer, resolved once, so that nothing is allocated.
   */
  public static void openBlasGemm(boolean transA, boolean transB, int m, int n, int k,
      float alpha, Tensor a, int lda, Tensor b, int ldb, float beta, Tensor c, int ldc) {
    openblas_nolapack.cblas_sgemm(ROW_MAJOR, transA ? TRANS : NO_TRANS, transB ? TRANS : NO_TRANS,
        m, n, k, alpha, a.pointer(), lda, b.pointer(), ldb, beta, c.pointer(), ldc);
  }

  @Override
  public void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, Tensor a,
      int aOffset, int lda, Tensor b, int bOffset, int ldb, float beta, Tensor c, int cOffset,
      int ldc) {
    openBlasGemm(transA, transB, m, n, k, alpha, a.address() + (long) aOffset * Float.BYTES, lda,
        b.address() + (long) bOffset * Float.BYTES, ldb, beta,
        c.address() + (long) cOffset * Float.BYTES, ldc);
  }

  /**
   * {@code cblas_sgemm} on matrices at raw addresses, through three reusable pointers per thread
   * (no allocation per call).
   */
  public static void openBlasGemm(boolean transA, boolean transB, int m, int n, int k,
      float alpha, long a, int lda, long b, int ldb, float beta, long c, int ldc) {
    AddressPointer[] views = VIEWS.get();
    openblas_nolapack.cblas_sgemm(ROW_MAJOR, transA ? TRANS : NO_TRANS, transB ? TRANS : NO_TRANS,
        m, n, k, alpha, views[0].at(a), lda, views[1].at(b), ldb, beta, views[2].at(c), ldc);
  }

  /** Three reusable pointers per thread for {@link #openBlasGemm} at addresses. */
  private static final ThreadLocal<AddressPointer[]> VIEWS = ThreadLocal.withInitial(
      () -> new AddressPointer[] {new AddressPointer(), new AddressPointer(),
          new AddressPointer()});

  /** A float pointer that is moved to an address; it owns no memory. */
  private static final class AddressPointer extends org.bytedeco.javacpp.FloatPointer {
    AddressPointer at(long address) {
      this.address = address;
      this.position = 0;
      this.limit = 0;
      this.capacity = 0;
      return this;
    }
  }

  @Override
  public void denseForward(Tensor x, int n, int in, Tensor weight, Tensor bias, int out,
      Tensor y) {
    denseForward(this, x, n, in, weight, bias, out, y);
  }

  /**
   * {@link Kernels#denseForward} as the bias copied into each of the {@code n} rows of {@code y}
   * and one product {@code y = x·W + y} by {@code kernels}' {@link Kernels#gemm}.
   */
  public static void denseForward(Kernels kernels, Tensor x, int n, int in, Tensor weight,
      Tensor bias, int out, Tensor y) {
    if (bias != null) {
      FloatBuffer yb = y.data();
      FloatBuffer bb = bias.data();
      for (int r = 0; r < n; r++) {
        yb.put(r * out, bb, 0, out); // a bulk copy per row (memcpy), no allocation
      }
    }
    kernels.gemm(false, false, n, out, in, 1f, x, in, weight, out, bias != null ? 1f : 0f, y,
        out);
  }

  @Override
  public BatchNormScratch batchNormScratch(int channels, double momentum, double epsilon) {
    return new JavaBatchNorm.Scratch(channels, momentum, epsilon);
  }

  @Override
  public void batchNormForwardTrain(BatchNormScratch scratch, Tensor x, int n, Tensor gamma,
      Tensor beta, Tensor runningMean, Tensor runningVar, Tensor xhat, Tensor y, boolean relu) {
    JavaBatchNorm.forwardTrain((JavaBatchNorm.Scratch) scratch, x, n, gamma, beta, runningMean,
        runningVar, xhat, y);
    if (relu) {
      relu(y, y, n * scratch.channels());
    }
  }

  @Override
  public void denseBatchNormReluForwardTrain(BatchNormScratch scratch, Tensor x, int n, int in,
      Tensor weight, Tensor bias, Tensor pre, Tensor gamma, Tensor beta, Tensor runningMean,
      Tensor runningVar, Tensor xhat, Tensor out) {
    denseForward(x, n, in, weight, bias, scratch.channels(), pre);
    batchNormForwardTrain(scratch, pre, n, gamma, beta, runningMean, runningVar, xhat, out, true);
  }

  @Override
  public void batchNormBackward(BatchNormScratch scratch, Tensor dy, Tensor activation,
      Tensor xhat, int n, Tensor gamma, Tensor gammaGrad, Tensor betaGrad, Tensor dx) {
    if (activation != null) {
      reluBackward(activation, dy, dy, n * scratch.channels());
    }
    JavaBatchNorm.backward((JavaBatchNorm.Scratch) scratch, dy, xhat, n, gamma, gammaGrad,
        betaGrad, dx);
  }

  /**
   * Branch-free on the float's bits (a set sign bit selects {@code +0.0} unless the value is
   * NaN): with signs that vary at random, a compare and branch mispredicts about half the time
   * and costs several times the whole loop.
   */
  @Override
  public void relu(Tensor x, Tensor y, int count) {
    FloatBuffer xb = x.data();
    FloatBuffer yb = y.data();
    for (int i = 0; i < count; i++) {
      int bits = Float.floatToRawIntBits(xb.get(i));
      int nan = (0x7f800000 - (bits & 0x7fffffff)) >> 31;
      yb.put(i, Float.intBitsToFloat(bits & (~(bits >> 31) | nan)));
    }
  }

  @Override
  public void reluBackward(Tensor x, Tensor dy, Tensor dx, int count) {
    FloatBuffer xb = x.data();
    FloatBuffer dyb = dy.data();
    FloatBuffer dxb = dx.data();
    for (int i = 0; i < count; i++) {
      dxb.put(i, Float.intBitsToFloat(Float.floatToRawIntBits(dyb.get(i))
          & positiveMask(xb.get(i))));
    }
  }

  /**
   * All ones where {@code v > 0} (a positive finite value or +infinity), else zero, without a
   * branch: {@code v > 0} exactly when its bits {@code b} satisfy {@code 0 < b ≤ 0x7f800000}, that
   * is when {@code t = b - 1} is in {@code [0, 0x7f800000)}.
   */
  private static int positiveMask(float v) {
    int t = Float.floatToRawIntBits(v) - 1;
    return ((t - 0x7f800000) & ~t) >> 31;
  }

  @Override
  public void sumRows(Tensor x, int n, int width, Tensor out) {
    JavaReductions.sumRows(x, n, width, out);
  }

  @Override
  public double sumSquares(Tensor x, int count) {
    return JavaReductions.sumSquares(x, count);
  }

  @Override
  public void scale(Tensor x, int count, float factor) {
    FloatBuffer b = x.data();
    for (int i = 0; i < count; i++) {
      b.put(i, b.get(i) * factor);
    }
  }

  @Override
  public void addL2(Tensor param, Tensor grad, int count, float lambda) {
    FloatBuffer w = param.data();
    FloatBuffer g = grad.data();
    for (int i = 0; i < count; i++) {
      g.put(i, g.get(i) + lambda * w.get(i));
    }
  }

  @Override
  public void sgdMomentum(Tensor param, Tensor grad, Tensor momentumBuffer, int count,
      double learningRate, double momentum, double dampening, boolean nesterov, boolean firstStep,
      double decay, double l2) {
    FloatBuffer w = param.data();
    FloatBuffer g = grad.data();
    FloatBuffer buf = momentumBuffer.data();
    float lr = (float) learningRate;
    float mu = (float) momentum;
    float keep = (float) (1 - dampening);
    float keepW = (float) (1 - decay);
    boolean decays = decay != 0;
    float l = (float) l2;
    boolean coupled = l2 != 0;
    for (int i = 0; i < count; i++) {
      float gi = coupled ? g.get(i) + l * w.get(i) : g.get(i);
      float b = firstStep ? gi : mu * buf.get(i) + keep * gi;
      buf.put(i, b);
      float d = nesterov ? gi + mu * b : b;
      float wi = decays ? w.get(i) * keepW : w.get(i);
      w.put(i, wi - lr * d);
    }
  }

  @Override
  public int firstNonFinite(Tensor x, int count) {
    FloatBuffer b = x.data();
    for (int i = 0; i < count; i++) {
      if (!Float.isFinite(b.get(i))) {
        return i;
      }
    }
    return -1;
  }

  @Override
  public void copy(Tensor source, Tensor target, int count) {
    target.data().put(0, source.data(), 0, count);
  }

  @Override
  public double softmaxCrossEntropy(Tensor logits, Tensor labels, int n, int classes,
      double labelSmoothing, Tensor grad) {
    FloatBuffer z = logits.data();
    FloatBuffer y = labels.data();
    FloatBuffer g = grad.data();
    double uniform = labelSmoothing / classes;
    double total = 0;
    for (int r = 0; r < n; r++) {
      int row = r * classes;
      double max = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < classes; j++) {
        max = Math.max(max, z.get(row + j));
      }
      double sumExp = 0;
      for (int j = 0; j < classes; j++) {
        sumExp += Math.exp(z.get(row + j) - max);
      }
      double logSumExp = max + Math.log(sumExp);
      double targetMass = 0;
      for (int j = 0; j < classes; j++) {
        double q = (1 - labelSmoothing) * y.get(row + j) + uniform;
        targetMass += q;
        total -= q * (z.get(row + j) - logSumExp);
      }
      for (int j = 0; j < classes; j++) {
        double q = (1 - labelSmoothing) * y.get(row + j) + uniform;
        double p = Math.exp(z.get(row + j) - logSumExp);
        g.put(row + j, (float) ((p * targetMass - q) / n));
      }
    }
    return total / n;
  }

  // convolution kernels

  @Override
  public long conv2dWorkspaceElements(ConvShape shape, int batch) {
    return Math.max(shape.groupWorkspace(Math.min(batch, shape.forwardGroup())),
        shape.groupWorkspace(Math.min(batch, shape.backwardGroup())));
  }

  @Override
  public void conv2dForward(ConvShape shape, Tensor x, int n, Tensor weight, Tensor bias,
      Tensor y, Tensor workspace) {
    JavaConvolution.forward(shape, x, n, weight, bias, y, workspace);
  }

  @Override
  public void conv2dBackward(ConvShape shape, Tensor x, Tensor dy, int n, Tensor weight,
      Tensor weightGrad, Tensor biasGrad, Tensor dx, Tensor workspace) {
    JavaConvolution.backward(shape, x, dy, n, weight, weightGrad, biasGrad, dx, workspace);
  }

  @Override
  public void batchNorm2dForwardTrain(BatchNormScratch scratch, Tensor x, int n, int plane,
      Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar, Tensor xhat, Tensor y,
      boolean relu) {
    JavaBatchNorm2d.forwardTrain((JavaBatchNorm.Scratch) scratch, x, n, plane, gamma, beta,
        runningMean, runningVar, xhat, y, relu);
  }

  @Override
  public void batchNorm2dBackward(BatchNormScratch scratch, Tensor dy, Tensor activation,
      Tensor xhat, int n, int plane, Tensor gamma, Tensor gammaGrad, Tensor betaGrad, Tensor dx) {
    JavaBatchNorm2d.backward((JavaBatchNorm.Scratch) scratch, dy, activation, xhat, n, plane,
        gamma, gammaGrad, betaGrad, dx);
  }

  @Override
  public void maxPool2x2Forward(Tensor x, int planes, int height, int width, Tensor y,
      int[] argmax, boolean relu) {
    JavaMaxPool2x2.forward(x, planes, height, width, y, argmax, relu);
  }

  @Override
  public void maxPool2x2Backward(Tensor dy, Tensor y, int planes, int height, int width,
      int[] argmax, Tensor dx) {
    JavaMaxPool2x2.backward(dy, y, planes, height, width, argmax, dx);
  }

  // sequence kernels (JavaSequence, JavaAttention)

  @Override
  public void gelu(Tensor x, Tensor y, int count, boolean tanh) {
    JavaSequence.gelu(x, y, count, tanh);
  }

  @Override
  public void geluBackward(Tensor x, Tensor y, Tensor dy, Tensor dx, int count, boolean tanh) {
    JavaSequence.geluBackward(x, y, dy, dx, count, tanh);
  }

  @Override
  public void layerNormForward(Tensor x, int rows, int features, double epsilon, Tensor gamma,
      Tensor beta, Tensor mean, Tensor rstd, Tensor y) {
    JavaSequence.layerNormForward(x, rows, features, epsilon, gamma, beta, mean, rstd, y);
  }

  @Override
  public void layerNormBackward(Tensor x, Tensor dy, int rows, int features, Tensor gamma,
      Tensor mean, Tensor rstd, Tensor dx, Tensor gammaGrad, Tensor betaGrad) {
    JavaSequence.layerNormBackward(x, dy, rows, features, gamma, mean, rstd, dx, gammaGrad,
        betaGrad);
  }

  @Override
  public void attentionForward(Tensor q, Tensor k, Tensor v, int n, int t, int width, int heads,
      boolean causal, float scale, Tensor probabilities, Tensor y) {
    JavaAttention.forward(q, k, v, n, t, width, heads, causal, scale, probabilities, y);
  }

  @Override
  public void attentionBackward(Tensor q, Tensor k, Tensor v, Tensor probabilities, Tensor dy,
      int n, int t, int context, int width, int heads, boolean causal, float scale,
      Tensor scratch, Tensor dq, Tensor dk, Tensor dv) {
    JavaAttention.backward(q, k, v, probabilities, dy, n, t, width, heads, causal, scale, scratch,
        dq, dk, dv);
  }

  @Override
  public void adam(Tensor param, Tensor grad, Tensor expAvg, Tensor expAvgSq, Tensor maxExpAvgSq,
      int count, float keep, float b1, float oneMinusB1, float b2, float oneMinusB2,
      float negStepSize, float bc2Sqrt, float eps, boolean decays) {
    FloatBuffer w = param.data();
    FloatBuffer g = grad.data();
    FloatBuffer m = expAvg.data();
    FloatBuffer v = expAvgSq.data();
    FloatBuffer vMax = maxExpAvgSq == null ? null : maxExpAvgSq.data();
    for (int i = 0; i < count; i++) {
      float gi = g.get(i);
      float mi = m.get(i) * b1 + oneMinusB1 * gi;
      float vi = v.get(i) * b2 + oneMinusB2 * gi * gi;
      m.put(i, mi);
      v.put(i, vi);
      if (vMax != null) {
        vi = Math.max(vMax.get(i), vi);
        vMax.put(i, vi);
      }
      float wi = decays ? w.get(i) * keep : w.get(i);
      float denom = (float) Math.sqrt(vi) / bc2Sqrt + eps;
      w.put(i, wi + negStepSize * mi / denom);
    }
  }
}
