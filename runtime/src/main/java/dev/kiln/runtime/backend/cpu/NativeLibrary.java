package dev.kiln.runtime.backend.cpu;

import dev.kiln.runtime.backend.Backends;
import dev.kiln.runtime.backend.Kernels;

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
 * Kiln's kernels compiled to native code ({@code src/main/c}, built by the runtime module's Maven
 * build with GCC for Linux x86-64, each function compiled for AVX-512, AVX2 and plain x86-64 and
 * picked by the CPU at load time): loading the library, starting its threads, and its JNI entry
 * points, which {@code kiln_jni.c} registers with {@code RegisterNatives} when the library loads.
 *
 * <p>Arguments are addresses of float32 memory ({@link dev.kiln.runtime.tensor.Tensor#address()})
 * or of scratch memory the calling kernel allocated once; calls allocate nothing. The callers
 * ({@link NativeKernels}) have checked every size: native code checks none.
 */
final class NativeLibrary {
  /** Where the build puts the library, on the class path. */
  static final String RESOURCE = "/dev/kiln/runtime/native/linux-x86_64/libkilnkernels.so";

  private static final Logger LOG = LoggerFactory.getLogger(NativeLibrary.class);

  /** Whether the library is loaded; constant for the life of the JVM. */
  static final boolean LOADED = load();

  /** Threads the native kernels use (1: the calling thread only); constant for the JVM. */
  static final int THREADS = LOADED ? startThreads() : 1;

  private NativeLibrary() {}

  /**
   * The number of threads the training step's kernels and matrix products use: the system
   * property {@value Backends#THREADS_PROPERTY}, else the environment variable {@code
   * OMP_NUM_THREADS} (which ND4J also uses for OpenBLAS), else the number of processors; at most the number of
   * processors. With more than one, Kiln cuts large kernels and products into fixed slices, runs
   * one on the calling thread and the others on parked worker threads. In every case OpenBLAS
   * itself is set to one thread, so that a step never has two thread pools competing for the
   * cores. Without the native kernels this is 1 and OpenBLAS keeps ND4J's setting.
   */
  static int threads() {
    return THREADS;
  }

  static int configuredThreads() {
    int processors = Runtime.getRuntime().availableProcessors();
    String source = Backends.THREADS_PROPERTY;
    String value = System.getProperty(Backends.THREADS_PROPERTY);
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

  /** Starts the worker threads; returns the threads in use, or -1 without OpenBLAS. */
  private static native int start(int threads, String openBlasPath);

  /** {@link NativeKernels#gemm}, cut into one slice per thread. */
  static native void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
      long a, int lda, long b, int ldb, float beta, long c, int ldc);

  /** Whether this build of the runtime contains the native library (it may still not load). */
  static boolean bundled() {
    return NativeLibrary.class.getResource(RESOURCE) != null;
  }

  private static boolean load() {
    if (!Boolean.parseBoolean(System.getProperty(Backends.NATIVE_PROPERTY, "true"))) {
      LOG.debug("native kernels off ({}=false)", Backends.NATIVE_PROPERTY);
      return false;
    }
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch", "");
    if (!os.contains("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
      LOG.debug("native kernels: none built for {} {}", os, arch);
      return false;
    }
    try (InputStream in = NativeLibrary.class.getResourceAsStream(RESOURCE)) {
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

  /** {@link Kernels#sumRows}. */
  static native void sumRows(long x, int n, int width, long out);

  /**
   * {@link Kernels#batchNormForwardTrain}; {@code d}: the scratch's 5·c doubles, {@code f}: its
   * 5·c floats.
   */
  static native void batchNormForwardTrain(long x, int n, int c, double momentum, double epsilon,
      long gamma, long beta, long runningMean, long runningVar, long xhat, long y, long d, long f,
      boolean relu);

  /**
   * {@link Kernels#batchNormBackward}, with the scratch of the forward pass; {@code activation}
   * 0 for none.
   */
  static native void batchNormBackward(long dy, long xhat, int n, int c, long gamma,
      long gammaGrad, long betaGrad, long dx, long d, long f, long activation);

  /** {@link Kernels#relu}. */
  static native void relu(long x, long y, int count);

  /** {@link Kernels#reluBackward}. */
  static native void reluBackward(long x, long dy, long dx, int count);

  /** {@link Kernels#copy}: {@code count} floats from {@code src} to {@code dst}, in slices. */
  static native void copy(long src, long dst, int count);

  /**
   * {@code y = x·W + bias} ({@link Kernels#denseForward}): cut along the inputs among the threads
   * (returns true), or (false) as {@code JavaKernels.denseForward} on these kernels computes it,
   * the bias copied into each row and {@code y = x·W + y} in {@link #gemm}'s slices, with each
   * thread copying into its own slice: see kiln_products.c.
   *
   * @param bias address of {@code [out]}, or 0 for none
   */
  static native boolean denseForward(long x, int n, int in, long w, int out, long bias, long y);

  /**
   * {@link #denseForward} into {@code pre}, then {@link #batchNormForwardTrain} of {@code pre}
   * in the same dispatch as the partials' sum ({@link Kernels#denseBatchNormReluForwardTrain}), or
   * false (nothing written) where the product is not cut.
   */
  static native boolean denseBatchNormForwardTrain(long x, int n, int in, long w, int out,
      long bias, long pre, double momentum, double epsilon, long gamma, long beta, long rm,
      long rv, long xhat, long y, long d, long f, boolean relu);

  /** The L2 cache size per core that {@link #denseForward} assumes, in bytes. */
  static native long cacheBytes();

  /** {@link Kernels#firstNonFinite}. */
  static native int firstNonFinite(long x, int count);

  /** {@link Kernels#softmaxCrossEntropy}, with the C library's exp and log. */
  static native double softmaxCrossEntropy(long logits, long labels, int n, int classes,
      double labelSmoothing, long grad);

  /** {@link Kernels#sumSquares}. */
  static native double sumSquares(long x, int count);

  /** {@link Kernels#scale}. */
  static native void scale(long x, int count, float factor);

  /** {@link Kernels#addL2}. */
  static native void addL2(long w, long g, int count, float lambda);

  /**
   * {@link Kernels#sgdMomentum}, with its factors already in float: {@code dampeningKeep} is
   * {@code 1 - dampening}, {@code decayKeep} {@code 1 - decay} (used where {@code decays}), and
   * {@code l2} is folded into the gradient where {@code coupled}. The C side packs them into a
   * {@code struct sgd_settings}.
   */
  static native void sgdMomentum(long param, long grad, long momentumBuffer, int count,
      float learningRate, float momentum, float dampeningKeep, boolean nesterov,
      boolean firstStep, float decayKeep, boolean decays, float l2, boolean coupled);

  // convolution kernels (kiln_conv.c); the geometry as ConvShape's fields, in its order

  /** Floats of one thread's region of the convolution workspace for a batch of {@code n}. */
  static native long conv2dThreadFloats(int n, int c, int h, int w, int out, int kh, int kw,
      int sh, int sw, int ph, int pw, int oh, int ow, int forwardGroup, int backwardGroup);

  /** {@link Kernels#conv2dForward}; {@code bias} 0 for none. */
  static native void conv2dForward(long x, int n, long weight, long bias, long y, long work,
      int c, int h, int w, int out, int kh, int kw, int sh, int sw, int ph, int pw, int oh, int ow,
      int forwardGroup, int backwardGroup);

  /** {@link Kernels#conv2dBackward}; {@code biasGrad} and {@code dx} 0 for none. */
  static native void conv2dBackward(long x, long dy, int n, long weight, long weightGrad,
      long biasGrad, long dx, long work, int c, int h, int w, int out, int kh, int kw, int sh,
      int sw, int ph, int pw, int oh, int ow, int forwardGroup, int backwardGroup);

  /** {@link Kernels#batchNorm2dForwardTrain}; {@code d}: the scratch's doubles. */
  static native void batchNorm2dForwardTrain(long x, int n, int c, int plane, double momentum,
      double epsilon, long gamma, long beta, long runningMean, long runningVar, long xhat, long y,
      long d, boolean relu);

  /** {@link Kernels#batchNorm2dBackward}; {@code activation} 0 for none. */
  static native void batchNorm2dBackward(long dy, long activation, long xhat, int n, int c,
      int plane, long gamma, long gammaGrad, long betaGrad, long dx, long d);

  /** {@link Kernels#maxPool2x2Forward}. */
  static native void maxPool2x2Forward(long x, int planes, int h, int w, long y, int[] argmax,
      boolean relu);

  /** {@link Kernels#maxPool2x2Backward}; {@code y} 0 for none. */
  static native void maxPool2x2Backward(long dy, long y, int planes, int h, int w, int[] argmax,
      long dx);

  // sequence kernels (kiln_sequence.c)

  /** {@link Kernels#gelu}. */
  static native void gelu(long x, long y, int count, boolean tanh);

  /** {@link Kernels#geluBackward}; {@code y} 0 for none. */
  static native void geluBackward(long x, long y, long dy, long dx, int count, boolean tanh);

  /** {@link Kernels#layerNormForward}. */
  static native void layerNormForward(long x, int rows, int features, double epsilon, long gamma,
      long beta, long mean, long rstd, long y);

  /** {@link Kernels#layerNormBackward}; {@code dx} 0 for none. */
  static native void layerNormBackward(long x, long dy, int rows, int features, long gamma,
      long mean, long rstd, long dx, long gammaGrad, long betaGrad);

  /** {@link Kernels#attentionForward}, the (sample, head) pairs over the threads. */
  static native void attentionForward(long q, long k, long v, int n, int t, int width, int heads,
      boolean causal, float scale, long probabilities, long y);

  /** {@link Kernels#attentionBackward}, the (sample, head) pairs over the threads. */
  static native void attentionBackward(long q, long k, long v, long probabilities, long dy, int n,
      int t, int context, int width, int heads, boolean causal, float scale, long scratch, long dq,
      long dk, long dv);

  /** {@link Kernels#adam}; {@code maxExpAvgSq} 0 without AMSGrad. */
  static native void adam(long param, long grad, long expAvg, long expAvgSq, long maxExpAvgSq,
      int count, float keep, float b1, float oneMinusB1, float b2, float oneMinusB2,
      float negStepSize, float bc2Sqrt, float eps, boolean decays);
}
