package dev.kiln.spark;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.runtime.train.Trainer;
import dev.kiln.spark.nets.DropoutAdamTrainer;
import dev.kiln.spark.nets.DropoutMlpNetwork;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Task failures, driver restarts and bad input, on a network with every kind of state: Adam
 * moments and step counts, batch-norm statistics, dropout generator, cosine schedule.
 */
class RobustnessTest {
  private static JavaSparkContext sc;
  private static final List<LabeledRow> ROWS = TestData.rows(96, 6, 3, 5);
  /** 2 workers × batch 8: 6 steps per epoch; k = 4: rounds of 4 and 2 steps; 3 epochs. */
  private static final TrainerFactory<Trainer> PLAIN =
      () -> new DropoutAdamTrainer(DropoutMlpNetwork.initialize(11));

  @BeforeAll
  static void start() {
    sc = TestData.context("RobustnessTest");
  }

  @AfterAll
  static void stop() {
    sc.stop();
  }

  private static SparkOptions.Builder options() {
    return SparkOptions.builder().workers(2).averageEvery(4).batchSize(8);
  }

  private static JavaRDD<LabeledRow> rdd() {
    return sc.parallelize(ROWS, 3);
  }

  @Test
  void aTaskFailingOnceGivesTheSameBits() {
    SparkResult<Trainer> clean = SparkTraining.fit(sc, rdd(), PLAIN, options().build());
    // Partition 1 fails in its first attempt of round 3 (steps 8-11) just before step 9, after
    // step 8 changed its trainer; Spark retries the task (local[2,2]).
    int before = FaultyTrainer.FAILURES.get();
    SparkResult<Trainer> faulty = SparkTraining.fit(sc, rdd(),
        () -> new FaultyTrainer(PLAIN.create(), 1, 9), options().build());
    assertThat(FaultyTrainer.FAILURES.get()).isEqualTo(before + 1);
    assertThat(clean.rounds()).hasSize(6);
    assertThat(TestData.flat(faulty.trainer())).isEqualTo(TestData.flat(clean.trainer()));
    assertThat(faulty.trainer().trainingState().capture().counters())
        .isEqualTo(clean.trainer().trainingState().capture().counters());
    assertThat(losses(faulty)).isEqualTo(losses(clean));
  }

  @Test
  void aDriverRestartFromTheLastCheckpointGivesTheSameBits(@TempDir Path dir) throws Exception {
    SparkResult<Trainer> whole = SparkTraining.fit(sc, rdd(), PLAIN, options().build());
    // Checkpoints after rounds 3 (step 10, in the middle of epoch 2) and 6; the driver "dies"
    // in round 4's listener.
    SparkOptions interrupted = options().checkpoints(dir, 3).listener((m, t) -> {
      if (m.round() == 4) {
        throw new IllegalStateException("driver killed");
      }
    }).build();
    IllegalStateException killed = assertThrows(IllegalStateException.class,
        () -> SparkTraining.fit(sc, rdd(), PLAIN, interrupted));
    assertThat(killed).hasMessageThat().isEqualTo("driver killed");
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()).toList())
          .containsExactly("checkpoint-000000000010.kiln");
    }
    SparkResult<Trainer> resumed = SparkTraining.fit(sc, rdd(), PLAIN,
        options().checkpoints(dir, 3).resume(true).build());
    assertThat(resumed.rounds().get(0).round()).isEqualTo(4);
    assertThat(resumed.rounds().get(0).firstStep()).isEqualTo(10);
    assertThat(TestData.flat(resumed.trainer())).isEqualTo(TestData.flat(whole.trainer()));
    assertThat(losses(resumed)).isEqualTo(losses(whole).subList(3, 6));

    // The final checkpoint restores into a plain trainer (the existing format).
    Trainer plain = PLAIN.create();
    plain.restore(dir.resolve("checkpoint-000000000018.kiln"));
    assertThat(TestData.flat(plain)).isEqualTo(TestData.flat(whole.trainer()));

    IllegalArgumentException other = assertThrows(IllegalArgumentException.class,
        () -> SparkTraining.fit(sc, rdd(), PLAIN, SparkOptions.builder().workers(2)
            .averageEvery(3).batchSize(8).checkpoints(dir, 3).resume(true).build()));
    assertThat(other).hasMessageThat().contains("averageEvery: checkpoint 4, this run 3");
  }

  @Test
  void emptyInputPartitionsChangeNothing() {
    // Rows are dealt by their index in RDD order, whatever the input partitions hold.
    List<LabeledRow> some = ROWS.subList(0, 40);
    SparkResult<Trainer> dense = SparkTraining.fit(sc, sc.parallelize(some, 2), PLAIN,
        options().epochs(1).build());
    SparkResult<Trainer> sparse = SparkTraining.fit(sc,
        sc.parallelize(some, 60).union(sc.emptyRDD()), PLAIN, options().epochs(1).build());
    assertThat(TestData.flat(sparse.trainer())).isEqualTo(TestData.flat(dense.trainer()));
  }

  @Test
  void rowsThatDoNotFitAreRefusedBeforeTheFirstRound(@TempDir Path dir) {
    List<LabeledRow> rows = new ArrayList<>(ROWS);
    rows.set(37, new LabeledRow(new float[5], new float[3]));
    List<RoundMetrics> seen = new ArrayList<>();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SparkTraining.fit(sc, sc.parallelize(rows, 3), PLAIN,
            options().checkpoints(dir, 1).listener((m, t) -> seen.add(m)).build()));
    assertThat(e).hasMessageThat().isEqualTo("training data: row 37 (in RDD order) has 5"
        + " features and 3 label values; the network takes 6 and 3; nothing was trained");
    assertThat(seen).isEmpty();
    assertThat(dir.toFile().list()).isEmpty();

    rows.set(37, new LabeledRow(new float[] {0, 0, Float.NaN, 0, 0, 0}, new float[3]));
    e = assertThrows(IllegalArgumentException.class,
        () -> SparkTraining.fit(sc, sc.parallelize(rows, 3), PLAIN, options().build()));
    assertThat(e).hasMessageThat().contains("row 37 (in RDD order) has feature 2 = NaN");
  }

  @Test
  void fewerRowsThanWorkersTimesBatchAreRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SparkTraining.fit(sc, sc.parallelize(ROWS.subList(0, 15), 2), PLAIN,
            options().build()));
    assertThat(e).hasMessageThat().contains("training data has 15 rows, fewer than workers ×"
        + " batchSize = 2 × 8 = 16");
    IllegalArgumentException batch = assertThrows(IllegalArgumentException.class,
        () -> SparkTraining.fit(sc, rdd(), PLAIN, options().batchSize(9).build()));
    assertThat(batch).hasMessageThat().contains("batch size 9 does not fit the trainer: it"
        + " takes 2 to 8 rows per step");
  }

  private static List<Double> losses(SparkResult<?> r) {
    return r.rounds().stream().map(RoundMetrics::loss).toList();
  }
}
