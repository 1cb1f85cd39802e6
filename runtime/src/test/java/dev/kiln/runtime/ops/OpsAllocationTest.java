package dev.kiln.runtime.ops;

import dev.kiln.runtime.testing.AllocationProbe;


import dev.kiln.runtime.tensor.SplitMix64;
import dev.kiln.runtime.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The convolutional kernels allocate nothing (as {@code AllocationTest} for the dense ones):
 * after a warm-up, {@value #CALLS} calls of each on a {@code [16, 8, 14, 14]} batch allocate less
 * than {@value #MAX_BYTES_PER_CALL} bytes per call on the Java heap of the calling thread, and
 * JavaCPP's count of native bytes ({@link Pointer#totalBytes()}) does not grow. The convolution
 * runs with one sample per product and with its default grouping (several).
 */
class OpsAllocationTest {
  private static final int CALLS = 1_000;
  private static final int WARMUP = 100;
  private static final long MAX_BYTES_PER_CALL = 64;
  private static final int N = 16;
  private static final int C = 8;
  private static final int H = 14;
  private static final int W = 14;
  private static final int OUT = 12;


  private static Tensor random(SplitMix64 rng, long... shape) {
    Tensor t = Tensor.zeros(shape);
    for (int i = 0; i < t.length(); i++) {
      t.set(i, (float) rng.nextGaussian());
    }
    return t;
  }

  private static void assertAllocationFree(String name, Runnable kernel) {
    AllocationProbe.assertAllocationFree(name, kernel, WARMUP, CALLS, MAX_BYTES_PER_CALL);
  }

  @TestFactory
  List<DynamicTest> kernelsAllocateNothing() {
    AllocationProbe.assertAccounting();
    SplitMix64 rng = new SplitMix64(16);
    Tensor x = random(rng, N, C, H, W);
    Tensor weight = random(rng, OUT, C, 3, 3);
    Tensor bias = random(rng, OUT);
    Conv2d grouped = new Conv2d(C, H, W, OUT, 3, 3, 1, 1, 1, 1);
    Conv2d single = new Conv2d(new Window2d("conv2d", C, H, W, 3, 3, 1, 1, 1, 1), OUT, 1);
    Tensor workspace = Tensor.zeros(Math.max(grouped.workspaceElements(N),
        single.workspaceElements(N)));
    Tensor y = Tensor.zeros(N, OUT, H, W);
    Tensor dy = random(rng, N, OUT, H, W);
    Tensor dx = Tensor.zeros(N, C, H, W);
    Tensor dw = Tensor.zeros(OUT, C, 3, 3);
    Tensor db = Tensor.zeros(OUT);

    MaxPool2d maxPool = new MaxPool2d(C, H, W, 3, 3, 2, 2, 1, 1);
    AvgPool2d avgPool = new AvgPool2d(C, H, W, 2, 2, 2, 2, 0, 0);
    Tensor pooled = Tensor.zeros(N, C, H, W); // large enough for both pools' outputs
    Tensor dPooled = random(rng, N, C, H, W);
    int[] argmax = new int[N * C * H * W];
    Tensor pooledGlobal = Tensor.zeros(N, C);

    BatchNorm2dKernel bn = new BatchNorm2dKernel(C, H, W, 0.1, 1e-5);
    Tensor gamma = random(rng, C);
    Tensor beta = random(rng, C);
    Tensor runningMean = Tensor.zeros(C);
    Tensor runningVar = Tensor.zeros(C);
    runningVar.fill(1f);
    Tensor xhat = Tensor.zeros(N, C, H, W);
    Tensor bnOut = Tensor.zeros(N, C, H, W);
    Tensor gammaGrad = Tensor.zeros(C);
    Tensor betaGrad = Tensor.zeros(C);

    List<DynamicTest> tests = new ArrayList<>();
    add(tests, "Conv2d.forward (default groups)",
        () -> grouped.forward(x, N, weight, bias, y, workspace));
    add(tests, "Conv2d.backward (default groups)",
        () -> grouped.backward(x, dy, N, weight, dw, db, dx, workspace));
    add(tests, "Conv2d.forward (one sample per product)",
        () -> single.forward(x, N, weight, bias, y, workspace));
    add(tests, "Conv2d.backward (one sample per product)",
        () -> single.backward(x, dy, N, weight, dw, db, dx, workspace));
    add(tests, "Conv2d.backward (first layer, no bias)",
        () -> single.backward(x, dy, N, weight, dw, null, null, workspace));
    add(tests, "MaxPool2d.forward", () -> maxPool.forward(x, N, pooled, argmax));
    add(tests, "MaxPool2d.backward", () -> maxPool.backward(dPooled, N, argmax, dx));
    add(tests, "AvgPool2d.forward", () -> avgPool.forward(x, N, pooled));
    add(tests, "AvgPool2d.backward", () -> avgPool.backward(dPooled, N, dx));
    add(tests, "GlobalAvgPool.forward", () -> GlobalAvgPool.forward(x, N, C, H, W, pooledGlobal));
    add(tests, "GlobalAvgPool.backward",
        () -> GlobalAvgPool.backward(pooledGlobal, N, C, H, W, dx));
    add(tests, "BatchNorm2dKernel.forwardTrain",
        () -> bn.forwardTrain(x, N, gamma, beta, runningMean, runningVar, xhat, bnOut));
    add(tests, "BatchNorm2dKernel.backward",
        () -> bn.backward(dPooled, xhat, N, gamma, gammaGrad, betaGrad, dx));
    add(tests, "BatchNorm2dKernel.forwardEval",
        () -> bn.forwardEval(x, N, gamma, beta, runningMean, runningVar, bnOut));
    return tests;
  }

  private static void add(List<DynamicTest> tests, String name, Runnable kernel) {
    tests.add(DynamicTest.dynamicTest(name, () -> assertAllocationFree(name, kernel)));
  }
}
