package dev.kiln.benchmarks;

import dev.kiln.runtime.gpt.GptConfig;
import dev.kiln.runtime.gpt.GptTraining;
import dev.kiln.runtime.gpt.HandGpt;
import dev.kiln.runtime.tensor.SplitMix64;
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
 * One training step of the hand-written GPT ({@link HandGpt}, the step a generated GPT trainer
 * will do): forward, sequence cross-entropy, backward, global-norm clipping at 1, AdamW with
 * decay on matrices and embeddings, warm-up and cosine; on a fixed batch of random token ids, as
 * {@code pytorch/gpt_peer.py speed}. {@code nano} is nanoGPT's CPU configuration (4 blocks, 4
 * heads, width 128, context 64), {@code large} the same with width 256 and context 128; vocabulary
 * 65, batch 12. Tokens per second = steps per second × batch × context. {@link GptGemmBenchmark}
 * runs the step's matrix products alone.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class GptStepBenchmark {
  @Param({"nano", "large"})
  public String config;

  @Param({"12"})
  public int batch;

  private HandGpt gpt;
  private int[] ids;
  private int[] targets;
  private int context;

  /** The configuration named {@code nano} or {@code large}, vocabulary 65. */
  static GptConfig config(String name) {
    return switch (name) {
      case "nano" -> GptConfig.nano(65);
      case "large" -> GptConfig.large(65);
      default -> throw new IllegalArgumentException("unknown GPT configuration " + name
          + "; expected nano or large");
    };
  }

  /**
   * The hand-written GPT of the configuration named {@code name} for batches of {@code batch},
   * GPT-2's initialisation with seed 42, its schedule planned for 1,000,000 steps.
   */
  static HandGpt hand(String name, int batch) {
    HandGpt gpt = new HandGpt(config(name), batch, GptTraining.nanoGpt(1_000_000));
    gpt.initialize(42);
    return gpt;
  }

  /**
   * The benchmarks' fixed batch: {@code batch·context} ids and as many targets, drawn alternately
   * from {@code SplitMix64(7)} in {@code [0, vocabulary)}, packed {@code [batch, context]}.
   *
   * @return {@code {ids, targets}}
   */
  static int[][] tokens(GptConfig c, int batch) {
    SplitMix64 random = new SplitMix64(7);
    int[][] tokens = new int[2][batch * c.context()];
    for (int i = 0; i < tokens[0].length; i++) {
      tokens[0][i] = random.nextInt(c.vocabulary());
      tokens[1][i] = random.nextInt(c.vocabulary());
    }
    return tokens;
  }

  @Setup
  public void setUp() {
    gpt = hand(config, batch);
    context = gpt.config().context();
    int[][] tokens = tokens(gpt.config(), batch);
    ids = tokens[0];
    targets = tokens[1];
  }

  @Benchmark
  public double step() {
    return gpt.step(ids, targets, batch, context);
  }
}
