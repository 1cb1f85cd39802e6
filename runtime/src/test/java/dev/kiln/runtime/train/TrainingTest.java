package dev.kiln.runtime.train;

import dev.kiln.runtime.ops.LossKind;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.runtime.data.Dataset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.ViewIterator;
import org.nd4j.linalg.factory.Nd4j;

class TrainingTest {
  /** {@code size} rows of 2 features, feature 0 = row index; class = 0 unless in ones. */
  static Dataset data(int size, int classOneEvery) {
    float[] f = new float[size * 2];
    int[] c = new int[size];
    for (int i = 0; i < size; i++) {
      f[2 * i] = i;
      f[2 * i + 1] = 1;
      c[i] = classOneEvery > 0 && i % classOneEvery == 0 ? 1 : 0;
    }
    return Dataset.ofClassIndices(f, 2, c, 2, "toy");
  }

  static FitResult fit(ScriptedTrainer t, Dataset train, Dataset validation, FitOptions o) {
    return Training.fit(t, LossKind.SOFTMAX_CROSS_ENTROPY, 0, train, validation, o);
  }

  @Test
  void earlyStoppingOnValidationLossRestoresTheBestParameters() {
    ScriptedTrainer t = new ScriptedTrainer(2, 5, 10, 2, 1, 3, 2, 1.5, 1, 0.5);
    FitResult r = fit(t, data(20, 0), data(10, 0),
        FitOptions.builder().earlyStopping(EarlyStopping.onValidationLoss(2)).build());
    assertThat(r.epochs()).hasSize(4);
    assertThat(r.bestEpoch()).isEqualTo(2);
    assertThat(r.stoppedEarly()).isTrue();
    assertThat(r.restoredBest()).isTrue();
    double[] expected = {1, 3, 2, 1.5};
    for (int e = 0; e < 4; e++) {
      assertThat(r.epochs().get(e).validation().loss())
          .isWithin(1e-6).of(Math.log1p(Math.exp(-expected[e])));
    }
    assertThat(t.w.getFloat(0)).isEqualTo(3f);
    assertThat(t.runningMean.getFloat(2)).isEqualTo(30f);
    assertThat(t.iteration()).isEqualTo(16);
  }

  @Test
  void withoutRestoreTheLastParametersStay() {
    ScriptedTrainer t = new ScriptedTrainer(2, 5, 10, 2, 1, 3, 2, 1.5, 1, 0.5);
    FitResult r = fit(t, data(20, 0), data(10, 0), FitOptions.builder()
        .earlyStopping(EarlyStopping.onValidationLoss(2).withRestoreBestParameters(false))
        .build());
    assertThat(r.stoppedEarly()).isTrue();
    assertThat(r.restoredBest()).isFalse();
    assertThat(t.w.getFloat(0)).isEqualTo(1.5f);
  }

  @Test
  void minDeltaAndAccuracyMonitor() {
    // accuracy is 1.0 from epoch 1 on (every validation sample is class 0): no later improvement
    ScriptedTrainer t = new ScriptedTrainer(2, 5, 10, 2, 1, 2, 3, 4, 5, 6);
    FitResult r = fit(t, data(20, 0), data(10, 0),
        FitOptions.builder().earlyStopping(EarlyStopping.onValidationAccuracy(3)).build());
    assertThat(r.epochs()).hasSize(4);
    assertThat(r.bestEpoch()).isEqualTo(1);
    assertThat(t.w.getFloat(0)).isEqualTo(1f);
    // losses 0.31, 0.13, 0.049, 0.018: improvements of less than 0.15 do not count
    ScriptedTrainer u = new ScriptedTrainer(2, 5, 10, 2, 1, 2, 3, 4, 5, 6);
    FitResult s = fit(u, data(20, 0), data(10, 0), FitOptions.builder()
        .earlyStopping(EarlyStopping.onValidationLoss(2).withMinDelta(0.15)).build());
    assertThat(s.bestEpoch()).isEqualTo(2);
    assertThat(s.epochs()).hasSize(4);
  }

  @Test
  void aRunThatCompletesIsNotRolledBack() {
    ScriptedTrainer t = new ScriptedTrainer(2, 5, 3, 2, 3, 1, 2);
    FitResult r = fit(t, data(20, 0), data(10, 0),
        FitOptions.builder().earlyStopping(EarlyStopping.onValidationLoss(5)).build());
    assertThat(r.epochs()).hasSize(3);
    assertThat(r.stoppedEarly()).isFalse();
    assertThat(r.bestEpoch()).isEqualTo(1);
    assertThat(t.w.getFloat(0)).isEqualTo(2f);
  }

