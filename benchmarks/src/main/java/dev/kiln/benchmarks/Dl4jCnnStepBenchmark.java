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
 * One training step of the DL4J CNN ({@link Dl4jCnn}): {@code fit(features, labels)} on the
 * batch {@link CnnStepBenchmark} uses.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class Dl4jCnnStepBenchmark {
  @Param({"128"})
  public int batch;

  private MultiLayerNetwork network;
  private INDArray features;
  private INDArray labels;

  @Setup
  public void setUp() {
    network = Dl4jCnn.create(100_000);
    features = CnnWorkload.features(batch);
    labels = CnnWorkload.labels(batch);
  }

  @Benchmark
  public MultiLayerNetwork step() {
    network.fit(features, labels);
    return network;
  }
}
