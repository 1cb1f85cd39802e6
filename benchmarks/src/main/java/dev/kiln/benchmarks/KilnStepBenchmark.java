package dev.kiln.benchmarks;

import dev.kiln.runtime.train.Trainer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One training step of a Kiln-generated trainer ({@code Trainer.step(features, labels)}, the
 * public API: the batch is copied into the trainer's buffers, then forward, loss, backward,
 * clipping, L2 and the SGD update). Throughput is in steps per second; samples per second are
 * that times {@code batch}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class KilnStepBenchmark {
  @Param({"reference", "wide"})
  public String model;

  @Param({"32", "128", "512"})
  public int batch;

  private Trainer trainer;
  private INDArray features;
  private INDArray labels;

  @Setup
  public void setUp() {
    Workload w = Workload.of(model, batch);
    trainer = w.kilnTrainer();
    features = w.features();
    labels = w.labels();
  }

  @Benchmark
  public float step() {
    return trainer.step(features, labels);
  }
}
