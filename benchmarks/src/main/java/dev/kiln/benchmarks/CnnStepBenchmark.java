package dev.kiln.benchmarks;

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
 * One training step of the benchmark CNN in Kiln ({@link CnnStep}, the step a generated trainer
 * will run), and beside it the step's matrix products alone ({@link CnnGemms}: convolution and
 * dense products with the step's shapes and grouping). Throughput is in steps per second;
 * samples per second are that times {@code batch}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class CnnStepBenchmark {
  @Param({"128"})
  public int batch;

  private CnnStep step;
  private CnnGemms gemms;

  @Setup
  public void setUp() {
    step = new CnnStep(batch, 42, 100_000);
    CnnWorkload.fill(step, batch);
    gemms = new CnnGemms(step, batch);
  }

  @Benchmark
  public float step() {
    return step.step(batch);
  }

  @Benchmark
  public void gemms() {
    gemms.run();
  }
}
