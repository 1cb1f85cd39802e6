package dev.kiln.runtime.backend.cpu;

import dev.kiln.runtime.backend.Backends;
import dev.kiln.runtime.backend.Blas;
import dev.kiln.runtime.backend.java.JavaKernels;
import dev.kiln.runtime.ops.BatchNormKernel;
import dev.kiln.runtime.ops.Dense;
import dev.kiln.runtime.tensor.Tensor;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The native kernels' products and dense layers, on the number of threads this JVM was given: the
 * build runs this class (with {@link NativeKernelsTest}, which checks every kernel against the
 * Java loops) once on one thread and once with {@code -Dkiln.threads=2} (the {@code
 * native-two-threads} execution of the runtime's pom), since the count is fixed when the library
 * loads. Products cut into slices equal a double-precision reference within float rounding; a
 * dense layer is cut along its inputs exactly where it is large enough; a busy pool gives the same
 * bits; the cut path allocates nothing.
 */
class ParallelKernelsTest {
  @BeforeAll
  static void nativeKernels() {
    assumeTrue(Backends.kernels() instanceof NativeKernels, "no native kernels in this JVM");
  }

  /** {@code -Dkiln.threads}, where given, is the number of threads (at most the processors). */
  @Test
  void threadsAreTheConfiguredNumber() {
    String wanted = System.getProperty(Backends.THREADS_PROPERTY);
    assumeTrue(wanted != null, "no " + Backends.THREADS_PROPERTY + " given");
    int expected = Math.min(Integer.parseInt(wanted.trim()),
        Runtime.getRuntime().availableProcessors());
    assertThat(Backends.kernels().threads()).isEqualTo(expected);
    assertThat(NativeLibrary.threads()).isEqualTo(expected);
  }

  /** On one thread the products are OpenBLAS's own: only slices need this (slow) reference. */
  @Test
  void productsCutIntoSlicesEqualADoubleReference() {
    assumeTrue(NativeLibrary.threads() > 1, "one thread: products are not cut");
    int[][] shapes = {{128, 256, 784}, {784, 256, 128}, {128, 784, 256}, {37, 1000, 45},
        {1000, 33, 50}, {5, 3, 2}};
    for (int[] s : shapes) {
      for (boolean transA : new boolean[] {false, true}) {
        for (boolean transB : new boolean[] {false, true}) {
          checkProduct(s[0], s[1], s[2], transA, transB);
        }
      }
    }
  }

  @Test
  void denseLayersAreCutAlongTheirInputsWhereLargeEnough() {
    int[][] layers = {{128, 784, 256}, {64, 1000, 33}, {512, 256, 256}, {16, 512, 160},
        {128, 1024, 1024}, {37, 300, 45}, {5, 3, 2}, {40_000, 128, 128}, {1536, 256, 256},
        {768, 128, 512}, {1025, 256, 100}, {200, 32, 1000}};
    for (int[] s : layers) {
      checkDenseForward(s[0], s[1], s[2], true);
      checkDenseForward(s[0], s[1], s[2], false);
    }
  }

  @Test
  void denseThenBatchNormInOneCallEqualsTheTwoCalls() {
    denseThenBatchNormInOneCallEqualsTheTwoCalls(128, 784, 256);
    denseThenBatchNormInOneCallEqualsTheTwoCalls(37, 300, 45);
  }

  @Test
  void wrongSizesAreRefusedBeforeAnyNativeCode() {
    wrongSizesAreRefusedBeforeNativeCode();
  }

  @Test
  void theCutLayerAllocatesNothing() {
    theCutPathAllocatesNothing();
  }

  @Test
  void aBusyPoolGivesTheSameBits() {
    sameBitsWhileAnotherThreadUsesThePool(() -> product(63, 70, 300));
    sameBitsWhileAnotherThreadUsesThePool(() -> denseForward(64, 400, 70));
  }

  /**
   * Two Java threads multiplying at once: one of them finds the pool busy and runs the slices
   * itself, which must give the same bits as the pool.
   */
  private static void sameBitsWhileAnotherThreadUsesThePool(
      java.util.function.Supplier<float[]> compute) {
    float[] expected = compute.get();
    Thread[] threads = new Thread[2];
    AssertionError[] failure = new AssertionError[1];
    for (int t = 0; t < threads.length; t++) {
      threads[t] = new Thread(() -> {
        for (int i = 0; i < 300 && failure[0] == null; i++) {
          float[] actual = compute.get();
          for (int j = 0; j < actual.length; j++) {
            if (Float.floatToIntBits(actual[j]) != Float.floatToIntBits(expected[j])) {
              failure[0] = new AssertionError("concurrent product differs at " + j + " in round "
                  + i + ": " + actual[j] + " instead of " + expected[j]);
              return;
            }
          }
        }
      });
      threads[t].start();
    }
    for (Thread t : threads) {
      try {
        t.join(120_000);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }
    if (failure[0] != null) {
      throw failure[0];
    }
  }

  /** A fixed dense layer's output {@code x·W + b}, on fresh tensors (1.8 million multiply-adds: cut along the inputs). */
  private static float[] denseForward(int n, int in, int out) {
    Tensor x = Tensor.zeros(n, in);
    Tensor w = Tensor.zeros(in, out);
    Tensor b = Tensor.zeros(out);
    Tensor y = Tensor.zeros(n, out);
    for (int i = 0; i < n * in; i++) {
      x.set(i, (float) Math.sin(i));
    }
    for (int i = 0; i < in * out; i++) {
      w.set(i, (float) Math.cos(i * 0.7));
    }
    for (int i = 0; i < out; i++) {
      b.set(i, i * 0.25f);
    }
    Dense.forward(x, n, in, w, b, out, y);
    return y.toFloatArray();
  }

  /**
   * Dense.forward on two threads: cut along the inputs where the layer is large enough (and
   * only there), within float rounding of a double reference, the same bits when repeated, and
   * the rows past n untouched.
   */
  private static void checkDenseForward(int n, int in, int out, boolean withBias) {
    Random random = new Random(n * 131L + in * 17L + out);
    int batch = n + 2;
    Tensor x = Tensor.zeros(batch, in);
    Tensor w = Tensor.zeros(in, out);
    Tensor b = Tensor.zeros(out);
    Tensor y = Tensor.zeros(batch, out);
    for (int i = 0; i < batch * in; i++) {
      x.set(i, (float) random.nextGaussian());
    }
    for (int i = 0; i < in * out; i++) {
      w.set(i, (float) random.nextGaussian());
    }
    for (int i = 0; i < out; i++) {
      b.set(i, (float) random.nextGaussian());
    }
    y.fill(7f);
    // Cut where large enough and where a thread's share of the weights, their gradient and
    // momentum fits in its core's L2 (see kiln_products.c).
    int threads = NativeLibrary.threads();
    boolean cut = threads > 1 && (long) n * in * out >= (1L << 20) && in >= 64 * threads
        && n <= 4L * in
        && 3L * in * out * Float.BYTES / threads <= NativeLibrary.cacheBytes()
        && (long) (threads - 1) * n * out * Float.BYTES <= 8 * NativeLibrary.cacheBytes();
    Tensor probe = Tensor.zeros(batch, out);
    assertWithMessage("layer %s x %s -> %s cut along the inputs", n, in, out)
        .that(NativeLibrary.denseForward(x.address(), n, in, w.address(), out, b.address(),
            probe.address())).isEqualTo(cut);
    Dense.forward(x, n, in, w, withBias ? b : null, out, y);
    float[] first = y.toFloatArray();
    if (!cut) { // the Java loop's bias copy and product on these kernels, bit for bit
      Tensor java = Tensor.zeros(batch, out);
      java.fill(7f);
      JavaKernels.denseForward(Backends.kernels(), x, n, in, w, withBias ? b : null, out, java);
      for (int i = 0; i < first.length; i++) {
        if (Float.floatToIntBits(first[i]) != Float.floatToIntBits(java.get(i))) {
          throw new AssertionError("dense " + n + "x" + in + "x" + out + " differs from the "
              + "Java loop's bias copy and product at " + i);
        }
      }
    }
    Dense.forward(x, n, in, w, withBias ? b : null, out, y);
    for (int i = 0; i < first.length; i++) {
      if (Float.floatToIntBits(first[i]) != Float.floatToIntBits(y.get(i))) {
        throw new AssertionError("dense " + n + "x" + in + "x" + out + " not repeatable at " + i);
      }
    }
    for (int r = 0; r < batch; r++) {
      for (int j = 0; j < out; j++) {
        float actual = y.get(r * out + j);
        if (r >= n) {
          if (actual != 7f) {
            throw new AssertionError("dense wrote row " + r + " past n = " + n);
          }
          continue;
        }
        double sum = withBias ? b.get(j) : 0;
        double magnitude = Math.abs(sum);
        for (int p = 0; p < in; p++) {
          double v = (double) x.get(r * in + p) * w.get(p * out + j);
          sum += v;
          magnitude += Math.abs(v);
        }
        double tolerance = 1e-6 * magnitude * Math.sqrt(in) + 1e-6;
        if (Math.abs(actual - sum) > tolerance) {
          throw new AssertionError("dense " + n + "x" + in + "x" + out + " bias " + withBias
              + " at (" + r + ", " + j + "): " + actual + " instead of " + sum);
        }
      }
    }
  }

  /**
   * The layer cut along its inputs, with batch norm, allocates no heap bytes and no JavaCPP
   * memory once warm (its partials are native, made once per thread).
   */
  private static void theCutPathAllocatesNothing() {
    Tensor x = Tensor.zeros(128, 784);
    Tensor w = Tensor.zeros(784, 256);
    Tensor b = Tensor.zeros(256);
    Tensor pre = Tensor.zeros(128, 256);
    Tensor xhat = Tensor.zeros(128, 256);
    Tensor out = Tensor.zeros(128, 256);
    Tensor gamma = Tensor.zeros(256);
    Tensor beta = Tensor.zeros(256);
    Tensor mean = Tensor.zeros(256);
    Tensor var = Tensor.zeros(256);
    gamma.fill(1f);
    var.fill(1f);
    for (int i = 0; i < x.length(); i++) {
      x.set(i, (float) Math.sin(i));
    }
    BatchNormKernel bn = new BatchNormKernel(256, 0.1, 1e-5);
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    long heap = 0;
    long pointer = 0;
    for (int round = 0; round < 4; round++) {
      long heapBefore = threads.getCurrentThreadAllocatedBytes();
      long pointerBefore = org.bytedeco.javacpp.Pointer.totalBytes();
      for (int i = 0; i < 500; i++) {
        Dense.forward(x, 128, 784, w, b, 256, pre);
        bn.denseForwardTrainRelu(x, 128, 784, w, b, pre, gamma, beta, mean, var, xhat, out);
      }
      if (round > 0) { // the first round warms up the JIT
        heap += threads.getCurrentThreadAllocatedBytes() - heapBefore;
        pointer += org.bytedeco.javacpp.Pointer.totalBytes() - pointerBefore;
      }
    }
    if (heap > 1500 || pointer != 0) { // 3,000 calls: under half a byte per call
      throw new AssertionError("the cut dense layer allocated " + heap + " heap bytes and "
          + pointer + " JavaCPP bytes over 3,000 calls");
    }
  }

  /** A tensor smaller than its shape is an IllegalArgumentException naming it, on the cut path too. */
  private static void wrongSizesAreRefusedBeforeNativeCode() {
    Tensor x = Tensor.zeros(128, 784);
    Tensor w = Tensor.zeros(784, 256);
    Tensor b = Tensor.zeros(256);
    Tensor y = Tensor.zeros(128, 256);
    Tensor c = Tensor.zeros(256);
    Tensor[] cases = {Tensor.zeros(127, 784), Tensor.zeros(783, 256), Tensor.zeros(255),
        Tensor.zeros(127, 256)};
    String[] names = {"x", "weight", "bias", "y"};
    for (int k = 0; k < cases.length; k++) {
      Tensor[] args = {x, w, b, y};
      args[k] = cases[k];
      try {
        Dense.forward(args[0], 128, 784, args[1], args[2], 256, args[3]);
        throw new AssertionError("Dense.forward accepted a short " + names[k]);
      } catch (IllegalArgumentException expected) {
        if (!expected.getMessage().contains(names[k])) {
          throw new AssertionError("message does not name " + names[k] + ": "
              + expected.getMessage());
        }
      }
    }
    BatchNormKernel bn = new BatchNormKernel(256, 0.1, 1e-5);
    try {
      bn.denseForwardTrainRelu(x, 128, 784, w, b, y, c, c, c, c, Tensor.zeros(100, 256), y);
      throw new AssertionError("denseForwardTrainRelu accepted a short xhat");
    } catch (IllegalArgumentException expected) {
      if (!expected.getMessage().contains("xhat")) {
        throw new AssertionError("message does not name xhat: " + expected.getMessage());
      }
    }
    try {
      bn.denseForwardTrainRelu(x, 128, 784, Tensor.zeros(700, 256), b, y, c, c, c, c, y, y);
      throw new AssertionError("denseForwardTrainRelu accepted a short weight");
    } catch (IllegalArgumentException expected) {
      if (!expected.getMessage().contains("weight")) {
        throw new AssertionError("message does not name weight: " + expected.getMessage());
      }
    }
  }

  /** BatchNormKernel.denseForwardTrainRelu gives the bits of Dense.forward then forwardTrainRelu. */
  private static void denseThenBatchNormInOneCallEqualsTheTwoCalls(int n, int in, int c) {
    Random random = new Random(n + in + c);
    Tensor x = Tensor.zeros(n, in);
    Tensor w = Tensor.zeros(in, c);
    Tensor[] vectors = new Tensor[8];
    for (int i = 0; i < vectors.length; i++) {
      vectors[i] = Tensor.zeros(c);
      for (int j = 0; j < c; j++) {
        vectors[i].set(j, (float) (i == 4 || i == 6 ? 0.5 + random.nextDouble()
            : random.nextGaussian()));
      }
    }
    for (int i = 0; i < n * in; i++) {
      x.set(i, (float) random.nextGaussian());
    }
    for (int i = 0; i < in * c; i++) {
      w.set(i, (float) random.nextGaussian() * 0.05f);
    }
    // bias, gamma, beta, running mean, running var: one set for each way (same values)
    Tensor bias = vectors[0];
    // way 0: one call with pre; 1: the two calls; 2: one call writing the product into xhat
    float[][] outputs = new float[3][];
    float[][] running = new float[3][];
    for (int way = 0; way < 3; way++) {
      Tensor gamma = copyOf(vectors[1]);
      Tensor beta = copyOf(vectors[2]);
      Tensor mean = copyOf(vectors[3]);
      Tensor var = copyOf(vectors[4]);
      Tensor pre = Tensor.zeros(n, c);
      Tensor xhat = Tensor.zeros(n, c);
      Tensor out = Tensor.zeros(n, c);
      BatchNormKernel bn = new BatchNormKernel(c, 0.1, 1e-5);
      if (way == 0) {
        bn.denseForwardTrainRelu(x, n, in, w, bias, pre, gamma, beta, mean, var, xhat, out);
      } else if (way == 2) {
        bn.denseForwardTrainRelu(x, n, in, w, bias, gamma, beta, mean, var, xhat, out);
      } else {
        Dense.forward(x, n, in, w, bias, c, pre);
        bn.forwardTrainRelu(pre, n, gamma, beta, mean, var, xhat, out);
      }
      float[] all = new float[3 * n * c];
      System.arraycopy(pre.toFloatArray(), 0, all, 0, n * c);
      System.arraycopy(xhat.toFloatArray(), 0, all, n * c, n * c);
      System.arraycopy(out.toFloatArray(), 0, all, 2 * n * c, n * c);
      outputs[way] = all;
      float[] stats = new float[2 * c];
      System.arraycopy(mean.toFloatArray(), 0, stats, 0, c);
      System.arraycopy(var.toFloatArray(), 0, stats, c, c);
      running[way] = stats;
    }
    for (int k = 0; k < 4; k++) {
      int way = k < 2 ? 0 : 2;
      float[] a = k % 2 == 0 ? outputs[way] : running[way];
      float[] b = k % 2 == 0 ? outputs[1] : running[1];
      // way 2 keeps no dense output: its pre part is left zero and not compared
      for (int i = way == 2 && k % 2 == 0 ? n * c : 0; i < a.length; i++) {
        if (Float.floatToIntBits(a[i]) != Float.floatToIntBits(b[i])) {
          throw new AssertionError("dense + batch norm " + n + "x" + in + "x" + c
              + (way == 2 ? " (product into xhat)" : "") + " differs at "
              + (k == 0 ? "output " : "running statistic ") + i + ": " + a[i] + " vs " + b[i]);
        }
      }
    }
  }

  private static Tensor copyOf(Tensor t) {
    Tensor c = Tensor.zeros(t.length());
    c.setFrom(t.toFloatArray());
    return c;
  }

  /** A fixed product of the given shape, on fresh tensors. */
  private static float[] product(int m, int n, int k) {
    Tensor a = Tensor.zeros(m * k);
    Tensor b = Tensor.zeros(k * n);
    Tensor c = Tensor.zeros(m * n);
    for (int i = 0; i < m * k; i++) {
      a.set(i, (float) Math.sin(i));
    }
    for (int i = 0; i < k * n; i++) {
      b.set(i, (float) Math.cos(i * 0.7));
    }
    Blas.gemm(false, false, m, n, k, 1f, a, k, b, n, 0f, c, n);
    return c.toFloatArray();
  }

  private static void checkProduct(int m, int n, int k, boolean transA, boolean transB) {
    Random random = new Random(m * 31L + n * 7L + k);
    float[] a = new float[m * k];
    float[] b = new float[k * n];
    float[] c0 = new float[m * n];
    for (int i = 0; i < a.length; i++) {
      a[i] = (float) random.nextGaussian();
    }
    for (int i = 0; i < b.length; i++) {
      b[i] = (float) random.nextGaussian();
    }
    for (int i = 0; i < c0.length; i++) {
      c0[i] = (float) random.nextGaussian();
    }
    Tensor ta = Tensor.zeros(a.length);
    ta.setFrom(a);
    Tensor tb = Tensor.zeros(b.length);
    tb.setFrom(b);
    Tensor tc = Tensor.zeros(c0.length);
    tc.setFrom(c0);
    int lda = transA ? m : k;
    int ldb = transB ? k : n;
    Blas.gemm(transA, transB, m, n, k, 0.5f, ta, lda, tb, ldb, 2f, tc, n);
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double sum = 0;
        double magnitude = 0;
        for (int p = 0; p < k; p++) {
          double x = transA ? a[p * lda + i] : a[i * lda + p];
          double y = transB ? b[j * ldb + p] : b[p * ldb + j];
          sum += x * y;
          magnitude += Math.abs(x * y);
        }
        double expected = 0.5 * sum + 2.0 * c0[i * n + j];
        double tolerance = 1e-6 * (magnitude + Math.abs(c0[i * n + j])) * Math.sqrt(k) + 1e-6;
        if (Math.abs(tc.get(i * n + j) - expected) > tolerance) {
          throw new AssertionError("gemm " + m + "x" + n + "x" + k + " transA " + transA
              + " transB " + transB + " at (" + i + ", " + j + "): " + tc.get(i * n + j)
              + " instead of " + expected);
        }
      }
    }
  }
}
