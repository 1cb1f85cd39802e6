package dev.kiln.runtime;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * With several threads ({@code -Dkiln.threads=3} in a fresh JVM, since the count is fixed when the
 * library loads) the native kernels still equal the Java loops bit for bit, and the products cut
 * into slices equal a double-precision reference within float rounding.
 */
class ParallelKernelsTest {

  @Test
  void kernelsOnThreeThreadsEqualTheJavaLoops() throws Exception {
    assumeTrue(NativeKernels.available(), "no native kernels on this platform");
    List<String> command = List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-D" + NativeKernels.THREADS_PROPERTY + "=3", "-cp", System.getProperty("java.class.path"),
        Probe.class.getName());
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    byte[] output = process.getInputStream().readAllBytes();
    assertThat(process.waitFor(300, TimeUnit.SECONDS)).isTrue();
    String text = new String(output, StandardCharsets.UTF_8);
    assertWithMessage(text).that(process.exitValue()).isEqualTo(0);
    assertThat(text).contains("threads 3; all kernels equal");
  }

  /** Runs in the child JVM: every check of {@link NativeKernelsTest}, then the products. */
  public static final class Probe {
    private Probe() {}

    public static void main(String[] args) {
      if (NativeKernels.threads() != 3) {
        throw new AssertionError("expected 3 threads, got " + NativeKernels.threads());
      }
      NativeKernelsTest kernels = new NativeKernelsTest();
      kernels.reluAndItsGradient();
      kernels.sumsOfSquaresAndScaling();
      kernels.sumOfSquaresIsTheSumOfSquares();
      kernels.firstNonFiniteValue();
      kernels.l2AndSgdWithMomentum();
      kernels.columnSums();
      kernels.batchNormalisationForwardAndBackward();
      kernels.batchNormalisationOfAConstantChannelAndOfNaN();
      int[][] shapes = {{128, 256, 784}, {784, 256, 128}, {128, 784, 256}, {37, 1000, 45},
          {1000, 33, 50}, {5, 3, 2}};
      for (int[] s : shapes) {
        for (boolean transA : new boolean[] {false, true}) {
          for (boolean transB : new boolean[] {false, true}) {
            checkProduct(s[0], s[1], s[2], transA, transB);
          }
        }
      }
      System.out.println("threads " + NativeKernels.threads() + "; all kernels equal");
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
}
