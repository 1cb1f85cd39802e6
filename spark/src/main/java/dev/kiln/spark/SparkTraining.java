package dev.kiln.spark;

import dev.kiln.runtime.checkpoint.Checkpoint;
import dev.kiln.runtime.checkpoint.CheckpointException;
import dev.kiln.runtime.checkpoint.CheckpointFile;
import dev.kiln.runtime.checkpoint.Checkpointing;
import dev.kiln.runtime.train.Trainer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.apache.spark.Partitioner;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

/**
 * Data-parallel training of a generated Kiln trainer on Apache Spark by parameter averaging
 * (McDonald et al. 2010; Zinkevich et al. 2010; DL4J's {@code ParameterAveragingTrainingMaster}):
 * the rows are dealt into {@code W} shards; each round, every worker restores the driver's
 * broadcast state, takes {@code k = averageEvery} optimizer steps of its own batches with the
 * generated trainer unchanged, and the driver replaces its state by the mean of the workers'
 * states ({@code treeAggregate}): parameters, optimizer buffers, batch-norm running statistics
 * and counters. Semantics, cost model and measurements: {@code docs/distributed.md}.
 *
 * <pre>{@code
 * JavaRDD<LabeledRow> rows = sc.parallelize(LabeledRow.of(train), 8);
 * SparkResult<FashionTrainingTrainer> result = SparkTraining.fit(sc, rows,
 *     () -> new FashionTrainingTrainer(FashionMlpNetwork.initialize(42)),
 *     SparkOptions.builder().workers(2).averageEvery(100).build());
 * FashionMlpNetwork network = result.trainer().network();
 * }</pre>
 */
public final class SparkTraining {
  private static final Logger LOG = LoggerFactory.getLogger(SparkTraining.class);
  private static final String PREFIX = "spark.";

  private SparkTraining() {}

  /**
   * Trains on {@code rows} and returns the driver's trainer with the averaged state.
   *
   * @param rows training rows: features {@code [inputs]} and labels {@code [outputs]} of the
   *     trainer's network; their partitioning does not matter (rows are dealt into shards by
   *     their index in RDD order); the RDD must give the same rows in the same order each time
   *     it is computed (Spark's own requirement for retries)
   * @param factory builds the trainer on the driver and in the tasks
   * @throws IllegalArgumentException before the first round, with nothing trained, if a row does
   *     not fit the network (wrong lengths, non-finite values, null), there are fewer rows than
   *     {@code workers × batchSize}, the batch size does not fit the trainer, the trainer
   *     accumulates gradients or prunes, or a checkpoint to resume from was written with other
   *     settings
   * @throws org.apache.spark.SparkException if a task fails more often than Spark retries it;
   *     the driver's trainer then holds the state of the last completed round
   * @throws UncheckedIOException if a checkpoint cannot be written or read
   */
  public static <T extends Trainer> SparkResult<T> fit(JavaSparkContext sc,
      JavaRDD<LabeledRow> rows, TrainerFactory<T> factory, SparkOptions options) {
    T master = factory.create();
    checkSupported(master);
    int workers = options.workers() > 0 ? options.workers() : sc.defaultParallelism();
    int batch = options.batchSize(master);
    if (batch > master.batchSize() || batch < master.minimumRows()) {
      throw new IllegalArgumentException("batch size " + batch + " does not fit the trainer: it"
          + " takes " + master.minimumRows() + " to " + master.batchSize() + " rows per step");
    }
    int inputs = master.featureBuffer().size(1);
    int outputs = master.labelBuffer().size(1);
    JavaRDD<Shard> shards = shard(rows, workers, inputs, outputs);
    try {
      List<Shard.Summary> summaries = shards.map(Shard::summary).collect();
      long total = checkShards(summaries, workers, batch);
      int minRows = summaries.stream().mapToInt(Shard.Summary::rows).min().orElse(0);
      int stepsPerEpoch = minRows / batch;
      Run run = new Run(sc, shards, factory, options, master, workers, batch, stepsPerEpoch,
          total);
      return run.train();
    } finally {
      shards.unpersist(false);
    }
  }

  private static void checkSupported(Trainer t) {
    if (t.accumulationSteps() != 1) {
      throw new IllegalArgumentException("the trainer accumulates gradients over "
          + t.accumulationSteps() + " batches; distributed training averages workers instead:"
          + " use accumulationSteps = 1 (W workers of batch b already make W·b rows per step)");
    }
    for (String name : t.trainingState().arrays().keySet()) {
      if (name.startsWith("mask/")) {
        throw new IllegalArgumentException("the trainer prunes (" + name + "): averaging pruning"
            + " masks is not defined; prune after distributed training");
      }
    }
  }

