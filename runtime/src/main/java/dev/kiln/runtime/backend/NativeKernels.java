package dev.kiln.runtime.backend;

import dev.kiln.runtime.ops.Activations;
import dev.kiln.runtime.ops.BatchNormKernel;
import dev.kiln.runtime.ops.Dense;
import dev.kiln.runtime.ops.Losses;
import dev.kiln.runtime.ops.Reductions;
import dev.kiln.runtime.optim.Clipping;
import dev.kiln.runtime.optim.Regularization;
import dev.kiln.runtime.optim.SgdKernel;
import dev.kiln.runtime.tensor.Tensor;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.Map;
import org.bytedeco.javacpp.Loader;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kiln's element-wise kernels compiled to native code ({@code src/main/c/kiln_kernels.c}, built
 * by the runtime module's Maven build with GCC for Linux x86-64, each function compiled for
 * AVX-512, AVX2 and plain x86-64 and picked by the CPU at load time).
 *
 * <p>Every native kernel performs the same float/double operations, in the same order, as the
 * Java loop it stands in for, so the two give bitwise equal results ({@code NativeKernelsTest});
 * GCC vectorises the native loops, which the JIT does not do for loops over off-heap buffers. The
 * runtime's kernels ({@link BatchNormKernel}, {@link Activations}, {@link SgdKernel}, ...) call
 * these when {@link #available()}, and run their Java loops otherwise: off Linux x86-64, where
 * the library was not built (no GCC at build time), or with {@code -D}{@value #PROPERTY}{@code
 * =false}.
 *
 * <p>Arguments are addresses of float32 memory ({@link Tensor#address()}) or of scratch memory
 * the calling kernel allocated once; calls allocate nothing. Internal: the signatures follow the
 * runtime's kernels and may change with them.
 */
public final class NativeKernels {
  /** System property: {@code false} makes the runtime use its Java loops only. */
  public static final String PROPERTY = "kiln.native";

  /** Where the build puts the library, on the class path. */
  static final String RESOURCE = "/dev/kiln/runtime/native/linux-x86_64/libkilnkernels.so";

  private static final Logger LOG = LoggerFactory.getLogger(NativeKernels.class);

  /** System property: the number of threads Kiln's kernels and matrix products use. */
  public static final String THREADS_PROPERTY = "kiln.threads";

  /** Whether the native kernels are loaded; constant for the life of the JVM. */
  public static final boolean AVAILABLE = load();

  /** Threads the native kernels use (1: the calling thread only); constant for the JVM. */
  static final int THREADS = AVAILABLE ? startThreads() : 1;

  /** Whether matrix products go through the native kernels' threads rather than OpenBLAS's. */
  public static final boolean PARALLEL = THREADS > 1;

  private NativeKernels() {}

  /** Whether the runtime's kernels run natively in this JVM. */
  public static boolean available() {
    return AVAILABLE;
  }

  /**
   * The number of threads the training step's kernels and matrix products use: the system
   * property {@value #THREADS_PROPERTY}, else the environment variable {@code OMP_NUM_THREADS}
   * (which ND4J also uses for OpenBLAS), else the number of processors; at most the number of
   * processors. With more than one, Kiln cuts large kernels and products into fixed slices, runs
   * one on the calling thread and the others on parked worker threads. In every case OpenBLAS
   * itself is set to one thread, so that a step never has two thread pools competing for the
   * cores. Without the native kernels this is 1 and OpenBLAS keeps ND4J's setting.
   */
  public static int threads() {
    return THREADS;
  }

  static int configuredThreads() {
    int processors = Runtime.getRuntime().availableProcessors();
    String source = THREADS_PROPERTY;
    String value = System.getProperty(THREADS_PROPERTY);
    if (value == null || value.isBlank()) {
      source = "OMP_NUM_THREADS";
      value = System.getenv("OMP_NUM_THREADS");
    }
    if (value == null || value.isBlank()) {
      return processors;
    }
    int wanted;
    try {
      wanted = Math.max(1, Integer.parseInt(value.trim()));
    } catch (NumberFormatException e) {
      LOG.warn("{}={} is not a number of threads; using the {} processors", source, value,
          processors);
      return processors;
    }
    if (wanted > processors) {
      // Parked workers spin between slices: more of them than cores only slows a step down.
      LOG.warn("{}={} is more than the {} processors; using {}", source, value, processors,
          processors);
      return processors;
    }
    return wanted;
  }

  private static int startThreads() {
    int wanted = configuredThreads();
    // ND4J sets OpenBLAS's thread count when it starts: start it first, so that the setting
    // made here (one OpenBLAS thread per slice) is the last.
    Nd4j.zeros(DataType.FLOAT, 1);
    String openBlas = null;
    for (Map.Entry<String, String> e : Loader.getLoadedLibraries().entrySet()) {
      if (e.getKey().contains("openblas_nolapack") && e.getValue() != null
          && !e.getValue().isEmpty()) {
        openBlas = e.getValue();
      }
    }
    if (openBlas == null) {
      LOG.warn("OpenBLAS not found among the loaded libraries; Kiln's kernels run on one thread");
      return 1;
    }
    int threads = start(wanted, openBlas);
    if (threads < 1) {
      LOG.warn("OpenBLAS's functions not found in {}; Kiln's kernels run on one thread", openBlas);
      return 1;
    }
    LOG.debug("native kernels on {} threads", threads);
    return threads;
  }

  /**
   * Checks that {@code t} holds at least {@code elements} floats before a kernel touches that
   * many: native code has no bounds checks, so a wrong size must fail here, as an exception,
   * and not as a write past the end of a buffer.
   *
   * @throws IllegalArgumentException naming the kernel, the argument and both sizes
   * @throws NullPointerException if {@code t} is null
   */
  public static void require(String kernel, String argument, Tensor t, long elements) {
    if (t == null) {
      throw new NullPointerException(kernel + ": " + argument + " is null");
    }
    if (elements < 0 || t.length() < elements) {
      throw new IllegalArgumentException(kernel + ": " + argument + " has " + t.length()
          + " elements; " + elements + " needed");
    }
  }

  /** Starts the worker threads; returns the threads in use, or -1 without OpenBLAS. */
  private static native int start(int threads, String openBlasPath);

  /** {@link Blas#gemm}, cut into one slice per thread. */
  static native void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
      long a, int lda, long b, int ldb, float beta, long c, int ldc);

  /** Whether this build of the runtime contains the native library (it may still not load). */
  static boolean bundled() {
    return NativeKernels.class.getResource(RESOURCE) != null;
  }

  private static boolean load() {
    if (!Boolean.parseBoolean(System.getProperty(PROPERTY, "true"))) {
      LOG.debug("native kernels off ({}=false)", PROPERTY);
      return false;
    }
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch", "");
    if (!os.contains("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
      LOG.debug("native kernels: none built for {} {}", os, arch);
      return false;
    }
    try (InputStream in = NativeKernels.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        LOG.debug("native kernels: {} not on the class path (built without GCC?)", RESOURCE);
        return false;
      }
      Path file = Files.createTempFile("kilnkernels", ".so");
      try {
        Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
        System.load(file.toAbsolutePath().toString());
      } finally {
        Files.deleteIfExists(file); // the loaded library stays mapped
      }
      return true;
    } catch (IOException | LinkageError | SecurityException e) {
      LOG.warn("native kernels could not be loaded; using the Java loops: {}", e.toString());
      return false;
    }
  }

  /** {@link Reductions#sumRows}. */
  public static native void sumRows(long x, int n, int width, long out);

  /**
   * {@link BatchNormKernel#forwardTrain}, or with {@code relu} {@link
   * BatchNormKernel#forwardTrainRelu}; {@code d}: 5·c doubles, {@code f}: 5·c floats.
   */
  public static native void batchNormForwardTrain(long x, int n, int c, double momentum, double epsilon,
      long gamma, long beta, long runningMean, long runningVar, long xhat, long y, long d, long f,
      boolean relu);

  /**
   * {@link BatchNormKernel#backward}, with the scratch of the forward pass; with an activation
   * address (not 0), {@link BatchNormKernel#backwardRelu}.
   */
  public static native void batchNormBackward(long dy, long xhat, int n, int c, long gamma,
      long gammaGrad, long betaGrad, long dx, long d, long f, long activation);

  /** {@link Activations#relu}. */
  public static native void relu(long x, long y, int count);

  /** {@link Activations#reluBackward}. */
  public static native void reluBackward(long x, long dy, long dx, int count);

  /** Copies {@code count} floats from {@code src} to {@code dst} (not overlapping). */
  public static native void copy(long src, long dst, int count);

  /**
   * {@code y = x·W + bias} ({@link Dense#forward}) cut along the inputs among the threads, or
   * false (nothing written) where the product is too small to cut: see kiln_kernels.c.
   *
   * @param bias address of {@code [out]}, or 0 for none
   */
  public static native boolean denseForward(long x, int n, int in, long w, int out, long bias, long y);

  /**
   * {@link #denseForward} into {@code pre}, then {@link #batchNormForwardTrain} of {@code pre}
   * in the same dispatch as the partials' sum ({@link BatchNormKernel#denseForwardTrainRelu}), or
   * false (nothing written) where the product is not cut.
   */
  public static native boolean denseBatchNormForwardTrain(long x, int n, int in, long w, int out,
      long bias, long pre, double momentum, double epsilon, long gamma, long beta, long rm,
      long rv, long xhat, long y, long d, long f, boolean relu);

  /** The L2 cache size per core that {@link #denseForward} assumes, in bytes. */
  public static native long cacheBytes();

  /** The index of the first NaN or infinity among {@code count} floats, or -1. */
  public static native int firstNonFinite(long x, int count);

  /** {@link Losses#softmaxCrossEntropy}, with the C library's exp and log. */
  public static native double softmaxCrossEntropy(long logits, long labels, int n, int classes,
      double labelSmoothing, long grad);

  /** {@link Reductions#sumSquares}. */
  public static native double sumSquares(long x, int count);

  /** {@link Clipping#scale}. */
  public static native void scale(long x, int count, float factor);

  /** {@link Regularization#addL2}. */
  public static native void addL2(long w, long g, int count, float lambda);

  /** {@link SgdKernel#update} with momentum. */
  public static native void sgdMomentum(long w, long g, long buffer, int count, float learningRate,
      float momentum, float keep, boolean nesterov, boolean firstStep, float keepWeight,
      boolean decays, float l2, boolean coupled);
}
