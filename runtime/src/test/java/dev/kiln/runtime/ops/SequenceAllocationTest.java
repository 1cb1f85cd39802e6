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
 * The sequence kernels allocate nothing, as {@code AllocationTest} checks for the dense ones:
 * after a warm-up, {@value #CALLS} calls of each on a batch of {@code [8, 32, 64]} sequences (4
 * heads, 65 classes) allocate less than {@value #MAX_BYTES_PER_CALL} heap bytes per call on the
 * calling thread, and JavaCPP's {@link Pointer#totalBytes()} does not grow. Attention is checked
 * at the full context and at a shorter sequence in the same buffers.
 */
class SequenceAllocationTest {
  private static final int CALLS = 1_000;
  private static final int WARMUP = 100;
  private static final long MAX_BYTES_PER_CALL = 64;
  private static final int N = 8;
  private static final int T = 32;
  private static final int SHORT = 19;
  private static final int D = 64;
  private static final int HEADS = 4;
  private static final int V = 65;


  private static void assertAllocationFree(String name, Runnable kernel) {
    AllocationProbe.assertAllocationFree(name, kernel, WARMUP, CALLS, MAX_BYTES_PER_CALL);
  }

  @TestFactory
  List<DynamicTest> sequenceKernelsAllocateNothing() {
    AllocationProbe.assertAccounting();
    SplitMix64 rng = new SplitMix64(2025);
    int rows = N * T;
    Tensor x = Fixtures.random(rng, 1, rows, D);
    Tensor y = Tensor.zeros(rows, D);
    Tensor dy = Fixtures.random(rng, 1, rows, D);
    Tensor dx = Tensor.zeros(rows, D);

    LayerNorm norm = new LayerNorm(D, 1e-5);
    Tensor gamma = Fixtures.random(rng, 1, D);
    Tensor beta = Fixtures.random(rng, 1, D);
    Tensor mean = Tensor.zeros(rows);
    Tensor rstd = Tensor.zeros(rows);
    Tensor dGamma = Tensor.zeros(D);
    Tensor dBeta = Tensor.zeros(D);

    Tensor table = Fixtures.random(rng, 1, V, D);
    Tensor tableGrad = Tensor.zeros(V, D);
    Tensor positions = Fixtures.random(rng, 1, T, D);
    Tensor positionsGrad = Tensor.zeros(T, D);
    Tensor ids = Tensor.zeros(rows);
    int[] idArray = new int[rows];
    for (int i = 0; i < rows; i++) {
      idArray[i] = rng.nextInt(V);
      ids.set(i, idArray[i]);
    }

    ScaledDotProductAttention core = new ScaledDotProductAttention(T, D, HEADS, true);
    Tensor k = Fixtures.random(rng, 1, rows, D);
    Tensor v = Fixtures.random(rng, 1, rows, D);
    Tensor p = Tensor.zeros((long) N * HEADS * T * T);
    Tensor dk = Tensor.zeros(rows, D);
    Tensor dv = Tensor.zeros(rows, D);

    SelfAttention layer = new SelfAttention(N, T, D, HEADS, true);
    SelfAttention.Parameters params = new SelfAttention.Parameters(
        Fixtures.random(rng, 0.1, D, D), Fixtures.random(rng, 0.1, D),
        Fixtures.random(rng, 0.1, D, D), Fixtures.random(rng, 0.1, D),
        Fixtures.random(rng, 0.1, D, D), Fixtures.random(rng, 0.1, D),
        Fixtures.random(rng, 0.1, D, D), Fixtures.random(rng, 0.1, D));
    SelfAttention.Parameters grads = new SelfAttention.Parameters(
        Tensor.zeros(D, D), Tensor.zeros(D), Tensor.zeros(D, D), Tensor.zeros(D),
        Tensor.zeros(D, D), Tensor.zeros(D), Tensor.zeros(D, D), Tensor.zeros(D));

    Tensor logits = Fixtures.random(rng, 2, rows, V);
    Tensor lossGrad = Tensor.zeros(rows, V);
    double[] sink = {0};

    List<DynamicTest> tests = new ArrayList<>();
    add(tests, "LayerNorm.forward", () -> norm.forward(x, rows, gamma, beta, mean, rstd, y));
    add(tests, "LayerNorm.backward",
        () -> norm.backward(x, dy, rows, gamma, mean, rstd, dx, dGamma, dBeta));
    add(tests, "Embedding.forward (float ids)",
        () -> Embedding.forward(ids, rows, T, table, V, D, y));
    add(tests, "Embedding.forward (int ids)",
        () -> Embedding.forward(idArray, rows, T, table, V, D, y));
    add(tests, "Embedding.backward (float ids)",
        () -> Embedding.backward(ids, rows, T, dy, V, D, tableGrad));
    add(tests, "Embedding.backward (int ids)",
        () -> Embedding.backward(idArray, rows, T, dy, V, D, tableGrad));
    add(tests, "Embedding.addPositions", () -> Embedding.addPositions(positions, T, N, T, D, y));
    add(tests, "Embedding.positionsBackward",
        () -> Embedding.positionsBackward(dy, N, T, D, positionsGrad, T));
    for (Gelu.Approximation a : Gelu.Approximation.values()) {
      add(tests, "Gelu.forward " + a, () -> Gelu.forward(x, y, rows * D, a));
      add(tests, "Gelu.backward " + a, () -> Gelu.backward(x, dy, dx, rows * D, a));
    }
    for (int t : new int[] {T, SHORT}) {
      add(tests, "ScaledDotProductAttention.forward t=" + t,
          () -> core.forward(x, k, v, N, t, p, y));
      add(tests, "ScaledDotProductAttention.backward t=" + t,
          () -> core.backward(x, k, v, p, dy, N, t, dx, dk, dv));
      add(tests, "SelfAttention.forward t=" + t, () -> layer.forward(x, N, t, params, y));
      add(tests, "SelfAttention.backward t=" + t,
          () -> layer.backward(x, dy, N, t, params, grads, dx));
    }
    add(tests, "SequenceCrossEntropy (float targets)", () -> sink[0] +=
        SequenceCrossEntropy.compute(logits, ids, rows, V, T, lossGrad));
    add(tests, "SequenceCrossEntropy (int targets)", () -> sink[0] +=
        SequenceCrossEntropy.compute(logits, idArray, rows, V, T, lossGrad));
    return tests;
  }

  private static void add(List<DynamicTest> tests, String name, Runnable kernel) {
    tests.add(DynamicTest.dynamicTest(name, () -> assertAllocationFree(name, kernel)));
  }
}
