package dev.kiln.spark;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;

import dev.kiln.runtime.train.Trainer;
import dev.kiln.spark.nets.SmallBnMlpNetwork;
import dev.kiln.spark.nets.SmallBnSgdTrainer;
import dev.kiln.spark.nets.SmallMlpNetwork;
import dev.kiln.spark.nets.SmallMomentumTrainer;
import dev.kiln.spark.nets.SmallSgdTrainer;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

/**
 * With {@code averageEvery = 1} and a network without batch norm, W workers of batch b equal one
 * trainer on batches of W·b made of the same rows (docs/distributed.md, "Exactness"); with batch
 * norm, the documented difference.
 */
class ExactnessTest {
  /** Tolerance of the comparison: see docs/distributed.md. */
  static final double ATOL = 1e-6;
  static final double RTOL = 1e-5;
  private static JavaSparkContext sc;

  @BeforeAll
  static void start() {
    sc = TestData.context("ExactnessTest");
  }

  @AfterAll
  static void stop() {
    sc.stop();
  }

  private static final int B = 8;
  private static final int W = 2;
  private static final List<LabeledRow> ROWS = TestData.rows(96, 6, 3, 3);

  @Test
  void plainSgdEqualsOneTrainerOnDoubleBatches() {
    check(() -> new SmallSgdTrainer(SmallMlpNetwork.initialize(7)), true);
  }

  @Test
  void nesterovMomentumCosineL2EqualsOneTrainerOnDoubleBatches() {
    check(() -> new SmallMomentumTrainer(SmallMlpNetwork.initialize(7)), true);
  }

  @Test
  void rowOrderMatters() {
    // Guards the test itself: the same comparison against a trainer fed the rows in another
    // order (the workers' halves swapped within each shard) fails the tolerance.
    SparkResult<SmallSgdTrainer> spark = SparkTraining.fit(sc, sc.parallelize(ROWS, 3),
        () -> new SmallSgdTrainer(SmallMlpNetwork.initialize(7)),
        SparkOptions.builder().workers(W).averageEvery(1).batchSize(B).build());
    SmallSgdTrainer single = new SmallSgdTrainer(SmallMlpNetwork.initialize(7));
    replay(single, spark, false);
    assertThat(TestData.worstRatio(TestData.flat(spark.trainer()), TestData.flat(single), ATOL,
        RTOL)).isGreaterThan(1.0);
  }

  private <T extends Trainer> void check(TrainerFactory<T> factory, boolean shuffle) {
    SparkResult<T> spark = SparkTraining.fit(sc, sc.parallelize(ROWS, 3), factory,
        SparkOptions.builder().workers(W).averageEvery(1).batchSize(B).shuffle(shuffle).build());
    assertThat(spark.stepsPerEpoch()).isEqualTo(96 / W / B);
    T single = factory.create();
    replay(single, spark, true);
    float[] a = TestData.flat(spark.trainer());
    float[] b = TestData.flat(single);
    double ratio = TestData.worstRatio(a, b, ATOL, RTOL);
    System.out.printf("%s: max |Δ| %.3g, worst ratio to tolerance %.3f%n",
        single.getClass().getSimpleName(), TestData.maxAbs(a, b), ratio);
    assertWithMessage("every parameter and optimizer buffer within atol %s + rtol %s", ATOL, RTOL)
        .that(ratio).isAtMost(1.0);
    assertThat(spark.trainer().iteration()).isEqualTo(single.iteration());
    assertThat(spark.trainer().learningRate()).isEqualTo(single.learningRate());
  }

  /**
   * Trains {@code single} on the batches of 2b rows the workers saw: at each global step, worker
   * 0's b rows then worker 1's (or the other way round when {@code sameOrder} is off).
   */
  static void replay(Trainer single, SparkResult<?> spark, boolean sameOrder) {
    int steps = spark.stepsPerEpoch();
    int epochs = (int) (spark.trainer().iteration() / steps);
    single.planRun((long) epochs * steps, steps);
    int shardRows = ROWS.size() / W;
    for (int e = 0; e < epochs; e++) {
      int[][] order = new int[W][];
      for (int w = 0; w < W; w++) {
        order[w] = ShardOrder.order(single.seed(), e, w, shardRows, true);
      }
      for (int t = 0; t < steps; t++) {
        float[] x = new float[W * B * 6];
        float[] y = new float[W * B * 3];
        for (int w = 0; w < W; w++) {
          for (int r = 0; r < B; r++) {
            int pos = t * B + r;
            int row = sameOrder ? order[w][pos] : order[w][shardRows - 1 - pos];
            LabeledRow v = ROWS.get(row * W + w);
            System.arraycopy(v.features(), 0, x, (w * B + r) * 6, 6);
            System.arraycopy(v.labels(), 0, y, (w * B + r) * 3, 3);
          }
        }
        single.step(Nd4j.create(x, new long[] {W * B, 6}, 'c'),
            Nd4j.create(y, new long[] {W * B, 3}, 'c'));
      }
    }
  }

