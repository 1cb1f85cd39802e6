package dev.kiln.benchmarks;

import com.sun.management.ThreadMXBean;
import dev.kiln.runtime.internal.BatchInput;
import dev.kiln.runtime.ops.BatchNormKernel;
import dev.kiln.runtime.backend.Blas;
import dev.kiln.runtime.ops.Dense;
import dev.kiln.runtime.optim.GradientClipper;
import dev.kiln.runtime.ops.LossKind;
import dev.kiln.runtime.ops.Losses;
import dev.kiln.runtime.optim.ParameterKind;
import dev.kiln.runtime.optim.ParameterSet;
import dev.kiln.runtime.optim.SgdOptimizer;
import dev.kiln.runtime.tensor.SplitMix64;
import dev.kiln.runtime.internal.StatisticsSnapshot;
import dev.kiln.runtime.tensor.Tensor;
import dev.kiln.runtime.train.Trainer;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Where a training step's time goes: a small profiler that runs the kernel sequence of the
 * generated trainer for the reference / wide MLP (the same runtime calls with the same shapes, in
 * the same order as {@code <Config>Trainer.stepBuffered}) and times each call with {@link
 * System#nanoTime} over many steps, then prints the time per layer and per op kind next to the
 * real generated step and the step's GEMMs alone. It also checks the generated trainer's
 * allocation: JVM heap bytes per step (the thread's allocated-bytes counter) and JavaCPP {@link
 * Pointer#totalBytes()} growth over the timed steps.
 *
 * <p>Usage: {@code StepProfile [model=reference|wide|all] [batch=32|128|512|all] [steps=N]}.
 * The mirrored sequence must be kept in step with the generator ({@code TrainerMethods}); the
 * "mirror total" beside the "generated step" line shows when it is not.
 */
public final class StepProfile {
  private final int n;
  private final int[] widths;
  private final int layers;
  private final Tensor[] pre;
  private final Tensor[] xhat;
  private final Tensor[] out;
  private final Tensor[] delta;
  private final Tensor[] weights;
  private final Tensor[] biases;
  private final Tensor[] gammas;
  private final Tensor[] betas;
  private final Tensor[] runningMeans;
  private final Tensor[] runningVars;
  private final Tensor[] weightGrads;
  private final Tensor[] biasGrads;
  private final Tensor[] gammaGrads;
  private final Tensor[] betaGrads;
  private final BatchNormKernel[] batchNorms;
  private final INDArray features;
  private final INDArray labels;
  private final BatchInput featuresInput = new BatchInput();
  private final BatchInput labelsInput = new BatchInput();
  private final Tensor input;
  /** The mirror's "written by the step" list: the benchmark's features alias none of them. */
  private static final Tensor[] NOTHING = {};
  /** What the step reads: the features array itself (contiguous), as the generated step does. */
  private final Tensor stepInput;
  private final Tensor target;
  private final ParameterSet parameters;
  private final SgdOptimizer optimizer;
  private final GradientClipper clipper;
  private final StatisticsSnapshot statistics;
  private List<Op> ops;
  private long[] opNanos;
  private final Map<String, long[]> gemmTimings = new LinkedHashMap<>();

  private StepProfile(Workload w) {
    n = w.batch();
    widths = w.widths();
    layers = widths.length - 1;
    features = w.features();
    labels = w.labels();
    input = Tensor.zeros(n, widths[0]);
    stepInput = featuresInput.rowsOf(features, input, n, widths[0], NOTHING);
    target = Tensor.zeros(n, widths[widths.length - 1]);
    pre = new Tensor[layers];
    xhat = new Tensor[layers];
    out = new Tensor[layers];
    delta = new Tensor[layers];
    weights = new Tensor[layers];
    biases = new Tensor[layers];
    gammas = new Tensor[layers];
    betas = new Tensor[layers];
    runningMeans = new Tensor[layers];
    runningVars = new Tensor[layers];
    weightGrads = new Tensor[layers];
    biasGrads = new Tensor[layers];
    gammaGrads = new Tensor[layers];
    betaGrads = new Tensor[layers];
    batchNorms = new BatchNormKernel[layers];
    SplitMix64 rng = new SplitMix64(42);
    ParameterSet.Builder params = ParameterSet.builder();
    for (int i = 0; i < layers; i++) {
      int in = widths[i];
      int width = widths[i + 1];
      String name = "layer" + i;
      if (!hasBatchNorm(i)) {
        pre[i] = Tensor.alignedZeros(n, width); // a batch-norm layer's dense output goes to xhat
      }
      out[i] = Tensor.alignedZeros(n, width);
      delta[i] = Tensor.alignedZeros(n, width);
      weights[i] = Tensor.zeros(in, width);
      weightGrads[i] = Tensor.alignedZeros(in, width);
      biases[i] = Tensor.zeros(width);
      biasGrads[i] = Tensor.alignedZeros(width);
      float[] init = new float[in * width];
      double bound = Math.sqrt(6.0 / in);
      for (int k = 0; k < init.length; k++) {
        init[k] = (float) ((2 * rng.nextDouble() - 1) * bound);
      }
      weights[i].setFrom(init);
      params.add(name + ".weight", name, ParameterKind.WEIGHT, weights[i], weightGrads[i]);
      params.add(name + ".bias", name, ParameterKind.BIAS, biases[i], biasGrads[i]);
      if (hasBatchNorm(i)) {
        xhat[i] = Tensor.alignedZeros(n, width);
        gammas[i] = Tensor.zeros(width);
        gammas[i].fill(1f);
        betas[i] = Tensor.zeros(width);
        runningMeans[i] = Tensor.zeros(width);
        runningVars[i] = Tensor.zeros(width);
        runningVars[i].fill(1f);
        gammaGrads[i] = Tensor.alignedZeros(width);
        betaGrads[i] = Tensor.alignedZeros(width);
        batchNorms[i] = new BatchNormKernel(width, 0.1, 1e-5);
        params.add(name + ".gamma", name, ParameterKind.GAMMA, gammas[i], gammaGrads[i]);
        params.add(name + ".beta", name, ParameterKind.BETA, betas[i], betaGrads[i]);
      }
    }
    parameters = params.build();
    // L2 1e-4 on the weights, folded into the SGD update as the generated trainer does it.
    double[] l2 = new double[parameters.size()];
    for (int i = 0; i < l2.length; i++) {
      l2[i] = parameters.kind(i) == ParameterKind.WEIGHT ? 1e-4 : 0;
    }
    optimizer = new SgdOptimizer(parameters, 0.9, 0, false, null, l2);
    clipper = GradientClipper.byNorm(parameters, 1.0, 2.0, GradientClipper.Scope.GLOBAL);
    List<Tensor> running = new ArrayList<>();
    for (int i = 0; i < layers; i++) {
      if (hasBatchNorm(i)) {
        running.add(runningMeans[i]);
        running.add(runningVars[i]);
      }
    }
    statistics = new StatisticsSnapshot(running.toArray(new Tensor[0]));
  }

  /** Where layer i's product x·W goes in the step: xhat with batch norm, else pre. */
  private Tensor denseOutput(int i) {
    return hasBatchNorm(i) ? xhat[i] : pre[i];
  }

  /** Hidden layers carry batch norm and ReLU; the last (logits) layer is Dense only. */
  private boolean hasBatchNorm(int layer) {
    return layer < layers - 1;
  }

  private String layerName(int i) {
    return i == layers - 1 ? "logits" : "hidden" + (i + 1);
  }

  /** One call of the step's kernel sequence, named "layer|op kind". */
  private record Op(String name, Runnable call) {}

  /**
   * The generated trainer's kernel sequence (built once: running it allocates nothing), in the
   * order of {@code stepBuffered}.
   */
  private List<Op> sequence() {
    List<Op> ops = new ArrayList<>();
    ops.add(new Op("input|features in place, copy labels", () -> {
      featuresInput.rowsOf(features, input, n, widths[0], NOTHING);
      labelsInput.copy(labels, target, n, widths[layers]);
    }));
    ops.add(new Op("input|check features and labels", () -> {
      BatchInput.checkFinite("features", stepInput, n, widths[0], 0);
      BatchInput.checkLabels(LossKind.SOFTMAX_CROSS_ENTROPY, target, n, widths[layers], 0);
    }));
    ops.add(new Op("input|BN statistics snapshot", statistics::save));
    for (int layer = 0; layer < layers; layer++) {
      int i = layer;
      int in = widths[i];
      int width = widths[i + 1];
      Tensor x = i == 0 ? stepInput : out[i - 1];
      if (hasBatchNorm(i)) {
        ops.add(new Op(layerName(i) + " fwd|dense + batch norm + relu",
            () -> batchNorms[i].denseForwardTrainRelu(x, n, in, weights[i], biases[i],
                gammas[i], betas[i], runningMeans[i], runningVars[i], xhat[i], out[i])));
      } else {
        ops.add(new Op(layerName(i) + " fwd|dense (bias + GEMM)",
            () -> Dense.forward(x, n, in, weights[i], biases[i], width, pre[i])));
      }
    }
    ops.add(new Op("loss|softmax cross-entropy", () -> Losses.softmaxCrossEntropy(
        pre[layers - 1], target, n, widths[layers], 0.0, delta[layers - 1])));
    for (int layer = layers - 1; layer >= 0; layer--) {
      int i = layer;
      int in = widths[i];
      int width = widths[i + 1];
      if (hasBatchNorm(i)) {
        ops.add(new Op(layerName(i) + " bwd|batch norm + relu",
            () -> batchNorms[i].backwardRelu(delta[i], out[i], xhat[i], n, gammas[i],
                gammaGrads[i], betaGrads[i], delta[i])));
      }
      Tensor layerInput = i == 0 ? stepInput : out[i - 1];
      Tensor inputDelta = i == 0 ? null : delta[i - 1];
      ops.add(new Op(layerName(i) + " bwd|dense (2 GEMMs + bias sum)",
          () -> Dense.backward(layerInput, delta[i], n, in, weights[i], width, weightGrads[i],
              biasGrads[i], inputDelta)));
    }
    ops.add(new Op("update|clip: global norm", clipper::measure));
    ops.add(new Op("update|clip: scale", clipper::clip));
    ops.add(new Op("update|SGD momentum with L2", () -> optimizer.update(0.01)));
    return ops;
  }

  /** One step, the generated trainer's kernel sequence, each call timed. */
  private void timedStep() {
    long t = System.nanoTime();
    for (int k = 0; k < ops.size(); k++) {
      ops.get(k).call().run();
      long now = System.nanoTime();
      opNanos[k] += now - t;
      t = now;
    }
  }

  /**
   * Each call of the sequence with hot caches: after one step, call k runs {@code repeats}
   * times in a row and the last half are timed. Set beside the in-step time, it shows what a call
   * loses to the rest of the step evicting its data (the repeated calls change the state, so this
   * runs after the paired measurement).
   */
  private double[] hotMicros(int steps, int repeats) {
    double[] hot = new double[ops.size()];
    for (int s = 0; s < steps; s++) {
      for (int k = 0; k < ops.size(); k++) {
        Runnable call = ops.get(k).call();
        for (int r = 0; r < repeats / 2; r++) {
          call.run();
        }
        long t0 = System.nanoTime();
        for (int r = repeats / 2; r < repeats; r++) {
          call.run();
        }
        hot[k] += (System.nanoTime() - t0) / 1e3 / (repeats - repeats / 2) / steps;
      }
    }
    return hot;
  }

  /** The step's eight GEMMs, as {@link GemmBenchmark}, on this profile's tensors. */
  private void gemmsOnly() {
    for (int i = 0; i < layers; i++) {
      Blas.gemm(false, false, n, widths[i + 1], widths[i], 1f, i == 0 ? input : out[i - 1],
          widths[i], weights[i], widths[i + 1], 0f, denseOutput(i), widths[i + 1]);
    }
    for (int i = layers - 1; i >= 0; i--) {
      Tensor layerInput = i == 0 ? input : out[i - 1];
      Blas.gemm(true, false, widths[i], widths[i + 1], n, 1f, layerInput, widths[i], delta[i],
          widths[i + 1], 0f, weightGrads[i], widths[i + 1]);
      if (i > 0) {
        Blas.gemm(false, true, n, widths[i], widths[i + 1], 1f, delta[i], widths[i + 1],
            weights[i], widths[i + 1], 0f, delta[i - 1], widths[i]);
      }
    }
  }

  /** {@link #gemmsOnly} with each product timed into {@code gemmTimings}. */
  private void timedGemmsOnly() {
    long t = System.nanoTime();
    for (int i = 0; i < layers; i++) {
      Blas.gemm(false, false, n, widths[i + 1], widths[i], 1f, i == 0 ? input : out[i - 1],
          widths[i], weights[i], widths[i + 1], 0f, denseOutput(i), widths[i + 1]);
      t = markGemm(layerName(i) + " x·W", t);
    }
    for (int i = layers - 1; i >= 0; i--) {
      Tensor layerInput = i == 0 ? input : out[i - 1];
      Blas.gemm(true, false, widths[i], widths[i + 1], n, 1f, layerInput, widths[i], delta[i],
          widths[i + 1], 0f, weightGrads[i], widths[i + 1]);
      t = markGemm(layerName(i) + " xᵀ·dy", t);
      if (i > 0) {
        Blas.gemm(false, true, n, widths[i], widths[i + 1], 1f, delta[i], widths[i + 1],
            weights[i], widths[i + 1], 0f, delta[i - 1], widths[i]);
        t = markGemm(layerName(i) + " dy·Wᵀ", t);
      }
    }
  }

  private long markGemm(String name, long start) {
    long now = System.nanoTime();
    gemmTimings.computeIfAbsent(name, k -> new long[1])[0] += now - start;
    return now;
  }

  /** Results of one configuration. */
  record Result(Workload workload, double stepMicros, double mirrorMicros, double gemmMicros,
      Map<String, Double> micros, Map<String, Double> hotMicros,
      Map<String, Double> productMicros, double heapBytesPerStep,
      long pointerGrowth) {}

  static Result profile(Workload w, int steps) {
    StepProfile p = new StepProfile(w);
    p.ops = p.sequence();
    p.opNanos = new long[p.ops.size()];
    Trainer trainer = w.kilnTrainer();
    INDArray features = w.features();
    INDArray labels = w.labels();
    // Warm-up: at least 50 steps and 1.5 s, so that every kernel is compiled by C2.
    long warmEnd = System.nanoTime() + 1_500_000_000L;
    for (int s = 0; s < 50 || System.nanoTime() < warmEnd; s++) {
      trainer.step(features, labels);
      p.timedStep();
      p.gemmsOnly();
      p.timedGemmsOnly();
    }
    java.util.Arrays.fill(p.opNanos, 0);
    p.gemmTimings.values().forEach(a -> a[0] = 0);
    ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
    long stepNanos = 0;
    long mirrorNanos = 0;
    long gemmNanos = 0;
    long heap = 0;
    long pointerStart = Pointer.totalBytes();
    int rounds = 10;
    int perRound = Math.max(1, steps / rounds);
    for (int r = 0; r < rounds; r++) {
      long heapBefore = threads.getCurrentThreadAllocatedBytes();
      long t0 = System.nanoTime();
      for (int s = 0; s < perRound; s++) {
        trainer.step(features, labels);
      }
      long t1 = System.nanoTime();
      heap += threads.getCurrentThreadAllocatedBytes() - heapBefore;
      for (int s = 0; s < perRound; s++) {
        p.timedStep();
      }
      long t2 = System.nanoTime();
      for (int s = 0; s < perRound; s++) {
        p.gemmsOnly();
      }
      long t3 = System.nanoTime();
      for (int s = 0; s < perRound; s++) {
        p.timedGemmsOnly();
      }
      stepNanos += t1 - t0;
      mirrorNanos += t2 - t1;
      gemmNanos += t3 - t2;
    }
    long pointerGrowth = Pointer.totalBytes() - pointerStart;
    int total = perRound * rounds;
    Map<String, Double> micros = new LinkedHashMap<>();
    double[] hot = p.hotMicros(Math.max(5, total / 20), 10);
    Map<String, Double> hotMicros = new LinkedHashMap<>();
    for (int k = 0; k < p.ops.size(); k++) {
      micros.put(p.ops.get(k).name(), p.opNanos[k] / 1e3 / total);
      hotMicros.put(p.ops.get(k).name(), hot[k]);
    }
    Map<String, Double> productMicros = new LinkedHashMap<>();
    p.gemmTimings.forEach((k, v) -> productMicros.put(k, v[0] / 1e3 / total));
    return new Result(w, stepNanos / 1e3 / total, mirrorNanos / 1e3 / total,
        gemmNanos / 1e3 / total, micros, hotMicros, productMicros, (double) heap / total,
        pointerGrowth);
  }

  static void print(Result r, PrintStream o) {
    Workload w = r.workload();
    o.printf(Locale.ROOT, "%n== %s MLP %s, batch %d ==%n", w.model(),
        java.util.Arrays.toString(w.widths()), w.batch());
    o.printf(Locale.ROOT, "generated step   %9.1f us  %,10.0f samples/s   heap %.1f B/step, "
            + "Pointer.totalBytes growth %d B%n", r.stepMicros(), w.batch() * 1e6 / r.stepMicros(),
        r.heapBytesPerStep(), r.pointerGrowth());
    o.printf(Locale.ROOT, "mirror total     %9.1f us  (the timed kernel sequence below)%n",
        r.mirrorMicros());
    o.printf(Locale.ROOT, "GEMMs only       %9.1f us  %,10.0f samples/s   step/GEMM = %.2f%n",
        r.gemmMicros(), w.batch() * 1e6 / r.gemmMicros(), r.stepMicros() / r.gemmMicros());
    double sum = r.micros().values().stream().mapToDouble(Double::doubleValue).sum();
    o.printf(Locale.ROOT, "%-44s %9s %6s %9s%n", "per layer and op", "us/step", "share",
        "hot us");
    for (Map.Entry<String, Double> e : r.micros().entrySet()) {
      o.printf(Locale.ROOT, "  %-42s %9.1f %5.1f%% %9.1f%n", e.getKey().replace('|', ' '),
          e.getValue(), 100 * e.getValue() / sum, r.hotMicros().get(e.getKey()));
    }
    Map<String, Double> byKind = new LinkedHashMap<>();
    Map<String, Double> byLayer = new LinkedHashMap<>();
    for (Map.Entry<String, Double> e : r.micros().entrySet()) {
      String[] parts = e.getKey().split("\\|");
      byKind.merge(parts[1], e.getValue(), Double::sum);
      byLayer.merge(parts[0].split(" ")[0], e.getValue(), Double::sum);
    }
    o.printf(Locale.ROOT, "%-44s %9s %6s%n", "per op kind", "us/step", "share");
    byKind.entrySet().stream().sorted((a, b) -> Double.compare(b.getValue(), a.getValue()))
        .forEach(e -> o.printf(Locale.ROOT, "  %-42s %9.1f %5.1f%%%n", e.getKey(), e.getValue(),
            100 * e.getValue() / sum));
    o.printf(Locale.ROOT, "%-44s %9s %6s%n", "per layer", "us/step", "share");
    byLayer.forEach((k, v) -> o.printf(Locale.ROOT, "  %-42s %9.1f %5.1f%%%n", k, v,
        100 * v / sum));
    double gemmSum = r.productMicros().values().stream().mapToDouble(Double::doubleValue).sum();
    o.printf(Locale.ROOT, "%-44s %9s %6s%n", "GEMMs alone, per product (timed)", "us/step",
        "share");
    r.productMicros().forEach((k, v) -> o.printf(Locale.ROOT, "  %-42s %9.1f %5.1f%%%n", k, v,
        100 * v / gemmSum));
  }

  public static void main(String[] args) {
    List<String> models = List.of("reference", "wide");
    List<Integer> batches = List.of(32, 128, 512);
    int steps = 400;
    for (String a : args) {
      String[] kv = a.split("=", 2);
      if (kv.length != 2) {
        throw new IllegalArgumentException("expected key=value, got " + a);
      }
      switch (kv[0]) {
        case "model" -> models = kv[1].equals("all") ? models : List.of(kv[1]);
        case "batch" -> batches = kv[1].equals("all") ? batches : List.of(Integer.parseInt(kv[1]));
        case "steps" -> steps = Integer.parseInt(kv[1]);
        default -> throw new IllegalArgumentException("unknown option " + kv[0]);
      }
    }
    List<Result> results = new ArrayList<>();
    for (String m : models) {
      for (int b : batches) {
        Result r = profile(Workload.of(m, b), steps);
        print(r, System.out);
        results.add(r);
      }
    }
    System.out.printf(Locale.ROOT, "%n%-10s %6s %12s %12s %10s %12s %14s%n", "model", "batch",
        "step us", "GEMM us", "step/GEMM", "heap B/step", "Pointer growth");
    for (Result r : results) {
      System.out.printf(Locale.ROOT, "%-10s %6d %12.1f %12.1f %10.2f %12.1f %14d%n",
          r.workload().model(), r.workload().batch(), r.stepMicros(), r.gemmMicros(),
          r.stepMicros() / r.gemmMicros(), r.heapBytesPerStep(), r.pointerGrowth());
    }
  }
}
