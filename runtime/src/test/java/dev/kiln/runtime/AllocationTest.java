package dev.kiln.runtime;

import dev.kiln.runtime.testing.AllocationProbe;

import dev.kiln.runtime.backend.Blas;
import dev.kiln.runtime.ops.Activations;
import dev.kiln.runtime.ops.BatchNormKernel;
import dev.kiln.runtime.ops.Dense;
import dev.kiln.runtime.ops.DropoutKernel;
import dev.kiln.runtime.ops.Losses;
import dev.kiln.runtime.ops.Reductions;
import dev.kiln.runtime.optim.GradientClipper;
import dev.kiln.runtime.optim.ParameterKind;
import dev.kiln.runtime.optim.ParameterSet;
import dev.kiln.runtime.optim.Regularization;
import dev.kiln.runtime.optim.SgdKernel;
import dev.kiln.runtime.schedule.CosineDecaySchedule;
import dev.kiln.runtime.tensor.SplitMix64;
import dev.kiln.runtime.tensor.Tensor;


import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The kernels a generated trainer calls on every step allocate nothing: after a warm-up, {@value
 * #CALLS} calls of each on {@code [128, 256]} tensors allocate less than {@value
 * #MAX_BYTES_PER_CALL} bytes per call on the Java heap of the calling thread, and JavaCPP's count of
 * native bytes ({@link Pointer#totalBytes()}) does not grow.
 */
class AllocationTest {
  private static final int CALLS = 1_000;
  private static final int WARMUP = 100;
  private static final long MAX_BYTES_PER_CALL = 64;
  private static final int N = 128;
  private static final int IN = 256;
  private static final int OUT = 128;


  private static Tensor random(SplitMix64 rng, double scale, long... shape) {
    Tensor t = Tensor.zeros(shape);
    for (int i = 0; i < t.length(); i++) {
      t.set(i, (float) (scale * rng.nextGaussian()));
    }
    return t;
  }

  private static void assertAllocationFree(String name, Runnable kernel) {
    AllocationProbe.assertAllocationFree(name, kernel, WARMUP, CALLS, MAX_BYTES_PER_CALL);
  }

  @TestFactory
  List<DynamicTest> kernelsAllocateNothing() {
    AllocationProbe.assertAccounting();
    SplitMix64 rng = new SplitMix64(2024);
    Tensor x = random(rng, 1, N, IN);
    Tensor w = random(rng, 0.05, IN, OUT);
    Tensor b = random(rng, 0.1, OUT);
    Tensor y = Tensor.zeros(N, OUT);
    Tensor dy = random(rng, 1, N, OUT);
    Tensor dw = Tensor.zeros(IN, OUT);
    Tensor db = Tensor.zeros(OUT);
    Tensor dx = Tensor.zeros(N, IN);
    Tensor wBuffer = Tensor.zeros(IN, OUT);

    BatchNormKernel bn = new BatchNormKernel(IN, 0.1, 1e-5);
    Tensor gamma = random(rng, 1, IN);
    Tensor beta = random(rng, 1, IN);
    Tensor runningMean = Tensor.zeros(IN);
    Tensor runningVar = Tensor.zeros(IN);
    runningVar.fill(1f);
    Tensor xhat = Tensor.zeros(N, IN);
    Tensor bnOut = Tensor.zeros(N, IN);
    Tensor dOut = random(rng, 1, N, IN);
    Tensor dGamma = Tensor.zeros(IN);
    Tensor dBeta = Tensor.zeros(IN);
    Tensor bnDx = Tensor.zeros(N, IN);

    Tensor act = Tensor.zeros(N, IN);
    Tensor actGrad = Tensor.zeros(N, IN);
    Tensor mask = Tensor.zeros(N, IN);
    SplitMix64 dropoutRng = new SplitMix64(5);
    int count = N * IN;

    Tensor logits = random(rng, 2, N, OUT);
    Tensor oneHot = Tensor.zeros(N, OUT);
    for (int r = 0; r < N; r++) {
      oneHot.set(r * OUT + rng.nextInt(OUT), 1f);
    }
    Tensor targets = random(rng, 1, N, OUT);
    Tensor binary = Tensor.zeros(N, OUT);
    for (int i = 0; i < binary.length(); i++) {
      binary.set(i, rng.nextDouble() < 0.5 ? 0f : 1f);
    }
    Tensor lossGrad = Tensor.zeros(N, OUT);

    Tensor sgdGrad = random(rng, 0.1, IN, OUT);
    Tensor[] clipGrads = {Tensor.zeros(IN, OUT), Tensor.zeros(OUT), Tensor.zeros(N, IN)};
    ParameterSet clipSet = ParameterSet.builder()
        .add("a", "a", ParameterKind.WEIGHT, Tensor.zeros(IN, OUT), clipGrads[0])
        .add("b", "a", ParameterKind.BIAS, Tensor.zeros(OUT), clipGrads[1])
        .add("c", "c", ParameterKind.WEIGHT, Tensor.zeros(N, IN), clipGrads[2]).build();
    CosineDecaySchedule schedule = new CosineDecaySchedule(0.1, 1000, 1e-4, true);
    long[] step = {0};
    double[] sink = {0};

    List<DynamicTest> tests = new ArrayList<>();
    add(tests, "Dense.forward", () -> Dense.forward(x, N, IN, w, b, OUT, y));
    add(tests, "Dense.forward (no bias)", () -> Dense.forward(x, N, IN, w, null, OUT, y));
    add(tests, "Dense.backward", () -> Dense.backward(x, dy, N, IN, w, OUT, dw, db, dx));
    add(tests, "Dense.backward (first layer)",
        () -> Dense.backward(x, dy, N, IN, w, OUT, dw, db, null));
    add(tests, "Blas.gemm", () -> Blas.gemm(false, false, N, OUT, IN, 1f, x, IN, w, OUT, 0f, y,
        OUT));
    add(tests, "Reductions.sumRows", () -> Reductions.sumRows(dy, N, OUT, db));
    add(tests, "BatchNormKernel.forwardTrain",
        () -> bn.forwardTrain(x, N, gamma, beta, runningMean, runningVar, xhat, bnOut));
    add(tests, "BatchNormKernel.backward",
        () -> bn.backward(dOut, xhat, N, gamma, dGamma, dBeta, bnDx));
    add(tests, "BatchNormKernel.forwardEval", () -> BatchNormKernel.forwardEval(x, N, IN, 1e-5,
        gamma, beta, runningMean, runningVar, bnOut));
    add(tests, "Activations.relu", () -> Activations.relu(x, act, count));
    add(tests, "Activations.reluBackward", () -> Activations.reluBackward(x, dOut, actGrad, count));
    add(tests, "Activations.leakyRelu", () -> Activations.leakyRelu(x, act, count, 0.01f));
    add(tests, "Activations.leakyReluBackward",
        () -> Activations.leakyReluBackward(x, dOut, actGrad, count, 0.01f));
    add(tests, "Activations.tanh", () -> Activations.tanh(x, act, count));
    add(tests, "Activations.tanhBackward", () -> Activations.tanhBackward(x, dOut, actGrad, count));
    add(tests, "Activations.sigmoid", () -> Activations.sigmoid(x, act, count));
    add(tests, "Activations.sigmoidBackward",
        () -> Activations.sigmoidBackward(x, dOut, actGrad, count));
    add(tests, "DropoutKernel.forward",
        () -> DropoutKernel.forward(x, mask, act, count, 0.3, dropoutRng));
    add(tests, "DropoutKernel.backward", () -> DropoutKernel.backward(dOut, mask, actGrad, count));
    add(tests, "Losses.softmaxCrossEntropy", () -> sink[0] +=
        Losses.softmaxCrossEntropy(logits, oneHot, N, OUT, 0.1, lossGrad));
    add(tests, "Losses.meanSquaredError",
        () -> sink[0] += Losses.meanSquaredError(logits, targets, N, OUT, lossGrad));
    add(tests, "Losses.sigmoidBinaryCrossEntropy",
        () -> sink[0] += Losses.sigmoidBinaryCrossEntropy(logits, binary, N, OUT, lossGrad));
    add(tests, "Regularization.addL2",
        () -> Regularization.addL2(wBuffer, dw, IN * OUT, 1e-4));
    add(tests, "SgdKernel.update (plain)",
        () -> SgdKernel.update(wBuffer, sgdGrad, null, IN * OUT, 1e-3, 0, 0, false, false));
    add(tests, "SgdKernel.update (momentum)",
        () -> SgdKernel.update(wBuffer, sgdGrad, dw, IN * OUT, 1e-3, 0.9, 0.1, false, false));
    add(tests, "SgdKernel.update (Nesterov)",
        () -> SgdKernel.update(wBuffer, sgdGrad, dw, IN * OUT, 1e-3, 0.9, 0, true, false));
    for (double normType : new double[] {2, 1, Double.POSITIVE_INFINITY}) {
      GradientClipper clipper = GradientClipper.byNorm(clipSet, 1.0, normType,
          GradientClipper.Scope.GLOBAL);
      add(tests, "GradientClipper.measureAndClip (norm " + normType + ")", () -> {
        clipGrads[0].fill(0.5f); // refilled so that every call clips
        clipGrads[1].fill(-1f);
        clipGrads[2].fill(0.25f);
        sink[0] += clipper.measureAndClip();
      });
    }
    add(tests, "CosineDecaySchedule.rate", () -> sink[0] += schedule.rate(step[0]++));
    return tests;
  }

  private static void add(List<DynamicTest> tests, String name, Runnable kernel) {
    tests.add(DynamicTest.dynamicTest(name, () -> assertAllocationFree(name, kernel)));
  }
}
