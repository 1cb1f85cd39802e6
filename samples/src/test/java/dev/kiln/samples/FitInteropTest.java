package dev.kiln.samples;

import static com.google.common.truth.Truth.assertThat;

import dev.kiln.runtime.train.EarlyStopping;
import dev.kiln.runtime.train.EpochResult;
import dev.kiln.runtime.train.FitOptions;
import dev.kiln.runtime.train.FitResult;
import dev.kiln.runtime.train.Trainer;
import dev.kiln.runtime.train.TrainingListener;
import dev.kiln.runtime.data.Dataset;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.ViewIterator;
import org.nd4j.linalg.factory.Nd4j;

/** The generated trainer's fit overloads on real data: DL4J iterators and early stopping. */
class FitInteropTest {
  private static Dataset train;
  private static Dataset validation;

  @BeforeAll
  static void load() throws IOException {
    FashionMnist.Splits s = FashionMnist.embedded();
    train = s.train().head(600);
    validation = s.test().head(300);
  }

  private static FashionTrainingTrainer trainer() {
    return new FashionTrainingTrainer(FashionMlpNetwork.initialize(7));
  }

  private static Map<String, float[]> copy(Map<String, INDArray> parameters) {
    Map<String, float[]> out = new LinkedHashMap<>();
    parameters.forEach((k, v) -> out.put(k, v.dup().data().asFloat()));
    return out;
  }

  private static void assertSameParameters(Map<String, float[]> a, Map<String, float[]> b) {
    assertThat(a.keySet()).containsExactlyElementsIn(b.keySet()).inOrder();
    a.forEach((k, v) -> assertThat(v).isEqualTo(b.get(k)));
  }

  @Test
  void aDataSetIteratorTrainsExactlyAsTheSameRowsInADataset() {
    FitOptions ordered = FitOptions.builder().epochs(2).shuffle(false).build();
    FashionTrainingTrainer viaDataset = trainer();
    FitResult a = viaDataset.fit(train, validation, ordered);
    // DL4J's shape for images: [n, 1, 28, 28]
    DataSet all = new DataSet(
        Nd4j.create(train.features(), new long[] {train.size(), 1, 28, 28}, 'c'),
        Nd4j.create(train.labels(), new long[] {train.size(), 10}, 'c'));
    // one DataSet of all rows, cut into the trainer's batches: the Dataset run, step for step
    FashionTrainingTrainer viaIterator = trainer();
    FitResult b = viaIterator.fit(new ViewIterator(all, train.size()), null, ordered);
    assertSameParameters(copy(viaIterator.parameters()), copy(viaDataset.parameters()));
    assertThat(b.epochs().get(1).trainLoss()).isEqualTo(a.epochs().get(1).trainLoss());
    // DataSets of 100 rows with a batch size of 64: each is cut into 64 + 36
    FashionTrainingTrainer cut = trainer();
    FitResult c = cut.fit(new ViewIterator(all, 100), null,
        FitOptions.builder().epochs(2).batchSize(64).build());
    assertThat(cut.iteration()).isEqualTo(2 * 12);
    assertThat(c.last().trainLoss()).isLessThan(c.epochs().get(0).trainLoss());
    // evaluation through an iterator equals evaluation of the Dataset
    DataSet val = new DataSet(
        Nd4j.create(validation.features(), new long[] {validation.size(), 784}, 'c'),
        Nd4j.create(validation.labels(), new long[] {validation.size(), 10}, 'c'));
    assertThat(viaDataset.evaluate(new ViewIterator(val, 70)).loss())
        .isWithin(1e-6).of(a.last().validation().loss());
  }

  @Test
  void earlyStoppingRestoresTheBestEpochsParametersAndStatistics() {
    FashionTrainingTrainer t = trainer();
    List<Map<String, float[]>> atEpochEnd = new ArrayList<>();
    TrainingListener snapshot = new TrainingListener() {
      @Override
      public void onEpochEnd(Trainer trainer, EpochResult result) {
        atEpochEnd.add(copy(trainer.parameters()));
      }
    };
    // no later epoch can beat the first by 10 nats: stop after epoch 2, restore epoch 1
    FitResult r = t.fit(train, validation, FitOptions.builder().epochs(5)
        .earlyStopping(EarlyStopping.onValidationLoss(1).withMinDelta(10)).build(), snapshot);
    assertThat(r.stoppedEarly()).isTrue();
    assertThat(r.epochs()).hasSize(2);
    assertThat(r.bestEpoch()).isEqualTo(1);
    assertThat(r.restoredBest()).isTrue();
    Map<String, float[]> now = copy(t.parameters());
    assertThat(now).containsKey("hidden1.runningMean");
    assertSameParameters(now, atEpochEnd.get(0));
    assertThat(now.get("hidden1.weight")).isNotEqualTo(atEpochEnd.get(1).get("hidden1.weight"));
    // the restored network evaluates as epoch 1 did
    assertThat(t.evaluate(validation).loss()).isWithin(1e-6)
        .of(r.epochs().get(0).validation().loss());
  }

  @Test
  void fitAllocatesNothingPerBatch() throws IOException {
    Dataset rows = FashionMnist.embedded().train(); // 47 steps per epoch
    FashionTrainingTrainer t = trainer();
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    // fit's epoch log line (LoggingListener) formats text once per epoch; it is off here so that
    // the measurement sees what the loop itself allocates (its onStep returns at once)
    t.fit(rows, null, FitOptions.builder().epochs(2).logging(null).build()); // warm-up
    long[] bytes = new long[2];
    int[] epochs = {1, 3};
    for (int i = 0; i < 2; i++) {
      FitOptions o = FitOptions.builder().epochs(epochs[i]).logging(null).build();
      long before = threads.getCurrentThreadAllocatedBytes();
      t.fit(rows, null, o);
      bytes[i] = threads.getCurrentThreadAllocatedBytes() - before;
    }
    // two more epochs, 94 more steps: only the per-epoch result objects may add up
    long perExtraEpoch = (bytes[1] - bytes[0]) / 2;
    System.out.printf("fit: %d bytes for 1 epoch, %d for 3 (%d per extra epoch of 47 steps)%n",
        bytes[0], bytes[1], perExtraEpoch);
    assertThat(perExtraEpoch).isLessThan(1024L);
  }
}
