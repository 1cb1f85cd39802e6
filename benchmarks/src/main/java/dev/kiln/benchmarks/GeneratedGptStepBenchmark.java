package dev.kiln.benchmarks;

import dev.kiln.runtime.tensor.SplitMix64;
import dev.kiln.runtime.tensor.Tensor;
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

/**
 * One training step of the GPT trainer Kiln generates ({@link NanoGptTraining}, {@link
 * LargeGptTraining}): the same model, training and batch as {@link GptStepBenchmark}'s
 * hand-written step, so the two figures compare the generated code with the hand-written one.
 * Forward, sequence cross-entropy, backward, global-norm clipping at 1, AdamW with decay on
 * matrices and embeddings, warm-up and cosine (planned for a run of 1,000,000 steps, as {@code
 * GptTraining.nanoGpt(1_000_000)}); on a fixed batch of random token ids and targets ({@code
 * SplitMix64(7)}, vocabulary 65) written once into the trainer's own buffers, stepped with {@link
 * Trainer#stepBuffered(int)}: the allocation-free path the token {@code fit} takes ({@code
 * TokenBatches} fills the same buffers), without {@link Trainer#step}'s checks and copy of an
 * {@code INDArray}. {@code nano} is nanoGPT's CPU configuration (4 blocks, 4 heads, width 128,
 * context 64, MLP 512), {@code large} the same with width 256, context 128 and MLP 1024; batch 12.
 * Tokens per second = steps per second × batch × context.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class GeneratedGptStepBenchmark {
  /** Optimizer steps of the run the schedule is planned for, as {@link GptStepBenchmark}'s. */
  static final long PLANNED_STEPS = 1_000_000;

  @Param({"nano", "large"})
  public String config;

  @Param({"12"})
  public int batch;

  private Trainer trainer;

  /**
   * A generated trainer of the configuration named {@code nano} or {@code large}, its network
   * initialised with seed 42 and its schedule planned for {@value #PLANNED_STEPS} steps.
   *
   * @throws IllegalArgumentException for another name
   */
  static Trainer trainer(String name) {
    Trainer t = switch (name) {
      case "nano" -> new NanoGptTrainingTrainer(NanoGptNetwork.initialize(42));
      case "large" -> new LargeGptTrainingTrainer(LargeGptNetwork.initialize(42));
      default -> throw new IllegalArgumentException("unknown GPT configuration " + name);
    };
    t.planRun(PLANNED_STEPS, 1000);
    return t;
  }

  /**
   * Writes {@link GptStepBenchmark}'s batch into the trainer's buffers: {@code n·T} ids and
   * targets drawn alternately from {@code SplitMix64(7)} in {@code [0, 65)}, packed {@code [n, T]}.
   *
   * @throws IllegalArgumentException if {@code n} exceeds the trainer's batch size
   */
  static void writeBatch(Trainer trainer, int n) {
    Tensor ids = trainer.featureBuffer();
    Tensor targets = trainer.labelBuffer();
    int context = ids.size(1);
    if (n < 1 || n > ids.size(0)) {
      throw new IllegalArgumentException("batch must be in [1, " + ids.size(0) + "], got " + n);
    }
    SplitMix64 random = new SplitMix64(7);
    for (int i = 0; i < n * context; i++) {
      ids.set(i, random.nextInt(65));
      targets.set(i, random.nextInt(65));
    }
  }

  @Setup
  public void setUp() {
    trainer = trainer(config);
    writeBatch(trainer, batch);
  }

  @Benchmark
  public float step() {
    return trainer.stepBuffered(batch);
  }
}
