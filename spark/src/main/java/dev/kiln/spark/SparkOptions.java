package dev.kiln.spark;

import dev.kiln.runtime.train.Trainer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Settings of a {@link SparkTraining#fit} run. Immutable; make one with {@link #builder()}.
 *
 * <pre>{@code
 * SparkOptions options = SparkOptions.builder()
 *     .workers(2).averageEvery(100).epochs(10)
 *     .checkpoints(Path.of("runs/a/checkpoints"), 5) // every 5 rounds
 *     .resume(true)
 *     .build();
 * }</pre>
 */
public final class SparkOptions {
  /** {@link Builder#averageEvery} when none is set; see docs/distributed.md for the choice. */
  public static final int DEFAULT_AVERAGE_EVERY = 100;

  private final int workers;
  private final int averageEvery;
  private final int epochs;
  private final int batchSize;
  private final Long seed;
  private final boolean shuffle;
  private final int treeDepth;
  private final String checkpointDirectory;
  private final int checkpointEveryRounds;
  private final int keepCheckpoints;
  private final boolean resume;
  private final List<RoundListener> listeners;

  private SparkOptions(Builder b) {
    workers = b.workers;
    averageEvery = b.averageEvery;
    epochs = b.epochs;
    batchSize = b.batchSize;
    seed = b.seed;
    shuffle = b.shuffle;
    treeDepth = b.treeDepth;
    checkpointDirectory = b.checkpointDirectory;
    checkpointEveryRounds = b.checkpointEveryRounds;
    keepCheckpoints = b.keepCheckpoints;
    resume = b.resume;
    listeners = List.copyOf(b.listeners);
  }

  /** A builder with the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** Workers (shards, one Spark task each per round); 0 for the context's default parallelism. */
  public int workers() {
    return workers;
  }

  /** Optimizer steps each worker takes between two averagings ({@code k}). */
  public int averageEvery() {
    return averageEvery;
  }

  /** Epochs to run: the option, or the trainer's {@code epochs()} when 0. */
  public int epochs(Trainer trainer) {
    return epochs > 0 ? epochs : trainer.epochs();
  }

  /** Rows per step of each worker: the option, or the trainer's compiled batch size when 0. */
  public int batchSize(Trainer trainer) {
    return batchSize > 0 ? batchSize : trainer.batchSize();
  }

  /** The run's seed (shuffling, dropout streams): the option, or the trainer's {@code seed()}. */
  public long seed(Trainer trainer) {
    return seed != null ? seed : trainer.seed();
  }

  /** Whether each worker visits its shard in a new seeded order each epoch. */
  public boolean shuffle() {
    return shuffle;
  }

  /** The depth of {@code treeAggregate}. */
  public int treeDepth() {
    return treeDepth;
  }

  /** Where checkpoints go, or null for none. */
  public Path checkpointDirectory() {
    return checkpointDirectory == null ? null : Path.of(checkpointDirectory);
  }

  /** A checkpoint is written after every this many rounds (and after the last round). */
  public int checkpointEveryRounds() {
    return checkpointEveryRounds;
  }

  /** How many of the newest checkpoints are kept. */
  public int keepCheckpoints() {
    return keepCheckpoints;
  }

  /** Whether to continue from the newest checkpoint in the directory, if there is one. */
  public boolean resume() {
    return resume;
  }

  /** Told after each round and epoch, in order. */
  public List<RoundListener> listeners() {
    return listeners;
  }

  /** Builds {@link SparkOptions}; each setter checks its value. */
  public static final class Builder {
    private int workers;
    private int averageEvery = DEFAULT_AVERAGE_EVERY;
    private int epochs;
    private int batchSize;
    private Long seed;
    private boolean shuffle = true;
    private int treeDepth = 2;
    private String checkpointDirectory;
    private int checkpointEveryRounds = 1;
    private int keepCheckpoints = 3;
    private boolean resume;
    private final List<RoundListener> listeners = new ArrayList<>();

    private Builder() {}

    /** @throws IllegalArgumentException if negative (0: the context's default parallelism) */
    public Builder workers(int workers) {
      this.workers = atLeast("workers", workers, 0);
      return this;
    }

    /** @throws IllegalArgumentException unless at least 1 */
    public Builder averageEvery(int steps) {
      this.averageEvery = atLeast("averageEvery", steps, 1);
      return this;
    }

    /** @throws IllegalArgumentException if negative (0: the trainer's epochs) */
    public Builder epochs(int epochs) {
      this.epochs = atLeast("epochs", epochs, 0);
      return this;
    }

    /** @throws IllegalArgumentException if negative (0: the trainer's compiled batch size) */
    public Builder batchSize(int batchSize) {
      this.batchSize = atLeast("batchSize", batchSize, 0);
      return this;
    }

    /** Replaces the trainer's seed for shuffling and the workers' dropout streams. */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /** Off: each worker visits its shard in row order every epoch (tests, reproductions). */
    public Builder shuffle(boolean shuffle) {
      this.shuffle = shuffle;
      return this;
    }

    /** @throws IllegalArgumentException unless at least 1 (Spark's default is 2) */
    public Builder treeDepth(int depth) {
      this.treeDepth = atLeast("treeDepth", depth, 1);
      return this;
    }

    /**
     * Writes a checkpoint (the existing format: {@code trainer.save}) into {@code directory}
     * after every {@code everyRounds} rounds and after the last one.
     *
     * @throws IllegalArgumentException if the directory is null or {@code everyRounds < 1}
     */
    public Builder checkpoints(Path directory, int everyRounds) {
      if (directory == null) {
        throw new IllegalArgumentException("checkpoint directory is null");
      }
      this.checkpointDirectory = directory.toString();
      this.checkpointEveryRounds = atLeast("checkpoint everyRounds", everyRounds, 1);
      return this;
    }

    /** @throws IllegalArgumentException unless at least 1 */
    public Builder keepCheckpoints(int keep) {
      this.keepCheckpoints = atLeast("keepCheckpoints", keep, 1);
      return this;
    }

    /** Continue from the newest checkpoint in the checkpoint directory when there is one. */
    public Builder resume(boolean resume) {
      this.resume = resume;
      return this;
    }

    /** Adds a listener. */
    public Builder listener(RoundListener listener) {
      listeners.add(java.util.Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /** @throws IllegalStateException if resume is set without a checkpoint directory */
    public SparkOptions build() {
      if (resume && checkpointDirectory == null) {
        throw new IllegalStateException("resume needs a checkpoint directory: call"
            + " checkpoints(directory, everyRounds)");
      }
      return new SparkOptions(this);
    }

    private static int atLeast(String name, int value, int min) {
      if (value < min) {
        throw new IllegalArgumentException(name + " must be at least " + min + ", got " + value);
      }
      return value;
    }
  }
}
