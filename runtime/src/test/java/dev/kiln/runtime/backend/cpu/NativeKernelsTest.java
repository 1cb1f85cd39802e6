package dev.kiln.runtime.backend.cpu;

import dev.kiln.runtime.backend.Backends;
import dev.kiln.runtime.backend.BatchNormScratch;
import dev.kiln.runtime.backend.Blas;
import dev.kiln.runtime.backend.java.JavaKernels;
import dev.kiln.runtime.internal.BatchInput;
import dev.kiln.runtime.ops.Activations;
import dev.kiln.runtime.ops.BatchNormKernel;
import dev.kiln.runtime.ops.Dense;
import dev.kiln.runtime.ops.Losses;
import dev.kiln.runtime.ops.Reductions;
import dev.kiln.runtime.optim.Clipping;
import dev.kiln.runtime.optim.Regularization;
import dev.kiln.runtime.optim.SgdKernel;
import dev.kiln.runtime.tensor.Tensor;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.FloatBuffer;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The production path (the ops, optimizer and input kernels through {@link Backends#kernels()},
 * native here) gives bitwise the same results as {@link JavaKernels} (NaN compared as NaN), on
 * shapes with vector tails and column blocks cut short, and on values that include zeros of both
 * signs, infinities, NaN and subnormals where the kernel must pass them through. Runs on one
 * thread and, in the build's two-thread execution, on two.
 */
public class NativeKernelsTest {
  private static final JavaKernels JAVA = new JavaKernels();

  private static final int[] COUNTS = {1, 7, 8, 9, 63, 64, 65, 1000, 200_704 + 3};
  private static final int[][] SHAPES = {{2, 1}, {2, 3}, {5, 64}, {7, 70}, {128, 256}, {33, 129}};

  @BeforeAll
  static void nativeLibraryLoads() {
    assumeTrue(Boolean.parseBoolean(System.getProperty(Backends.NATIVE_PROPERTY, "true")),
        "native kernels turned off (-D" + Backends.NATIVE_PROPERTY + "=false)");
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    boolean linuxX64 = os.contains("linux") && System.getProperty("os.arch").equals("amd64");
    if (linuxX64 && cCompilerOnPath()) {
      // The build compiles the library on Linux x86-64 when it has a C compiler (build.sh); it
      // must be there and load.
      assertWithMessage("libkilnkernels.so on the class path").that(NativeKernels.bundled()).isTrue();
      assertWithMessage("native kernels chosen").that(Backends.kernels().name()).isEqualTo("native");
    }
    assumeTrue(Backends.kernels() instanceof NativeKernels, "no native kernels on this platform");
  }

  /** Whether build.sh found a compiler: {@code $CC}, else {@code gcc}, on the PATH. */
  private static boolean cCompilerOnPath() {
    String cc = System.getenv().getOrDefault("CC", "gcc");
    for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
      if (!dir.isEmpty() && java.nio.file.Files.isExecutable(java.nio.file.Path.of(dir, cc))) {
        return true;
      }
    }
    return false;
  }

  @Test
  public void reluAndItsGradient() {
    for (int count : COUNTS) {
      Tensor x = random(count, 1, true);
      Tensor dy = random(count, 2, true);
      Tensor yNative = Tensor.zeros(count);
      Tensor yJava = Tensor.zeros(count);
      Activations.relu(x, yNative, count);
      JAVA.relu(x, yJava, count);
      assertSameBits("relu " + count, yNative, yJava);
      Activations.reluBackward(x, dy, yNative, count);
      JAVA.reluBackward(x, dy, yJava, count);
      assertSameBits("relu backward " + count, yNative, yJava);
      // In place, as the generated trainer calls it (dx = dy).
      Tensor inPlace = copy(dy);
      Activations.reluBackward(x, inPlace, inPlace, count);
      assertSameBits("relu backward in place " + count, inPlace, yJava);
    }
  }

  @Test
  public void sumsOfSquaresAndScaling() {
    for (int count : COUNTS) {
      Tensor x = random(count, 3, false);
      assertThat(Reductions.sumSquares(x, count)).isEqualTo(JAVA.sumSquares(x, count));
      Tensor special = random(count, 4, true);
      assertThat(Double.doubleToLongBits(Reductions.sumSquares(special, count)))
          .isEqualTo(Double.doubleToLongBits(JAVA.sumSquares(special, count)));
      Tensor a = copy(special);
      Tensor b = copy(special);
      Clipping.scale(a, 0.37f);
      JAVA.scale(b, b.length(), 0.37f);
      assertSameBits("scale " + count, a, b);
    }
  }

  @Test
  public void firstNonFiniteValue() {
    for (int count : COUNTS) {
      Tensor clean = random(count, 14, false);
      assertThat(BatchInput.firstNonFinite(clean, count)).isEqualTo(-1);
      for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
        for (int at : new int[] {0, count / 2, count - 1}) {
          Tensor t = copy(clean);
          t.set(at, bad);
          if (at + 1 < count) {
            t.set(count - 1, Float.NaN); // a later one must not be reported first
          }
          assertThat(BatchInput.firstNonFinite(t, count)).isEqualTo(at);
          assertThat(JAVA.firstNonFinite(t, count)).isEqualTo(at);
        }
      }
      Tensor special = random(count, 15, true);
      assertThat(BatchInput.firstNonFinite(special, count))
          .isEqualTo(JAVA.firstNonFinite(special, count));
    }
  }

  /**
   * A batch scanned in slices on several threads reports the first bad value in row-major order,
   * whichever slice finds one first.
   */
  @Test
  public void firstNonFiniteOfAWideBatchIsTheFirstInRowMajorOrder() {
    int rows = 128;
    int width = 784;
    Tensor clean = random(rows * width, 16, false);
    assertThat(BatchInput.firstNonFinite(clean, rows * width)).isEqualTo(-1);
    int[][] cases = {{5, 700, 9, 3}, {9, 3, 5, 700}, {0, 0, 127, 783}, {127, 783, 127, 783},
        {64, 399, 64, 400}, {64, 400, 65, 0}};
    for (int[] c : cases) {
      Tensor t = copy(clean);
      t.set(c[0] * width + c[1], Float.NaN);
      t.set(c[2] * width + c[3], Float.POSITIVE_INFINITY);
      int expected = Math.min(c[0] * width + c[1], c[2] * width + c[3]);
      assertThat(BatchInput.firstNonFinite(t, rows * width)).isEqualTo(expected);
      assertThat(JAVA.firstNonFinite(t, rows * width)).isEqualTo(expected);
      assertThat(BatchInput.firstNonFinite(t, 40 * width))
          .isEqualTo(expected < 40 * width ? expected : -1); // only the first 40 rows
    }
  }

  /**
   * rowsOf reads a contiguous source in place unless it overlaps a tensor to avoid, and decides
   * again when copy was given another source in between on the same instance.
   */
  @Test
  void rowsOfReadsInPlaceUnlessTheSourceOverlapsWhatIsAvoided() {
    BatchInput input = new BatchInput();
    Tensor buffer = Tensor.zeros(4, 6);
    Tensor written = Tensor.zeros(4, 6);
    Tensor[] avoid = {written};
    org.nd4j.linalg.api.ndarray.INDArray free = Tensor.zeros(4, 6).array();
    assertThat(input.rowsOf(free, buffer, 4, 6, avoid).address()).isEqualTo(
        Tensor.wrap(free).address());
    written.fill(3f);
    input.copy(written.array(), Tensor.zeros(4, 6), 4, 6);
    Tensor read = input.rowsOf(written.array(), buffer, 4, 6, avoid);
    assertThat(read).isSameInstanceAs(buffer);
    assertThat(buffer.get(23)).isEqualTo(3f);
  }

  @Test
  void softmaxCrossEntropyAgreesToTheLastBits() {
    for (int[] shape : new int[][] {{2, 1}, {2, 3}, {128, 10}, {7, 1000}}) {
      int n = shape[0];
      int classes = shape[1];
      Tensor logits = random(n * classes, 16, false);
      for (int i = 0; i < n * classes; i += 5) {
        logits.set(i, logits.get(i) * 30); // large logits: the max shift matters
      }
      Tensor labels = Tensor.zeros(n * classes);
      Random random = new Random(n + classes);
      for (int r = 0; r < n; r++) {
        labels.set(r * classes + random.nextInt(classes), 1f);
      }
      for (double smoothing : new double[] {0, 0.1}) {
        Tensor gNative = Tensor.zeros(n * classes);
        Tensor gJava = Tensor.zeros(n * classes);
        double lossNative = Losses.softmaxCrossEntropy(logits, labels, n, classes, smoothing,
            gNative);
        double lossJava = JAVA.softmaxCrossEntropy(logits, labels, n, classes, smoothing,
            gJava);
        assertThat(lossNative).isWithin(1e-13 * Math.max(1, Math.abs(lossJava))).of(lossJava);
        for (int i = 0; i < n * classes; i++) {
          float a = gNative.get(i);
          float e = gJava.get(i);
          // The gradient is rounded to float: equal, or one float step apart; where p·mass - q
          // cancels (smoothing), the two formulas' last double bits show: 1e-15 absolute.
          assertWithMessage("gradient %s of %sx%s", i, n, classes)
              .that((double) Math.abs(a - e)).isAtMost(Math.max(Math.ulp(e), 1e-15));
        }
      }
    }
    // NaN logits give a NaN loss in both.
    Tensor logits = Tensor.zeros(6);
    logits.set(4, Float.NaN);
    Tensor labels = Tensor.zeros(6);
    labels.set(0, 1f);
    labels.set(3, 1f);
    assertThat(Losses.softmaxCrossEntropy(logits, labels, 2, 3, 0, Tensor.zeros(6))).isNaN();
  }

  @Test
  void sizesBeyondATensorAreRefusedBeforeAnyNativeCode() {
    Tensor small = Tensor.zeros(10);
    Tensor big = Tensor.zeros(100);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Activations.relu(big, small, 11));
    assertThat(e).hasMessageThat().isEqualTo("relu: y has 10 elements; 11 needed");
    assertThrows(IllegalArgumentException.class, () -> Activations.reluBackward(big, big, small, 50));
    assertThrows(IllegalArgumentException.class, () -> Reductions.sumSquares(small, 11));
    assertThrows(IllegalArgumentException.class, () -> Reductions.sumRows(big, 11, 10, small));
    assertThrows(IllegalArgumentException.class, () -> Regularization.addL2(small, big, 20, 0.1));
    assertThrows(IllegalArgumentException.class,
        () -> SgdKernel.update(big, big, small, 50, 0.1, 0.9, 0, false, false));
    assertThrows(IllegalArgumentException.class,
        () -> Losses.softmaxCrossEntropy(big, small, 4, 10, 0, big));
    assertThrows(IllegalArgumentException.class, () -> BatchInput.firstNonFinite(small, 11));
    BatchNormKernel batchNorm = new BatchNormKernel(10, 0.1, 1e-5);
    assertThrows(IllegalArgumentException.class,
        () -> batchNorm.forwardTrain(big, 11, small, small, small, small, big, big));
    assertThrows(IllegalArgumentException.class,
        () -> batchNorm.backward(big, big, 10, small, small, Tensor.zeros(9), big));
    // [10, 10] · [10, 10] fits in 100 elements; 10 · 11 does not, nor does a short lda.
    Blas.gemm(false, false, 10, 10, 10, 1f, big, 10, big, 10, 0f, Tensor.zeros(100), 10);
    e = assertThrows(IllegalArgumentException.class,
        () -> Blas.gemm(false, false, 10, 11, 10, 1f, big, 10, big, 11, 0f, big, 11));
    assertThat(e).hasMessageThat().contains("gemm: b has 100 elements; 110 needed");
    assertThrows(IllegalArgumentException.class,
        () -> Blas.gemm(true, false, 10, 10, 10, 1f, big, 9, big, 10, 0f, big, 10));
    assertThat(small.toFloatArray()).isEqualTo(new float[10]);
  }

  @Test
  public void sumOfSquaresIsTheSumOfSquares() {
    Tensor x = Tensor.zeros(1003);
    double expected = 0;
    for (int i = 0; i < 1003; i++) {
      x.set(i, i % 17 - 8);
      expected += (i % 17 - 8) * (i % 17 - 8);
    }
    assertThat(Reductions.sumSquares(x, 1003)).isEqualTo(expected);
    assertThat(Reductions.sumSquares(x, 5)).isEqualTo(64 + 49 + 36 + 25 + 16);
  }

  /** The documented order: two halves of count / 64 · 32 and the rest, 32 lanes each. */
  @Test
  void sumOfSquaresAddsInTheDocumentedOrder() {
    java.util.Random random = new java.util.Random(7);
    for (int count : new int[] {1, 31, 32, 33, 63, 64, 65, 1003, 100_001}) {
      Tensor x = Tensor.zeros(count);
      for (int i = 0; i < count; i++) {
        x.set(i, (float) (random.nextGaussian() * Math.exp(random.nextGaussian() * 5)));
      }
      int split = count / 64 * 32;
      double expected = lanes(x, 0, split) + lanes(x, split, count);
      assertThat(JAVA.sumSquares(x, count)).isEqualTo(expected);
      assertThat(Reductions.sumSquares(x, count)).isEqualTo(expected);
    }
  }

  private static double lanes(Tensor x, int from, int to) {
    double[] lane = new double[32];
    for (int i = from; i < to; i++) {
      double v = x.get(i);
      lane[(i - from) % 32] += v * v;
    }
    double sum = 0;
    for (double l : lane) {
      sum += l;
    }
    return sum;
  }

  @Test
  public void l2AndSgdWithMomentum() {
    for (int count : COUNTS) {
      Tensor w = random(count, 5, false);
      Tensor g = random(count, 6, true);
      Tensor gNative = copy(g);
      Tensor gJava = copy(g);
      Regularization.addL2(w, gNative, count, 1e-4);
      JAVA.addL2(w, gJava, count, (float) 1e-4);
      assertSameBits("L2 " + count, gNative, gJava);
      for (boolean nesterov : new boolean[] {false, true}) {
        for (boolean first : new boolean[] {true, false}) {
          for (double decay : new double[] {0, 1e-3}) {
            for (double l2 : new double[] {0, 1e-4}) {
              Tensor wNative = copy(w);
              Tensor wJava = copy(w);
              Tensor bufNative = random(count, 7, false);
              Tensor bufJava = copy(bufNative);
              Tensor gNative2 = copy(g);
              SgdKernel.update(wNative, gNative2, bufNative, count, 0.1, 0.9, 0.1, nesterov,
                  first, decay, l2);
              JAVA.sgdMomentum(wJava, g, bufJava, count, 0.1, 0.9, 0.1, nesterov, first, decay,
                  l2);
              String what = "sgd " + count + " nesterov " + nesterov + " first " + first
                  + " l2 " + l2;
              assertSameBits(what + " weights", wNative, wJava);
              assertSameBits(what + " momentum", bufNative, bufJava);
              assertSameBits(what + " gradient untouched", gNative2, g);
              // Folded L2 is the same arithmetic as adding it to the gradient first.
              Tensor wSeparate = copy(w);
              Tensor bufSeparate = random(count, 7, false);
              Tensor gSeparate = copy(g);
              Regularization.addL2(w, gSeparate, count, l2);
              if (l2 == 0) {
                gSeparate = copy(g);
              }
              SgdKernel.update(wSeparate, gSeparate, bufSeparate, count, 0.1, 0.9, 0.1, nesterov,
                  first, decay);
              assertSameBits(what + " folded = separate (weights)", wNative, wSeparate);
              assertSameBits(what + " folded = separate (momentum)", bufNative, bufSeparate);
            }
          }
        }
      }
    }
  }

  @Test
  public void columnSums() {
    for (int[] shape : SHAPES) {
      int n = shape[0];
      int c = shape[1];
      Tensor x = random(n * c, 8, false);
      Tensor a = Tensor.zeros(c);
      Tensor b = Tensor.zeros(c);
      Reductions.sumRows(x, n, c, a);
      JAVA.sumRows(x, n, c, b);
      assertSameBits("sumRows " + n + "x" + c, a, b);
    }
  }

  @Test
  public void batchNormalisationForwardAndBackward() {
    for (int[] shape : SHAPES) {
      int n = shape[0];
      int c = shape[1];
      String what = "batch norm " + n + "x" + c;
      BatchNormKernel nativeKernel = new BatchNormKernel(c, 0.1, 1e-5);
      BatchNormScratch javaScratch = JAVA.batchNormScratch(c, 0.1, 1e-5);
      Tensor x = random(n * c, 9, false);
      // Shift some channels far from zero: the shifted one-pass statistics must agree there too.
      for (int i = 0; i < n * c; i += 3) {
        x.set(i, x.get(i) * 0.01f + 1000f);
      }
      Tensor gamma = random(c, 10, false);
      Tensor beta = random(c, 11, false);
      Tensor meanNative = random(c, 12, false);
      Tensor meanJava = copy(meanNative);
      Tensor varNative = Tensor.zeros(c);
      varNative.fill(1f);
      Tensor varJava = copy(varNative);
      Tensor xhatNative = Tensor.zeros(n * c);
      Tensor xhatJava = Tensor.zeros(n * c);
      // y over x in place, as the generated trainer calls it.
      Tensor yNative = copy(x);
      Tensor yJava = copy(x);
      nativeKernel.forwardTrain(yNative, n, gamma, beta, meanNative, varNative, xhatNative,
          yNative);
      JAVA.batchNormForwardTrain(javaScratch, yJava, n, gamma, beta, meanJava, varJava, xhatJava,
          yJava, false);
      assertSameBits(what + " xhat", xhatNative, xhatJava);
      assertSameBits(what + " y", yNative, yJava);
      assertSameBits(what + " running mean", meanNative, meanJava);
      assertSameBits(what + " running var", varNative, varJava);

      Tensor dy = random(n * c, 13, false);
      Tensor dxNative = copy(dy);
      Tensor dxJava = copy(dy);
      Tensor ggNative = Tensor.zeros(c);
      Tensor ggJava = Tensor.zeros(c);
      Tensor bgNative = Tensor.zeros(c);
      Tensor bgJava = Tensor.zeros(c);
      nativeKernel.backward(dxNative, xhatNative, n, gamma, ggNative, bgNative, dxNative);
      JAVA.batchNormBackward(javaScratch, dxJava, null, xhatJava, n, gamma, ggJava, bgJava,
          dxJava);
      assertSameBits(what + " dx", dxNative, dxJava);
      assertSameBits(what + " gamma grad", ggNative, ggJava);
      assertSameBits(what + " beta grad", bgNative, bgJava);
    }
  }

  @Test
  public void batchNormWithReluInOnePassEqualsTheTwoKernels() {
    for (int[] shape : SHAPES) {
      int n = shape[0];
      int c = shape[1];
      String what = "batch norm + relu " + n + "x" + c;
      Tensor x = random(n * c, 17, false);
      Tensor gamma = random(c, 18, false);
      Tensor beta = random(c, 19, false);
      Tensor dyOut = random(n * c, 20, true);
      // Apart: forwardTrain in place, relu, reluBackward on the pre-activation, backward.
      BatchNormKernel apart = new BatchNormKernel(c, 0.1, 1e-5);
      Tensor pre = copy(x);
      Tensor xhatApart = Tensor.zeros(n * c);
      Tensor rmApart = Tensor.zeros(c);
      Tensor rvApart = Tensor.zeros(c);
      Tensor outApart = Tensor.zeros(n * c);
      apart.forwardTrain(pre, n, gamma, beta, rmApart, rvApart, xhatApart, pre);
      Activations.relu(pre, outApart, n * c);
      Tensor deltaApart = copy(dyOut);
      Tensor ggApart = Tensor.zeros(c);
      Tensor bgApart = Tensor.zeros(c);
      Activations.reluBackward(pre, deltaApart, deltaApart, n * c);
      apart.backward(deltaApart, xhatApart, n, gamma, ggApart, bgApart, deltaApart);
      // Fused, in production (natively), and by the Java loops' fused kernels.
      for (boolean javaLoops : new boolean[] {false, true}) {
        BatchNormKernel fused = new BatchNormKernel(c, 0.1, 1e-5);
        Tensor in = copy(x);
        Tensor xhat = Tensor.zeros(n * c);
        Tensor rm = Tensor.zeros(c);
        Tensor rv = Tensor.zeros(c);
        Tensor out = Tensor.zeros(n * c);
        Tensor delta = copy(dyOut);
        Tensor gg = Tensor.zeros(c);
        Tensor bg = Tensor.zeros(c);
        if (javaLoops) {
          BatchNormScratch scratch = JAVA.batchNormScratch(c, 0.1, 1e-5);
          JAVA.batchNormForwardTrain(scratch, in, n, gamma, beta, rm, rv, xhat, out, true);
          JAVA.batchNormBackward(scratch, delta, out, xhat, n, gamma, gg, bg, delta);
        } else {
          fused.forwardTrainRelu(in, n, gamma, beta, rm, rv, xhat, out);
          assertSameBits(what + " input kept", in, x);
          fused.backwardRelu(delta, out, xhat, n, gamma, gg, bg, delta);
        }
        String how = what + (javaLoops ? " (Java loops)" : " (native)");
        assertSameBits(how + " out", out, outApart);
        assertSameBits(how + " xhat", xhat, xhatApart);
        assertSameBits(how + " running var", rv, rvApart);
        assertSameBits(how + " dx", delta, deltaApart);
        assertSameBits(how + " gamma grad", gg, ggApart);
        assertSameBits(how + " beta grad", bg, bgApart);
      }
      // Normalised in place: the input is the xhat buffer (denseForwardTrainRelu without pre).
      BatchNormKernel inPlace = new BatchNormKernel(c, 0.1, 1e-5);
      Tensor xhat = copy(x);
      Tensor out = Tensor.zeros(n * c);
      Tensor rv = Tensor.zeros(c);
      inPlace.forwardTrainRelu(xhat, n, gamma, beta, Tensor.zeros(c), rv, xhat, out);
      assertSameBits(what + " in place out", out, outApart);
      assertSameBits(what + " in place xhat", xhat, xhatApart);
      assertSameBits(what + " in place running var", rv, rvApart);
    }
  }

  /**
   * Dense then batch norm and ReLU in one call without a buffer for the dense output (it goes into
   * xhat) gives the bits of Dense.forward into its own buffer, then forwardTrainRelu.
   */
  @Test
  public void denseBatchNormReluWithoutPreEqualsTheTwoCalls() {
    int n = 24;
    int in = 40;
    int c = 33;
    Tensor x = random(n * in, 31, false);
    Tensor w = random(in * c, 32, false);
    Tensor bias = random(c, 33, false);
    Tensor gamma = random(c, 34, false);
    Tensor beta = random(c, 35, false);
    Tensor pre = Tensor.zeros(n * c);
    Tensor xhatApart = Tensor.zeros(n * c);
    Tensor outApart = Tensor.zeros(n * c);
    Tensor rmApart = Tensor.zeros(c);
    Tensor rvApart = Tensor.zeros(c);
    Dense.forward(x, n, in, w, bias, c, pre);
    new BatchNormKernel(c, 0.1, 1e-5).forwardTrainRelu(pre, n, gamma, beta, rmApart, rvApart,
        xhatApart, outApart);
    Tensor xhat = Tensor.zeros(n * c);
    xhat.fill(Float.NaN); // whatever the buffer held must not matter
    Tensor out = Tensor.zeros(n * c);
    Tensor rm = Tensor.zeros(c);
    Tensor rv = Tensor.zeros(c);
    new BatchNormKernel(c, 0.1, 1e-5).denseForwardTrainRelu(x, n, in, w, bias, gamma, beta, rm,
        rv, xhat, out);
    assertSameBits("xhat", xhat, xhatApart);
    assertSameBits("out", out, outApart);
    assertSameBits("running mean", rm, rmApart);
    assertSameBits("running var", rv, rvApart);
  }

  /** A short or overlapping dense output is refused naming the tensor the caller passed. */
  @Test
  void denseBatchNormReluNamesItsOwnArguments() {
    int n = 4;
    int in = 5;
    int c = 3;
    Tensor x = random(n * in, 36, false);
    Tensor w = random(in * c, 37, false);
    Tensor v = Tensor.zeros(c);
    BatchNormKernel bn = new BatchNormKernel(c, 0.1, 1e-5);
    Tensor full = Tensor.zeros(n * c);
    Tensor shortOne = Tensor.zeros(n * c - 1);
    IllegalArgumentException noPre = assertThrows(IllegalArgumentException.class,
        () -> bn.denseForwardTrainRelu(x, n, in, w, v, v, v, v, v, shortOne, full));
    assertThat(noPre).hasMessageThat().contains("xhat");
    IllegalArgumentException overlap = assertThrows(IllegalArgumentException.class,
        () -> bn.denseForwardTrainRelu(x, n, in, w, v, v, v, v, v, x, full));
    assertThat(overlap).hasMessageThat().contains("xhat must not overlap");
    IllegalArgumentException withPre = assertThrows(IllegalArgumentException.class,
        () -> bn.denseForwardTrainRelu(x, n, in, w, v, shortOne, v, v, v, v, full, full));
    assertThat(withPre).hasMessageThat().contains("pre");
  }

  @Test
  public void batchNormalisationOfAConstantChannelAndOfNaN() {
    int n = 4;
    int c = 3;
    Tensor x = Tensor.zeros(n * c);
    for (int r = 0; r < n; r++) {
      x.set(r * c, 2.5f); // constant channel: variance exactly 0
      x.set(r * c + 1, r == 2 ? Float.NaN : r);
      x.set(r * c + 2, r == 1 ? Float.POSITIVE_INFINITY : -r);
    }
    Tensor gamma = Tensor.zeros(c);
    gamma.fill(1f);
    Tensor beta = Tensor.zeros(c);
    Tensor[] out = new Tensor[2];
    Tensor[] stats = new Tensor[4];
    for (int k = 0; k < 2; k++) {
      BatchNormKernel kernel = new BatchNormKernel(c, 0.1, 1e-5);
      stats[2 * k] = Tensor.zeros(c);
      stats[2 * k + 1] = Tensor.zeros(c);
      out[k] = Tensor.zeros(n * c);
      Tensor xhat = Tensor.zeros(n * c);
      if (k == 0) {
        kernel.forwardTrain(x, n, gamma, beta, stats[0], stats[1], xhat, out[0]);
      } else {
        JAVA.batchNormForwardTrain(JAVA.batchNormScratch(c, 0.1, 1e-5), x, n, gamma, beta,
            stats[2], stats[3], xhat, out[1], false);
      }
    }
    assertSameBits("y", out[0], out[1]);
    assertSameBits("running mean", stats[0], stats[2]);
    assertSameBits("running var", stats[1], stats[3]);
    assertThat(out[0].get(0)).isEqualTo(0f);
    assertThat(Float.isNaN(out[0].get(1))).isTrue();
  }

  /** Normal values, with special ones mixed in when asked. */
  private static Tensor random(int count, long seed, boolean special) {
    Random random = new Random(seed * 7919 + count);
    float[] values = new float[count];
    float[] specials = {0f, -0f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
        Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL / 3, Float.MAX_VALUE, -1e-30f};
    for (int i = 0; i < count; i++) {
      values[i] = special && random.nextInt(8) == 0
          ? specials[random.nextInt(specials.length)]
          : (float) random.nextGaussian();
    }
    Tensor t = Tensor.zeros(count);
    t.setFrom(values);
    return t;
  }

  private static Tensor copy(Tensor t) {
    Tensor c = Tensor.zeros(t.length());
    c.setFrom(t.toFloatArray());
    return c;
  }

  private static void assertSameBits(String what, Tensor actual, Tensor expected) {
    FloatBuffer a = actual.data();
    FloatBuffer e = expected.data();
    for (int i = 0; i < expected.length(); i++) {
      if (Float.floatToIntBits(a.get(i)) != Float.floatToIntBits(e.get(i))) {
        throw new AssertionError(what + ": element " + i + " is " + a.get(i) + " natively and "
            + e.get(i) + " in the Java loop");
      }
    }
  }
}
