package dev.kiln.benchmarks;

import dev.kiln.runtime.backend.Blas;
import dev.kiln.runtime.gpt.GptConfig;
import dev.kiln.runtime.ops.Dense;
import dev.kiln.runtime.tensor.Tensor;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The limit of {@link GptStepBenchmark}: only the matrix products of one GPT training step, with
 * the shapes and the calls the step makes. Per block: forward the four attention projections,
 * {@code up} and {@code down} ({@link Dense#forward} without bias, as the step's dense path), and
 * per sample and head the causal attention products {@code q·kᵀ} and {@code P·v} per block of 32
 * query rows against the keys they see; backward the weight and input gradients of the six dense
 * layers and the core's four products per row block. Then the head's three products. Nothing
 * else: no softmax, LayerNorm, GELU, loss, clipping or optimizer.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class GptGemmBenchmark {
  private static final int ROW_BLOCK = 32;

  @Param({"nano", "large"})
  public String config;

  @Param({"12"})
  public int batch;

  private int rows;
  private int d;
  private int hidden;
  private int t;
  private int heads;
  private int blocks;
  private int v;
  private Tensor xD;
  private Tensor yD;
  private Tensor xH;
  private Tensor yH;
  private Tensor logits;
  private Tensor wDD;
  private Tensor wDH;
  private Tensor wHD;
  private Tensor wDV;
  private Tensor gDD;
  private Tensor gDH;
  private Tensor gDV;
  private Tensor scores;
  private Tensor outD;
  private Tensor outH;
  private Tensor outScores;

  @Setup
  public void setUp() {
    GptConfig c = GptStepBenchmark.config(config);
    t = c.context();
    rows = batch * t;
    d = c.width();
    hidden = c.hidden();
    heads = c.heads();
    blocks = c.blocks();
    v = c.vocabulary();
    xD = filled(rows, d);
    yD = filled(rows, d);
    xH = filled(rows, hidden);
    yH = filled(rows, hidden);
    logits = filled(rows, v);
    wDD = filled(d, d);
    wDH = filled(d, hidden);
    wHD = filled(hidden, d);
    wDV = filled(d, v);
    gDD = filled(d, d);
    gDH = filled(d, hidden);
    gDV = filled(d, v);
    scores = filled((long) batch * heads * t, t);
    outD = filled(rows, d);
    outH = filled(rows, hidden);
    outScores = filled((long) batch * heads * t, t);
  }

  private static Tensor filled(long... shape) {
    Tensor x = Tensor.alignedZeros(shape);
    x.fill(0.01f);
    return x;
  }

  @Benchmark
  public void gemms() {
    // Inputs stay at 0.01; every product writes an output buffer (beta 1 adds, as the step's
    // accumulating products do), so that no value drifts towards denormals.
    for (int b = 0; b < blocks; b++) {
      for (int p = 0; p < 4; p++) {
        Dense.forward(xD, rows, d, wDD, null, d, outD);
      }
      core(false);
      Dense.forward(xD, rows, d, wDH, null, hidden, outH);
      Dense.forward(xH, rows, hidden, wHD, null, d, outD);
    }
    Dense.forward(xD, rows, d, wDV, null, v, logits);
    Blas.gemm(true, false, d, v, rows, 1f, xD, d, logits, v, 0f, gDV, v);
    Blas.gemm(false, true, rows, d, v, 1f, logits, v, wDV, v, 0f, outD, d);
    for (int b = 0; b < blocks; b++) {
      Blas.gemm(true, false, hidden, d, rows, 1f, xH, hidden, yD, d, 0f, gDH, d); // down dW
      Blas.gemm(false, true, rows, hidden, d, 1f, yD, d, wHD, d, 0f, outH, hidden); // down dx
      Blas.gemm(true, false, d, hidden, rows, 1f, xD, d, yH, hidden, 0f, gDH, hidden); // up dW
      Blas.gemm(false, true, rows, d, hidden, 1f, yH, hidden, wDH, hidden, 0f, outD, d); // up dx
      Blas.gemm(true, false, d, d, rows, 1f, xD, d, yD, d, 0f, gDD, d); // output dW
      Blas.gemm(false, true, rows, d, d, 1f, yD, d, wDD, d, 0f, outD, d); // output dx
      core(true);
      for (int p = 0; p < 3; p++) {
        Blas.gemm(true, false, d, d, rows, 1f, xD, d, yD, d, 0f, gDD, d); // q, k, v dW
        Blas.gemm(false, true, rows, d, d, 1f, yD, d, wDD, d, p == 0 ? 0f : 1f, outD, d); // dx
      }
    }
  }

  /** The attention core's products: 2 per row block forward, 4 backward. */
  private void core(boolean backward) {
    int hd = d / heads;
    for (int s = 0; s < batch; s++) {
      for (int h = 0; h < heads; h++) {
        int off = s * t * d + h * hd;
        int pOff = (s * heads + h) * t * t;
        int last = (t - 1) / ROW_BLOCK * ROW_BLOCK;
        for (int r0 = 0; r0 < t; r0 += ROW_BLOCK) {
          int r = Math.min(ROW_BLOCK, t - r0);
          int keys = r0 + r;
          int row = off + r0 * d;
          int pRow = pOff + r0 * t;
          float beta = r0 == last ? 0f : 1f;
          if (!backward) {
            Blas.gemm(false, true, r, keys, hd, 1f, xD, row, d, yD, off, d, 0f, outScores, pRow, t);
            Blas.gemm(false, false, r, hd, keys, 1f, scores, pRow, t, yD, off, d, 0f, outD, row, d);
          } else {
            Blas.gemm(true, false, keys, hd, r, 1f, scores, pRow, t, yD, row, d, beta, outD, off,
                d);
            Blas.gemm(false, true, r, keys, hd, 1f, yD, row, d, xD, off, d, 0f, outScores, pRow, t);
            Blas.gemm(false, false, r, hd, keys, 1f, scores, pRow, t, xD, off, d, 0f, outD, row, d);
            Blas.gemm(true, false, keys, hd, r, 1f, scores, pRow, t, yD, row, d, beta, outD, off,
                d);
          }
        }
      }
    }
  }
}