  @Test
  void earlyStoppingNeedsValidationData() {
    ScriptedTrainer t = new ScriptedTrainer(2, 5, 3, 2, 1);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> fit(t,
        data(20, 0), null,
        FitOptions.builder().earlyStopping(EarlyStopping.onValidationLoss(2)).build()));
    assertThat(e).hasMessageThat().contains("needs validation data");
    assertThat(t.iteration()).isEqualTo(0);
  }

  @Test
  void aOneRowLastBatchIntoBatchNormIsRefusedUnlessDropLast() {
    ScriptedTrainer t = new ScriptedTrainer(2, 5, 2, 2, 1);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> fit(t, data(21, 0), null, null));
    assertThat(e).hasMessageThat().contains("would hold 1 row");
    assertThat(e).hasMessageThat().contains("dropLast(true)");
    assertThat(t.iteration()).isEqualTo(0);
    // the 3-argument fit refuses it too
    assertThrows(IllegalArgumentException.class, () -> Training.fit(t,
        LossKind.SOFTMAX_CROSS_ENTROPY, 0, data(21, 0), null));

    FitResult r = fit(t, data(21, 0), null, FitOptions.builder().dropLast(true).build());
    assertThat(t.rows).containsExactly(5, 5, 5, 5, 5, 5, 5, 5);
    assertThat(t.plannedSteps).isEqualTo(8);
    assertThat(r.epochs().get(0).samplesPerSecond()).isGreaterThan(0);

    ScriptedTrainer noBatchNorm = new ScriptedTrainer(2, 5, 1, 1, 1);
    fit(noBatchNorm, data(21, 0), null, null);
    assertThat(noBatchNorm.rows).containsExactly(5, 5, 5, 5, 1);
  }

  @Test
  void optionsOverrideEpochsBatchSizeAndSeed() {
    ScriptedTrainer t = new ScriptedTrainer(2, 8, 5, 2, 1);
    FitResult r = fit(t, data(12, 0), null,
        FitOptions.builder().epochs(2).batchSize(4).shuffleSeed(99).build());
    assertThat(r.epochs()).hasSize(2);
    assertThat(t.rows).containsExactly(4, 4, 4, 4, 4, 4);
    assertThat(t.plannedSteps).isEqualTo(6);
    ScriptedTrainer same = new ScriptedTrainer(2, 8, 5, 2, 1);
    fit(same, data(12, 0), null,
        FitOptions.builder().epochs(2).batchSize(4).shuffleSeed(99).build());
    assertThat(same.firstFeatures).isEqualTo(t.firstFeatures);
    ScriptedTrainer other = new ScriptedTrainer(2, 8, 5, 2, 1);
    fit(other, data(12, 0), null,
        FitOptions.builder().epochs(2).batchSize(4).shuffleSeed(100).build());
    assertThat(other.firstFeatures).isNotEqualTo(t.firstFeatures);
    ScriptedTrainer ordered = new ScriptedTrainer(2, 8, 5, 2, 1);
    fit(ordered, data(12, 0), null, FitOptions.builder().epochs(1).shuffle(false).build());
    assertThat(ordered.firstFeatures).containsExactly(0f, 1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f, 9f,
        10f, 11f).inOrder();

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> fit(
        new ScriptedTrainer(2, 8, 5, 2, 1), data(12, 0), null,
        FitOptions.builder().batchSize(9).build()));
    assertThat(e).hasMessageThat().contains("exceeds the compiled BATCH_SIZE 8");
  }

  @Test
  void trainAccuracyCountsTheStepsOutputs() {
    // the scripted outputs always pick class 0; every 4th training row is class 1
    ScriptedTrainer t = new ScriptedTrainer(2, 5, 1, 2, 1);
    FitResult r = fit(t, data(20, 4), null, null);
    assertThat(r.last().trainAccuracy()).isWithin(1e-12).of(15 / 20.0);
  }

  @Test
  void evaluationReportsPerClassFiguresThroughNd4j() {
    ScriptedTrainer t = new ScriptedTrainer(2, 5, 1, 2, 2);
    fit(t, data(10, 0), null, null); // w = 2: every prediction is class 0
    Evaluation e = Training.evaluate(t, LossKind.SOFTMAX_CROSS_ENTROPY, 0, data(12, 3));
    // 12 rows, rows 0, 3, 6, 9 are class 1: 8 of class 0 (all right), 4 of class 1 (all wrong)
    assertThat(e.samples()).isEqualTo(12);
    assertThat(e.accuracy()).isWithin(1e-12).of(8 / 12.0);
    assertThat(e.classification().accuracy()).isWithin(1e-12).of(e.accuracy());
    assertThat(e.classCount()).isEqualTo(2);
    assertThat(e.confusionMatrix()).isEqualTo(new int[][] {{8, 0}, {4, 0}});
    assertThat(e.precision(0)).isWithin(1e-12).of(8 / 12.0);
    assertThat(e.recall(0)).isWithin(1e-12).of(1.0);
    assertThat(e.f1(0)).isWithin(1e-12).of(2 * (8 / 12.0) / (8 / 12.0 + 1));
    assertThat(e.recall(1)).isEqualTo(0.0);
    assertThat(e.precision(1)).isEqualTo(0.0);
    double loss0 = Math.log1p(Math.exp(-2));
    double loss1 = Math.log1p(Math.exp(2));
    assertThat(e.loss()).isWithin(1e-6).of((8 * loss0 + 4 * loss1) / 12);
    assertThat(e.stats()).contains("Accuracy");
  }

  /** {@code size} rows of {@link #data} with features shaped [n, 1, 2], {@code batch} at a time. */
  static ViewIterator iterator(int size, int batch) {
    Dataset d = data(size, 3);
    DataSet all = new DataSet(
        Nd4j.create(d.features(), new long[] {size, 1, 2}, 'c'),
        Nd4j.create(d.labels(), new long[] {size, 2}, 'c'));
    return new ViewIterator(all, batch);
  }

  @Test
  void dataSetIteratorBatchesAreCutToTheBatchSizeInOrder() {
    ScriptedTrainer t = new ScriptedTrainer(2, 5, 2, 2, 1, 2);
    FitResult r = Training.fit(t, LossKind.SOFTMAX_CROSS_ENTROPY, 0, iterator(23, 10),
        iterator(12, 5), null);
    assertThat(t.rows).containsExactly(5, 5, 5, 5, 3, 5, 5, 5, 5, 3).inOrder();
    assertThat(t.plannedSteps).isEqualTo(10);
    List<Float> expected = new ArrayList<>();
    for (int e = 0; e < 2; e++) {
      for (int i = 0; i < 23; i++) {
        expected.add((float) i);
      }
    }
    assertThat(t.firstFeatures).isEqualTo(expected);
    // the iterator's validation gives what the same rows give as a Dataset
    Evaluation viaIterator = r.last().validation();
    Evaluation viaDataset = Training.evaluate(t, LossKind.SOFTMAX_CROSS_ENTROPY, 0, data(12, 3));
    assertThat(viaIterator.loss()).isWithin(1e-7).of(viaDataset.loss());
    assertThat(viaIterator.accuracy()).isEqualTo(viaDataset.accuracy());
    assertThat(viaIterator.confusionMatrix()).isEqualTo(viaDataset.confusionMatrix());
  }

  @Test
  void dataSetIteratorShortChunksAndDropLast() {
    ScriptedTrainer t = new ScriptedTrainer(2, 5, 1, 2, 1);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () ->
        Training.fit(t, LossKind.SOFTMAX_CROSS_ENTROPY, 0, iterator(21, 6), null, null));
    assertThat(e).hasMessageThat().contains("dropLast(true)");
    Training.fit(t, LossKind.SOFTMAX_CROSS_ENTROPY, 0, iterator(21, 6), null,
        FitOptions.builder().dropLast(true).build());
    assertThat(t.rows).containsExactly(5, 5, 5);
    assertThat(t.firstFeatures.subList(5, 10)).containsExactly(6f, 7f, 8f, 9f, 10f).inOrder();
  }

  @Test
  void dataSetIteratorWithWrongShapesIsRefused() {
    ScriptedTrainer t = new ScriptedTrainer(3, 5, 1, 2, 1);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () ->
        Training.fit(t, LossKind.SOFTMAX_CROSS_ENTROPY, 0, iterator(10, 5), null, null));
    assertThat(e).hasMessageThat().contains("expected features [n, 3]");
    assertThat(t.rows).isEmpty();
  }
}