  @Test
  void batchNormIsTheMeanOfTheWorkersOwnSteps() {
    // One round, k = 1: each worker normalises with its own b rows' statistics (ghost batch
    // norm), so the result is the mean of two trainers each stepping on its b rows, bit for bit,
    // and not one trainer on 2b rows.
    TrainerFactory<SmallBnSgdTrainer> factory =
        () -> new SmallBnSgdTrainer(SmallBnMlpNetwork.initialize(7));
    List<LabeledRow> rows = ROWS.subList(0, W * B);
    SparkResult<SmallBnSgdTrainer> spark = SparkTraining.fit(sc, sc.parallelize(rows, 2),
        factory, SparkOptions.builder().workers(W).averageEvery(1).batchSize(B).shuffle(false)
            .epochs(1).build());
    assertThat(spark.rounds()).hasSize(1);
    float[][] own = new float[W][];
    float[][] mean = new float[W][];
    for (int w = 0; w < W; w++) {
      SmallBnSgdTrainer t = factory.create();
      t.planRun(1, 1);
      float[] x = new float[B * 6];
      float[] y = new float[B * 3];
      for (int r = 0; r < B; r++) {
        System.arraycopy(rows.get(r * W + w).features(), 0, x, r * 6, 6);
        System.arraycopy(rows.get(r * W + w).labels(), 0, y, r * 3, 3);
      }
      t.step(Nd4j.create(x, new long[] {B, 6}, 'c'), Nd4j.create(y, new long[] {B, 3}, 'c'));
      own[w] = TestData.flat(t);
      mean[w] = TestData.array(t, "hidden.runningMean");
    }
    float[] expected = new float[own[0].length];
    for (int i = 0; i < expected.length; i++) {
      expected[i] = (float) (((double) own[0][i] + own[1][i]) / W);
    }
    assertThat(TestData.flat(spark.trainer())).isEqualTo(expected);

    // Against one trainer on the 2b rows: the running mean agrees (the mean of equal-sized
    // batches' means is the batch mean), the parameters and the running variance do not.
    SmallBnSgdTrainer single = factory.create();
    single.planRun(1, 1);
    float[] x = new float[W * B * 6];
    float[] y = new float[W * B * 3];
    for (int w = 0; w < W; w++) {
      for (int r = 0; r < B; r++) {
        System.arraycopy(rows.get(r * W + w).features(), 0, x, (w * B + r) * 6, 6);
        System.arraycopy(rows.get(r * W + w).labels(), 0, y, (w * B + r) * 3, 3);
      }
    }
    single.step(Nd4j.create(x, new long[] {W * B, 6}, 'c'),
        Nd4j.create(y, new long[] {W * B, 3}, 'c'));
    Trainer d = spark.trainer();
    assertThat(TestData.worstRatio(TestData.array(d, "hidden.runningMean"),
        TestData.array(single, "hidden.runningMean"), ATOL, RTOL)).isAtMost(1.0);
    assertThat(TestData.worstRatio(TestData.array(d, "hidden.runningVar"),
        TestData.array(single, "hidden.runningVar"), ATOL, RTOL)).isGreaterThan(1.0);
    assertThat(TestData.worstRatio(TestData.array(d, "hidden.weight"),
        TestData.array(single, "hidden.weight"), ATOL, RTOL)).isGreaterThan(1.0);
    checkVarianceFormula(d, single, mean);
  }

  /**
   * The documented relation of the running variances after one step from running variance 1 with
   * momentum 0.1: distributed {@code 0.9 + 0.1·(v₀ + v₁)/2}, one trainer {@code 0.9 + 0.1·v},
   * where for two halves of b rows {@code (2b-1)·v = (b-1)(v₀ + v₁) + (b/2)(μ₀ - μ₁)²} (each v
   * unbiased). The μ are recovered from the workers' running means {@code 0.1·μ_w}.
   */
  private static void checkVarianceFormula(Trainer distributed, Trainer single, float[][] mean) {
    float[] vd = TestData.array(distributed, "hidden.runningVar");
    float[] vs = TestData.array(single, "hidden.runningVar");
    for (int j = 0; j < vd.length; j++) {
      double halves = (vd[j] - 0.9) / 0.1 * 2; // v0 + v1
      double mu0 = mean[0][j] / 0.1;
      double mu1 = mean[1][j] / 0.1;
      double whole = ((B - 1) * halves + B / 2.0 * (mu0 - mu1) * (mu0 - mu1)) / (2 * B - 1);
      assertWithMessage("running variance of unit %s", j).that(0.9 + 0.1 * whole)
          .isWithin(2e-5 * Math.max(1, vs[j])).of(vs[j]);
    }
  }
}
