package dev.kiln.benchmarks;

import dev.kiln.runtime.backend.Backends;
import dev.kiln.runtime.gpt.GptConfig;
import dev.kiln.runtime.gpt.GptTraining;
import dev.kiln.runtime.gpt.HandGpt;
import dev.kiln.runtime.ops.Gelu;
import dev.kiln.runtime.ops.LayerNorm;
import dev.kiln.runtime.ops.ScaledDotProductAttention;
import dev.kiln.runtime.tensor.SplitMix64;
import dev.kiln.runtime.tensor.Tensor;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

/**
 * Where a {@link GptStepBenchmark} step's time goes: the sequence kernels alone on the step's
 * shapes (GELU on {@code [n·T, 4·D]}, LayerNorm on {@code [n·T, D]}, the attention core on {@code
 * [n, T, D]}), then the whole step, each the median and best of {@code calls} calls in
 * milliseconds, wall time and the calling thread's CPU time (on one thread,
 * {@code -Dkiln.threads=1}, all of a call's work: a figure a busy machine disturbs less), on the
 * backend and threads of this JVM ({@code -Dkiln.native=false}: the Java loops). Arguments: {@code config=nano|large} (nano), {@code calls=N} (15).
 *
 * <pre>
 * java -Dkiln.threads=2 -cp "$CP" dev.kiln.benchmarks.GptKernelProfile config=nano
 * </pre>
 */
public final class GptKernelProfile {
  private GptKernelProfile() {}

  /** One timed kernel call. */
  private interface Call {
    void run();
  }

  public static void main(String[] args) {
    String name = "nano";
    int calls = 15;
    for (String a : args) {
      if (a.startsWith("config=")) {
        name = a.substring(7);
      } else if (a.startsWith("calls=")) {
        calls = Integer.parseInt(a.substring(6));
      } else {
        throw new IllegalArgumentException("unknown argument " + a
            + "; expected config=nano|large or calls=N");
      }
    }
    GptConfig c = GptStepBenchmark.config(name);
    int batch = 12;
    int t = c.context();
    int d = c.width();
    int rows = batch * t;
    int hidden = c.hidden();
    Random random = new Random(1);
    Tensor wide = gaussian(random, rows * hidden);
    Tensor wideOut = Tensor.alignedZeros(rows * hidden);
    Tensor wideGrad = gaussian(random, rows * hidden);
    Tensor wideDx = Tensor.alignedZeros(rows * hidden);
    Tensor x = gaussian(random, rows * d);
    Tensor y = Tensor.alignedZeros(rows * d);
    Tensor dy = gaussian(random, rows * d);
    Tensor dx = Tensor.alignedZeros(rows * d);
    Tensor gamma = gaussian(random, d);
    Tensor beta = gaussian(random, d);
    Tensor gammaGrad = Tensor.alignedZeros(d);
    Tensor betaGrad = Tensor.alignedZeros(d);
    Tensor mean = Tensor.alignedZeros(rows);
    Tensor rstd = Tensor.alignedZeros(rows);
    LayerNorm norm = new LayerNorm(d, 1e-5);
    ScaledDotProductAttention core = new ScaledDotProductAttention(t, d, c.heads(), true);
    Tensor q = gaussian(random, rows * d);
    Tensor k = gaussian(random, rows * d);
    Tensor v = gaussian(random, rows * d);
    Tensor p = Tensor.alignedZeros((long) rows * c.heads() * t);
    Tensor dq = Tensor.alignedZeros(rows * d);
    Tensor dk = Tensor.alignedZeros(rows * d);
    Tensor dv = Tensor.alignedZeros(rows * d);
    Gelu.Approximation form = c.gelu();

    System.out.printf(Locale.ROOT, "config %s, backend %s, %d threads; ms per call, median "
        + "(best) of %d%n", name, Backends.kernels().name(), Backends.kernels().threads(), calls);
    time("gelu forward", calls, () -> Gelu.forward(wide, wideOut, rows * hidden, form));
    time("gelu backward", calls,
        () -> Gelu.backward(wide, wideOut, wideGrad, wideDx, rows * hidden, form));
    time("layer norm forward", calls, () -> norm.forward(x, rows, gamma, beta, mean, rstd, y));
    time("layer norm backward", calls,
        () -> norm.backward(x, dy, rows, gamma, mean, rstd, dx, gammaGrad, betaGrad));
    time("attention forward", calls, () -> core.forward(q, k, v, batch, t, p, y));
    time("attention backward", calls, () -> core.backward(q, k, v, p, dy, batch, t, dq, dk, dv));

    HandGpt gpt = new HandGpt(c, batch, GptTraining.nanoGpt(1_000_000));
    gpt.initialize(42);
    SplitMix64 ids = new SplitMix64(7);
    int[] tokens = new int[rows];
    int[] targets = new int[rows];
    for (int i = 0; i < rows; i++) {
      tokens[i] = ids.nextInt(c.vocabulary());
      targets[i] = ids.nextInt(c.vocabulary());
    }
    for (int i = 0; i < 5; i++) {
      gpt.step(tokens, targets, batch, t);
    }
    time("whole step", calls, () -> gpt.step(tokens, targets, batch, t));
  }

  private static Tensor gaussian(Random random, int count) {
    Tensor tensor = Tensor.alignedZeros(count);
    for (int i = 0; i < count; i++) {
      tensor.set(i, (float) random.nextGaussian());
    }
    return tensor;
  }

  private static void time(String what, int calls, Call call) {
    for (int i = 0; i < 3; i++) {
      call.run();
    }
    double[] ms = new double[calls];
    double[] cpu = new double[calls];
    ThreadMXBean bean = ManagementFactory.getThreadMXBean();
    for (int i = 0; i < calls; i++) {
      long cpuStart = bean.getCurrentThreadCpuTime();
      long start = System.nanoTime();
      call.run();
      ms[i] = (System.nanoTime() - start) / 1e6;
      cpu[i] = (bean.getCurrentThreadCpuTime() - cpuStart) / 1e6;
    }
    Arrays.sort(ms);
    Arrays.sort(cpu);
    System.out.printf(Locale.ROOT, "%-22s %8.3f (%.3f)   calling thread's CPU %8.3f (%.3f)%n",
        what, ms[calls / 2], ms[0], cpu[calls / 2], cpu[0]);
  }
}
