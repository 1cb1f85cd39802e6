package dev.kiln.benchmarks;

import com.sun.management.ThreadMXBean;
import dev.kiln.runtime.ops.Activations;
import dev.kiln.runtime.ops.Dense;
import dev.kiln.runtime.ops.DropoutKernel;
import dev.kiln.runtime.ops.Losses;
import dev.kiln.runtime.tensor.SplitMix64;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.bytedeco.javacpp.Pointer;

/**
 * Where {@link CnnStep}'s time goes, as {@link StepProfile} does for the MLP: runs the step's
 * kernel calls one by one on a second {@link CnnStep} (same shapes, same order as {@link
 * CnnStep#step}), times each with {@link System#nanoTime} over many steps, and prints them per
 * op and per op kind beside the real step and its matrix products alone ({@link CnnGemms}, each
 * product group timed). Also prints the real step's heap bytes per step and {@code
 * Pointer.totalBytes()} growth.
 *
 * <p>Usage: {@code CnnProfile [batch=128] [steps=60]}. The mirrored sequence must be kept in
 * step with {@link CnnStep#step}: the "mirror total" beside "step" shows when it is not.
 */
public final class CnnProfile {
  private record Op(String name, Runnable call) {}

  private static List<Op> sequence(CnnStep s, int n, SplitMix64 dropout) {
    int h = n * CnnStep.HIDDEN;
    List<Op> ops = new ArrayList<>();
    ops.add(new Op("input|check features and labels", () -> s.checkInput(n)));
    ops.add(new Op("input|BN statistics snapshot", s.batchNormStatistics::save));
    ops.add(new Op("conv1 fwd|conv (im2col + GEMM)", () -> s.conv1.forward(s.input, n,
        s.conv1Weight, s.conv1Bias, s.conv1Pre, s.convWorkspace)));
    ops.add(new Op("conv1 fwd|batch norm 2d", () -> s.conv1BatchNorm.forwardTrain(s.conv1Pre, n,
        s.conv1Gamma, s.conv1Beta, s.conv1RunningMean, s.conv1RunningVar, s.conv1Xhat,
        s.conv1Pre)));
    ops.add(new Op("conv1 fwd|max pool + relu", () -> s.conv1Pool.forwardRelu(s.conv1Pre, n,
        s.conv1Out, s.conv1Argmax)));
    ops.add(new Op("conv2 fwd|conv (im2col + GEMM)", () -> s.conv2.forward(s.conv1Out, n,
        s.conv2Weight, s.conv2Bias, s.conv2Pre, s.convWorkspace)));
    ops.add(new Op("conv2 fwd|batch norm 2d", () -> s.conv2BatchNorm.forwardTrain(s.conv2Pre, n,
        s.conv2Gamma, s.conv2Beta, s.conv2RunningMean, s.conv2RunningVar, s.conv2Xhat,
        s.conv2Pre)));
    ops.add(new Op("conv2 fwd|max pool + relu", () -> s.conv2Pool.forwardRelu(s.conv2Pre, n,
        s.conv2Out, s.conv2Argmax)));
    ops.add(new Op("hidden fwd|dense", () -> Dense.forward(s.conv2Out, n, CnnStep.FLAT,
        s.hiddenWeight, s.hiddenBias, CnnStep.HIDDEN, s.hiddenPre)));
    ops.add(new Op("hidden fwd|relu", () -> Activations.relu(s.hiddenPre, s.hiddenOut, h)));
    ops.add(new Op("hidden fwd|dropout", () -> DropoutKernel.forward(s.hiddenOut, s.hiddenMask,
        s.hiddenOut, h, CnnStep.DROPOUT, dropout)));
    ops.add(new Op("logits fwd|dense", () -> Dense.forward(s.hiddenOut, n, CnnStep.HIDDEN,
        s.logitsWeight, s.logitsBias, CnnStep.CLASSES, s.logitsPre)));
    ops.add(new Op("loss|softmax cross-entropy", () -> Losses.softmaxCrossEntropy(s.logitsPre,
        s.target, n, CnnStep.CLASSES, 0.0, s.logitsDelta)));
    ops.add(new Op("logits bwd|dense", () -> Dense.backward(s.hiddenOut, s.logitsDelta, n,
        CnnStep.HIDDEN, s.logitsWeight, CnnStep.CLASSES, s.logitsWeightGrad, s.logitsBiasGrad,
        s.hiddenDelta)));
    ops.add(new Op("hidden bwd|dropout", () -> DropoutKernel.backward(s.hiddenDelta,
        s.hiddenMask, s.hiddenDelta, h)));
    ops.add(new Op("hidden bwd|relu", () -> Activations.reluBackward(s.hiddenPre, s.hiddenDelta,
        s.hiddenDelta, h)));
    ops.add(new Op("hidden bwd|dense", () -> Dense.backward(s.conv2Out, s.hiddenDelta, n,
        CnnStep.FLAT, s.hiddenWeight, CnnStep.HIDDEN, s.hiddenWeightGrad, s.hiddenBiasGrad,
        s.conv2Delta)));
    ops.add(new Op("conv2 bwd|max pool + relu", () -> s.conv2Pool.backwardRelu(s.conv2Delta,
        s.conv2Out, n, s.conv2Argmax, s.conv2ActDelta)));
    ops.add(new Op("conv2 bwd|batch norm 2d", () -> s.conv2BatchNorm.backward(s.conv2ActDelta,
        s.conv2Xhat, n, s.conv2Gamma, s.conv2GammaGrad, s.conv2BetaGrad, s.conv2ActDelta)));
    ops.add(new Op("conv2 bwd|conv (im2col + 2 GEMMs + col2im)", () -> s.conv2.backward(
        s.conv1Out, s.conv2ActDelta, n, s.conv2Weight, s.conv2WeightGrad, s.conv2BiasGrad,
        s.conv1Delta, s.convWorkspace)));
    ops.add(new Op("conv1 bwd|max pool + relu", () -> s.conv1Pool.backwardRelu(s.conv1Delta,
        s.conv1Out, n, s.conv1Argmax, s.conv1ActDelta)));
    ops.add(new Op("conv1 bwd|batch norm 2d", () -> s.conv1BatchNorm.backward(s.conv1ActDelta,
        s.conv1Xhat, n, s.conv1Gamma, s.conv1GammaGrad, s.conv1BetaGrad, s.conv1ActDelta)));
    ops.add(new Op("conv1 bwd|conv (im2col + GEMM)", () -> s.conv1.backward(s.input,
        s.conv1ActDelta, n, s.conv1Weight, s.conv1WeightGrad, s.conv1BiasGrad, null,
        s.convWorkspace)));
    ops.add(new Op("update|clip: global norm", s.clipper::measure));
    ops.add(new Op("update|clip + L2", s::clipAndRegularize));
    ops.add(new Op("update|Adam", s::update));
    return ops;
  }