  /** Deals row {@code i} (RDD order) into shard {@code i mod workers}, packed and cached. */
  static JavaRDD<Shard> shard(JavaRDD<LabeledRow> rows, int workers, int inputs, int outputs) {
    JavaRDD<Shard> shards = rows.zipWithIndex()
        .mapToPair(t -> new Tuple2<>(t._2(), t._1()))
        .partitionBy(new ModuloPartitioner(workers))
        .mapPartitionsWithIndex((w, it) -> List.of(Shard.of(w, it, inputs, outputs)).iterator(),
            true);
    return shards.persist(StorageLevel.MEMORY_ONLY());
  }

  private static long checkShards(List<Shard.Summary> summaries, int workers, int batch) {
    long total = 0;
    for (Shard.Summary s : summaries) {
      if (s.problem() != null) {
        throw new IllegalArgumentException("training data: " + s.problem()
            + "; nothing was trained");
      }
      total += s.rows();
    }
    if (total < (long) workers * batch) {
      throw new IllegalArgumentException("training data has " + total + " rows, fewer than"
          + " workers × batchSize = " + workers + " × " + batch + " = " + (long) workers * batch
          + ": not one step per worker; use fewer workers or a smaller batch");
    }
    return total;
  }

  /** Row index {@code i} goes to partition {@code i mod n}. */
  static final class ModuloPartitioner extends Partitioner {
    private static final long serialVersionUID = 1L;
    private final int n;

    ModuloPartitioner(int n) {
      this.n = n;
    }

    @Override
    public int numPartitions() {
      return n;
    }

    @Override
    public int getPartition(Object key) {
      return (int) Math.floorMod((Long) key, (long) n);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof ModuloPartitioner p && p.n == n;
    }

    @Override
    public int hashCode() {
      return n;
    }
  }

  /** One run on the driver. */
  private static final class Run {
    private final JavaSparkContext sc;
    private final JavaRDD<Shard> shards;
    private final TrainerFactory<?> factory;
    private final SparkOptions o;
    private final Trainer master;
    private final int workers;
    private final int batch;
    private final int stepsPerEpoch;
    private final long rows;
    private final int epochs;
    private final long seed;
    private final String runId = UUID.randomUUID().toString();
    private final Checkpointing checkpoints;

    Run(JavaSparkContext sc, JavaRDD<Shard> shards, TrainerFactory<?> factory, SparkOptions o,
        Trainer master, int workers, int batch, int stepsPerEpoch, long rows) {
      this.sc = sc;
      this.shards = shards;
      this.factory = factory;
      this.o = o;
      this.master = master;
      this.workers = workers;
      this.batch = batch;
      this.stepsPerEpoch = stepsPerEpoch;
      this.rows = rows;
      this.epochs = o.epochs(master);
      this.seed = o.seed(master);
      Path dir = o.checkpointDirectory();
      this.checkpoints = dir == null ? null
          : new Checkpointing(dir, 0, false, o.keepCheckpoints(), o.resume());
    }

    <T extends Trainer> SparkResult<T> train() {
      long totalSteps = (long) epochs * stepsPerEpoch;
      long first = master.iteration();
      long round = 0;
      master.planRun(first + totalSteps, stepsPerEpoch);
      Optional<Path> latest = checkpoints == null || !o.resume() ? Optional.empty() : latest();
      if (latest.isPresent()) {
        long[] at = resume(latest.get());
        first = at[0];
        round = at[1];
        LOG.info("resumed from {} at round {}, step {}", latest.get(), round,
            master.iteration());
      }
      List<RoundMetrics> metrics = new ArrayList<>();
      try {
        while (master.iteration() - first < totalSteps) {
          long done = master.iteration() - first;
          int epoch = (int) (done / stepsPerEpoch);
          int step = (int) (done % stepsPerEpoch);
          int steps = Math.min(o.averageEvery(), stepsPerEpoch - step);
          round++;
          RoundMetrics m = round(round, epoch, step, steps);
          metrics.add(m);
          boolean epochEnd = step + steps == stepsPerEpoch;
          boolean last = done + steps == totalSteps;
          if (checkpoints != null && (round % o.checkpointEveryRounds() == 0 || last)) {
            save(first, round);
          }
          for (RoundListener l : o.listeners()) {
            l.onRound(m, master);
          }
          if (epochEnd) {
            double validation = Double.NaN;
            for (RoundListener l : o.listeners()) {
              double v = l.onEpochEnd(epoch + 1, master);
              validation = Double.isNaN(validation) ? v : validation;
            }
            master.endEpoch(epoch + 1, validation);
          }
        }
      } finally {
        TrainerPool.release(runId);
      }
      @SuppressWarnings("unchecked")
      T t = (T) master;
      return new SparkResult<>(t, metrics, workers, stepsPerEpoch, rows);
    }

