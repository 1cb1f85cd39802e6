package dev.kiln.benchmarks;

import java.util.concurrent.TimeUnit;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * One training step of the equivalent DL4J {@link MultiLayerNetwork} ({@link Dl4jNetworks}):
 * {@code fit(features, labels)} on the same batch the Kiln benchmark uses.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class Dl4jStepBenchmark {
  @Param({"reference", "wide"})
  public String model;

  @Param({"32", "128", "512"})
  public int batch;

  private MultiLayerNetwork network;
  private INDArray features;
  private INDArray labels;

  @Setup
  public void setUp() {
    Workload w = Workload.of(model, batch);
    network = Dl4jNetworks.create(w, 4690);
    features = w.features();
    labels = w.labels();
  }

  @Benchmark
  public MultiLayerNetwork step() {
    network.fit(features, labels);
    return network;
  }
}
