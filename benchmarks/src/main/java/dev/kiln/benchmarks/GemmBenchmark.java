package dev.kiln.benchmarks;

import dev.kiln.runtime.backend.Blas;
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
 * The limit: only the eight matrix products of one training step of the three-layer MLP, through
 * Kiln's {@link Blas} with the shapes the generated trainer uses: three forward products {@code
 * x·W}, three weight gradients {@code xᵀ·dy} and two input gradients {@code dy·Wᵀ} (the first
 * layer needs none). A step can be no faster than this unless the products get faster.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class GemmBenchmark {
  @Param({"reference", "wide"})
  public String model;

  @Param({"32", "128", "512"})
  public int batch;

  private GemmStep gemms;

  @Setup
  public void setUp() {
    gemms = new GemmStep(Workload.of(model, batch));
  }

  @Benchmark
  public void gemms() {
    gemms.run();
  }

  /** The step's eight products on preallocated tensors. */
  static final class GemmStep {
    private final int n;
    private final int[] widths;
    private final Tensor[] activations;
    private final Tensor[] deltas;
    private final Tensor[] weights;
    private final Tensor[] weightGrads;

    GemmStep(Workload w) {
      n = w.batch();
      widths = w.widths();
      int layers = widths.length - 1;
      activations = new Tensor[layers + 1];
      deltas = new Tensor[layers + 1];
      weights = new Tensor[layers];
      weightGrads = new Tensor[layers];
      for (int i = 0; i <= layers; i++) {
        activations[i] = Tensor.alignedZeros(n, widths[i]); // as the trainer's own buffers
        deltas[i] = Tensor.alignedZeros(n, widths[i]);
        activations[i].fill(0.01f);
        deltas[i].fill(0.01f);
      }
      for (int i = 0; i < layers; i++) {
        weights[i] = Tensor.zeros(widths[i], widths[i + 1]);
        weightGrads[i] = Tensor.alignedZeros(widths[i], widths[i + 1]);
        weights[i].fill(0.01f);
      }
    }

    void run() {
      int layers = weights.length;
      for (int i = 0; i < layers; i++) {
        int in = widths[i];
        int out = widths[i + 1];
        Blas.gemm(false, false, n, out, in, 1f, activations[i], in, weights[i], out, 0f,
            activations[i + 1], out);
      }
      for (int i = layers - 1; i >= 0; i--) {
        int in = widths[i];
        int out = widths[i + 1];
        Blas.gemm(true, false, in, out, n, 1f, activations[i], in, deltas[i + 1], out, 0f,
            weightGrads[i], out);
        if (i > 0) {
          Blas.gemm(false, true, n, in, out, 1f, deltas[i + 1], out, weights[i], out, 0f,
              deltas[i], in);
        }
      }
    }
  }
}