    private RoundMetrics round(long round, int epoch, int step, int steps) {
      long start = System.nanoTime();
      long firstStep = master.iteration();
      double rate = master.learningRate();
      StateVector state = StateVector.capture(master.trainingState());
      Broadcast<RoundTask> task = sc.broadcast(new RoundTask(runId, state, epoch, step, steps,
          batch, seed, o.shuffle()));
      Partial sum;
      try {
        sum = shards.mapPartitions(new WorkerRound(task, factory))
            .treeAggregate(Partial.zero(), Partial::merge, Partial::merge, o.treeDepth());
      } finally {
        task.destroy();
      }
      if (sum.workers != workers) {
        throw new IllegalStateException("round " + round + ": " + sum.workers + " of " + workers
            + " workers answered");
      }
      if (sum.disagreement >= 0) {
        throw new IllegalStateException("round " + round + ": the workers end with different"
            + " values of counter " + state.counterNames[sum.disagreement] + " (a worker skipped"
            + " a step for non-finite gradients, or the factory builds different trainers);"
            + " averaging needs every worker at the same step");
      }
      long[] counters = sum.counters.clone();
      for (int k = 0; k < counters.length; k++) {
        if (state.isRandom(k)) {
          counters[k] = StateVector.advanceRandom(state.counters[k]);
        }
      }
      try {
        state.with(sum.mean(), counters).restoreInto(master.trainingState(),
            "the average of round " + round);
      } catch (CheckpointException e) {
        throw new IllegalStateException(e.getMessage(), e);
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      double compute = sum.maxComputeNanos / 1e9;
      return new RoundMetrics(round, epoch + 1, firstStep, steps, sum.lossSum / sum.samples,
          sum.samples, seconds, compute, seconds - compute, rate);
    }

    /** The settings a checkpoint must match to be resumed exactly, saved as extras. */
    private long[] settings() {
      return new long[] {workers, batch, o.averageEvery(), seed, o.shuffle() ? 1 : 0,
          stepsPerEpoch, rows, epochs};
    }

    private static final String[] SETTING_NAMES = {"workers", "batchSize", "averageEvery",
        "seed", "shuffle", "stepsPerEpoch", "rows", "epochs"};

    private void save(long first, long round) {
      var state = master.trainingState();
      long[] values = settings();
      for (int i = 0; i < values.length; i++) {
        state.setExtra(PREFIX + SETTING_NAMES[i], values[i]);
      }
      state.setExtra(PREFIX + "firstIteration", first);
      state.setExtra(PREFIX + "round", round);
      Path file = checkpoints.fileFor(master.iteration());
      try {
        master.save(file);
        checkpoints.prune();
      } catch (IOException e) {
        throw new UncheckedIOException("could not write checkpoint " + file + ": "
            + e.getMessage(), e);
      }
    }

    /**
     * Checks the checkpoint's settings against this run, then restores it (all or nothing);
     * returns {first iteration, rounds done}.
     */
    private long[] resume(Path file) {
      Checkpoint c;
      try {
        c = CheckpointFile.read(file);
      } catch (IOException e) {
        throw new UncheckedIOException("could not resume from " + file + ": " + e.getMessage(),
            e);
      }
      long[] values = settings();
      List<String> differences = new ArrayList<>();
      for (int i = 0; i < values.length; i++) {
        Long saved = c.counters().get("extra." + PREFIX + SETTING_NAMES[i]);
        if (saved == null || saved != values[i]) {
          differences.add(SETTING_NAMES[i] + ": checkpoint " + saved + ", this run " + values[i]);
        }
      }
      Long first = c.counters().get("extra." + PREFIX + "firstIteration");
      Long round = c.counters().get("extra." + PREFIX + "round");
      if (first == null || round == null) {
        differences.add("the checkpoint was not written by SparkTraining");
      }
      if (!differences.isEmpty()) {
        throw new IllegalArgumentException(file + " cannot be resumed exactly by this run: "
            + String.join("; ", differences));
      }
      try {
        master.trainingState().restore(c, file.toString());
      } catch (CheckpointException e) {
        throw new IllegalArgumentException(e.getMessage(), e);
      }
      return new long[] {first, round};
    }

    private Optional<Path> latest() {
      try {
        return checkpoints.latest();
      } catch (IOException e) {
        throw new UncheckedIOException("could not list " + checkpoints.directory(), e);
      }
    }
  }
}