  public static void main(String[] args) {
    int n = 128;
    int steps = 60;
    for (String a : args) {
      String[] kv = a.split("=", 2);
      switch (kv[0]) {
        case "batch" -> n = Integer.parseInt(kv[1]);
        case "steps" -> steps = Integer.parseInt(kv[1]);
        default -> throw new IllegalArgumentException("expected batch=N or steps=N, got " + a);
      }
    }
    CnnStep real = new CnnStep(n, 42, 100_000);
    CnnWorkload.fill(real, n);
    CnnStep mirror = new CnnStep(n, 42, 100_000);
    CnnWorkload.fill(mirror, n);
    List<Op> ops = sequence(mirror, n, new SplitMix64(1));
    CnnGemms gemms = new CnnGemms(real, n);
    List<Op> products = List.of(new Op("conv1 fwd W·col", gemms::conv1Forward),
        new Op("conv2 fwd W·col", gemms::conv2Forward),
        new Op("dense fwd x·W (2)", gemms::denseForward),
        new Op("dense bwd xᵀ·dy, dy·Wᵀ (4)", gemms::denseBackward),
        new Op("conv2 bwd dY·colᵀ, Wᵀ·dY", gemms::conv2Backward),
        new Op("conv1 bwd dY·colᵀ", gemms::conv1Backward));
    long[] opNanos = new long[ops.size()];
    long[] productNanos = new long[products.size()];
    long warmEnd = System.nanoTime() + 3_000_000_000L;
    for (int s = 0; s < 10 || System.nanoTime() < warmEnd; s++) {
      real.step(n);
      run(ops, new long[ops.size()]);
      run(products, new long[products.size()]);
    }
    ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
    long pointerStart = Pointer.totalBytes();
    long stepNanos = 0;
    long gemmNanos = 0;
    long heap = 0;
    for (int s = 0; s < steps; s++) {
      long h0 = threads.getCurrentThreadAllocatedBytes();
      long t0 = System.nanoTime();
      real.step(n);
      long t1 = System.nanoTime();
      heap += threads.getCurrentThreadAllocatedBytes() - h0;
      run(ops, opNanos);
      long t2 = System.nanoTime();
      gemms.run();
      long t3 = System.nanoTime();
      run(products, productNanos);
      stepNanos += t1 - t0;
      gemmNanos += t3 - t2;
    }
    long pointerGrowth = Pointer.totalBytes() - pointerStart;
    double mirror_ = sum(opNanos) / 1e3 / steps;
    double step = stepNanos / 1e3 / steps;
    double gemm = gemmNanos / 1e3 / steps;
    System.out.printf(Locale.ROOT, "%n== CNN (cnn_peer.py), batch %d, %d timed steps ==%n", n,
        steps);
    System.out.printf(Locale.ROOT, "step            %10.1f us  %,8.0f samples/s   heap %.1f B/step,"
        + " Pointer.totalBytes growth %d B%n", step, n * 1e6 / step, (double) heap / steps,
        pointerGrowth);
    System.out.printf(Locale.ROOT, "mirror total    %10.1f us  (the timed kernel calls below)%n",
        mirror_);
    System.out.printf(Locale.ROOT, "GEMMs only      %10.1f us  %,8.0f samples/s   step/GEMM = "
        + "%.2f%n", gemm, n * 1e6 / gemm, step / gemm);
    System.out.printf(Locale.ROOT, "%-48s %9s %6s%n", "per layer and op", "us/step", "share");
    Map<String, Double> byKind = new LinkedHashMap<>();
    for (int k = 0; k < ops.size(); k++) {
      double us = opNanos[k] / 1e3 / steps;
      String[] parts = ops.get(k).name().split("\\|");
      System.out.printf(Locale.ROOT, "  %-46s %9.1f %5.1f%%%n", parts[0] + " " + parts[1], us,
          100 * us / mirror_);
      byKind.merge(parts[1].replaceAll(" \\(.*", ""), us, Double::sum);
    }
    System.out.printf(Locale.ROOT, "%-48s %9s %6s%n", "per op kind", "us/step", "share");
    byKind.entrySet().stream().sorted((a, b) -> Double.compare(b.getValue(), a.getValue()))
        .forEach(e -> System.out.printf(Locale.ROOT, "  %-46s %9.1f %5.1f%%%n", e.getKey(),
            e.getValue(), 100 * e.getValue() / mirror_));
    double productSum = sum(productNanos) / 1e3 / steps;
    System.out.printf(Locale.ROOT, "%-48s %9s %6s%n", "GEMMs alone, per group (timed)", "us/step",
        "share");
    for (int k = 0; k < products.size(); k++) {
      double us = productNanos[k] / 1e3 / steps;
      System.out.printf(Locale.ROOT, "  %-46s %9.1f %5.1f%%%n", products.get(k).name(), us,
          100 * us / productSum);
    }
  }

  private static void run(List<Op> ops, long[] nanos) {
    long t = System.nanoTime();
    for (int k = 0; k < ops.size(); k++) {
      ops.get(k).call().run();
      long now = System.nanoTime();
      nanos[k] += now - t;
      t = now;
    }
  }

  private static double sum(long[] v) {
    double s = 0;
    for (long x : v) {
      s += x;
    }
    return s;
  }
}
