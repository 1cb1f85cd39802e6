package dev.kiln.runtime.train;

/**
 * Options of a {@code fit} run that override the training configuration: number of epochs,
 * batch size, shuffling, what to do with a short last batch, and early stopping. Immutable; make
 * one with {@link #builder()}.
 *
 * <pre>{@code
 * FitOptions options = FitOptions.builder()
 *     .epochs(30).batchSize(64).shuffleSeed(7).dropLast(true)
 *     .earlyStopping(EarlyStopping.onValidationLoss(3))
 *     .build();
 * trainer.fit(train, validation, options);
 * }</pre>
 */
public final class FitOptions {
  private static final FitOptions DEFAULTS = builder().build();

  private final int epochs;
  private final int batchSize;
  private final Long shuffleSeed;
  private final boolean shuffle;
  private final boolean dropLast;
  private final EarlyStopping earlyStopping;
  private final dev.kiln.runtime.checkpoint.Checkpointing checkpointing;
  private final LoggingListener logging;

  private FitOptions(Builder b) {
    this.logging = b.logging;
    this.epochs = b.epochs;
    this.batchSize = b.batchSize;
    this.shuffleSeed = b.shuffleSeed;
    this.shuffle = b.shuffle;
    this.dropLast = b.dropLast;
    this.earlyStopping = b.earlyStopping;
    this.checkpointing = b.checkpointing;
  }

  /** The configuration's settings: no override, shuffling on, the last batch kept. */
  public static FitOptions defaults() {
    return DEFAULTS;
  }

  /** A builder that starts from {@link #defaults()}. */
  public static Builder builder() {
    return new Builder();
  }

  /** Epochs to run: the override, else the configuration's {@link Trainer#epochs()}. */
  public int epochs(Trainer trainer) {
    return epochs > 0 ? epochs : trainer.epochs();
  }

  /** Rows per batch: the override, else the configuration's {@link Trainer#batchSize()}. */
  public int batchSize(Trainer trainer) {
    return batchSize > 0 ? batchSize : trainer.batchSize();
  }

  /** The shuffle seed: the override, else the configuration's {@link Trainer#seed()}. */
  public long shuffleSeed(Trainer trainer) {
    return shuffleSeed != null ? shuffleSeed : trainer.seed();
  }

  /** Whether each epoch visits the training rows in a new seeded order (default true). */
  public boolean shuffle() {
    return shuffle;
  }

  /**
   * Whether a last batch smaller than the batch size is skipped, as PyTorch's {@code
   * DataLoader(drop_last=True)} (default false).
   */
  public boolean dropLast() {
    return dropLast;
  }

  /** The early-stopping rule, or null for none (the default). */
  public EarlyStopping earlyStopping() {
    return earlyStopping;
  }

  /** Checkpoint writing and resuming, or null for none. */
  public dev.kiln.runtime.checkpoint.Checkpointing checkpointing() {
    return checkpointing;
  }

  /**
   * The listener that logs the run's progress through SLF4J ({@link LoggingListener#perEpoch()}
   * unless changed), or null when {@code fit} logs nothing.
   */
  public LoggingListener logging() {
    return logging;
  }

  /** A builder holding these options. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.epochs = epochs;
    b.batchSize = batchSize;
    b.shuffleSeed = shuffleSeed;
    b.shuffle = shuffle;
    b.dropLast = dropLast;
    b.earlyStopping = earlyStopping;
    b.checkpointing = checkpointing;
    b.logging = logging;
    return b;
  }

  @Override
  public String toString() {
    return "FitOptions[epochs=" + (epochs > 0 ? epochs : "config") + ", batchSize="
        + (batchSize > 0 ? batchSize : "config") + ", shuffleSeed="
        + (shuffleSeed != null ? shuffleSeed : "config") + ", shuffle=" + shuffle + ", dropLast="
        + dropLast + ", earlyStopping=" + earlyStopping + "]";
  }

  /** Builds {@link FitOptions}; each setter checks its value at once. */
  public static final class Builder {
    private int epochs;
    private int batchSize;
    private Long shuffleSeed;
    private boolean shuffle = true;
    private boolean dropLast;
    private EarlyStopping earlyStopping;
    private dev.kiln.runtime.checkpoint.Checkpointing checkpointing;
    private LoggingListener logging = LoggingListener.perEpoch();

    private Builder() {}

    /**
     * How {@code fit} logs its progress through SLF4J (logger {@code
     * dev.kiln.runtime.train.LoggingListener}, level INFO): one line per epoch by default ({@link
     * LoggingListener#perEpoch()}), also every N steps with {@link
     * LoggingListener#everySteps(int)}, nothing with null (or set that logger's level to WARN in
     * the SLF4J binding's configuration).
     */
    public Builder logging(LoggingListener logging) {
      this.logging = logging;
      return this;
    }

    /**
     * Where and when {@code fit} writes checkpoints, and whether it resumes from the newest one;
     * null (the default) for none.
     */
    public Builder checkpointing(dev.kiln.runtime.checkpoint.Checkpointing checkpointing) {
      this.checkpointing = checkpointing;
      return this;
    }

    /**
     * Epochs to run instead of the configuration's; a schedule whose length is counted from the
     * run follows the new length.
     *
     * @throws IllegalArgumentException unless {@code epochs ≥ 1}
     */
    public Builder epochs(int epochs) {
      if (epochs < 1) {
        throw new IllegalArgumentException("epochs must be at least 1, got " + epochs);
      }
      this.epochs = epochs;
      return this;
    }

    /**
     * Rows per batch instead of the configuration's; {@code fit} refuses one larger than the
     * compiled {@code BATCH_SIZE} (the trainer's buffers are that large).
     *
     * @throws IllegalArgumentException unless {@code batchSize ≥ 1}
     */
    public Builder batchSize(int batchSize) {
      if (batchSize < 1) {
        throw new IllegalArgumentException("batchSize must be at least 1, got " + batchSize);
      }
      this.batchSize = batchSize;
      return this;
    }

    /** The seed of the per-epoch shuffle instead of the configuration's {@code seed}. */
    public Builder shuffleSeed(long seed) {
      this.shuffleSeed = seed;
      return this;
    }

    /** Whether to shuffle the training rows each epoch (default true). */
    public Builder shuffle(boolean shuffle) {
      this.shuffle = shuffle;
      return this;
    }

    /** Whether to skip a last batch smaller than the batch size (default false). */
    public Builder dropLast(boolean dropLast) {
      this.dropLast = dropLast;
      return this;
    }

    /** The early-stopping rule, or null for none; it needs validation data. */
    public Builder earlyStopping(EarlyStopping earlyStopping) {
      this.earlyStopping = earlyStopping;
      return this;
    }

    /** The options. */
    public FitOptions build() {
      return new FitOptions(this);
    }
  }
}
