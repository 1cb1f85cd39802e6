package dev.kiln.runtime.train;

import static com.google.common.truth.Truth.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 18, item 18: {@code fit} on the {@link Trainer} interface (the loss kind comes from the
 * trainer), listener steps with the batch's rows and the rate the step used, and {@link
 * EpochResult#samples()}.
 */
class ListenerStepInfoTest {
  /** A scripted trainer whose rate changes every step: {@code 0.1·(iteration + 1)}. */
  private static ScriptedTrainer trainer() {
    return new ScriptedTrainer(2, 5, 2, 1, 1) {
      @Override
      public double learningRate() {
        return 0.1 * (iteration() + 1);
      }
    };
  }

  @Test
  void fitThroughTheTrainerInterfaceGivesEachStepItsRowsAndRate() {
    List<long[]> steps = new ArrayList<>();
    List<Double> rates = new ArrayList<>();
    List<Long> samples = new ArrayList<>();
    TrainingListener listener = new TrainingListener() {
      @Override
      public void onStep(Trainer t, long iteration, int epoch, float loss, int batchSize,
          double learningRate) {
        steps.add(new long[] {iteration, epoch, batchSize});
        rates.add(learningRate);
      }

      @Override
      public void onEpochEnd(Trainer t, EpochResult result) {
        samples.add(result.samples());
      }
    };
    Trainer t = trainer();
    List<EpochResult> results = t.fit(TrainingTest.data(12, 0), null, listener);
    // 12 rows in batches of 5: 5, 5, 2 per epoch, 2 epochs
    assertThat(steps).hasSize(6);
    assertThat(steps.stream().map(s -> s[2]).toList()).containsExactly(5L, 5L, 2L, 5L, 5L, 2L)
        .inOrder();
    assertThat(steps.get(3)[0]).isEqualTo(4);
    assertThat(steps.get(3)[1]).isEqualTo(2);
    for (int i = 0; i < 6; i++) {
      // the rate of the step itself (iteration i), not the next one's
      assertThat(rates.get(i)).isWithin(1e-12).of(0.1 * (i + 1));
    }
    assertThat(samples).containsExactly(12L, 12L);
    assertThat(results.get(1).samples()).isEqualTo(12);
  }

  @Test
  void aListenerWithTheShortCallbackStillHearsEveryStep() {
    List<Long> iterations = new ArrayList<>();
    TrainingListener old = new TrainingListener() {
      @Override
      public void onStep(Trainer t, long iteration, int epoch, float loss) {
        iterations.add(iteration);
      }
    };
    trainer().fit(TrainingTest.data(12, 0), null, old);
    assertThat(iterations).containsExactly(1L, 2L, 3L, 4L, 5L, 6L).inOrder();
  }
}
