package dev.kiln.runtime.train;

import static com.google.common.truth.Truth.assertThat;

import dev.kiln.runtime.pruning.PruningSchedule;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 18, item 13: a pruning schedule fixed in steps that never starts (or never ends) within
 * the planned run is a warning when {@code fit} plans the run.
 */
class PruningWarningTest {
  private static Trainer pruning(PruningSchedule schedule) {
    return new ScriptedTrainer(2, 5, 10, 2, 1) {
      @Override
      public Map<String, PruningSchedule> pruningSchedules() {
        Map<String, PruningSchedule> m = new LinkedHashMap<>();
        m.put("hidden1", schedule);
        m.put("hidden2", schedule);
        return m;
      }
    };
  }

  @Test
  void aScheduleThatNeverStartsInThePlannedRunIsAWarning() {
    // PrunedFashionTraining's schedule on the embedded subset: 47 steps x 10 epochs
    List<String> w = Training.warnAboutPruning(
        pruning(new PruningSchedule(0, 0.9, 469, 3283, 100)), 470);
    assertThat(w).hasSize(1);
    assertThat(w.get(0)).contains("pruning of hidden1, hidden2 never starts in this run");
    assertThat(w.get(0)).contains("the run plans 470 optimizer steps");
  }

  @Test
  void aScheduleThatEndsAfterTheRunIsAWarningAndOneInsideItIsNot() {
    List<String> late = Training.warnAboutPruning(
        pruning(new PruningSchedule(0, 0.9, 469, 3283, 100)), 1000);
    assertThat(late).hasSize(1);
    assertThat(late.get(0)).contains("ends at step 3283, after the 1000 steps");
    assertThat(Training.warnAboutPruning(pruning(new PruningSchedule(0, 0.9, 469, 3283, 100)),
        4690)).isEmpty();
  }
}
