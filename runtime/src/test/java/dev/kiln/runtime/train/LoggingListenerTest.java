package dev.kiln.runtime.train;

import static com.google.common.truth.Truth.assertThat;

import dev.kiln.runtime.ops.LossKind;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.Test;
import org.slf4j.event.EventRecodingLogger;
import org.slf4j.event.SubstituteLoggingEvent;
import org.slf4j.helpers.SubstituteLogger;

/** Issue 18, item 7: {@code fit} logs one line per epoch by default, per N steps on request. */
class LoggingListenerTest {
  private final LinkedBlockingQueue<SubstituteLoggingEvent> events = new LinkedBlockingQueue<>();
  private final EventRecodingLogger logger = new EventRecodingLogger(
      new SubstituteLogger("test", events, false), events);

  private List<String> lines() {
    List<String> out = new ArrayList<>();
    events.forEach(e -> out.add(e.getMessage()));
    return out;
  }

  @Test
  void fitLogsOneLinePerEpochByDefault() {
    ScriptedTrainer t = new ScriptedTrainer(2, 5, 10, 2, 1, 3, 2);
    FitOptions defaults = FitOptions.builder().build();
    assertThat(defaults.logging()).isNotNull();
    assertThat(defaults.logging().everySteps()).isEqualTo(0);
    Training.fit(t, LossKind.SOFTMAX_CROSS_ENTROPY, 0, TrainingTest.data(20, 0),
        TrainingTest.data(10, 0), defaults.toBuilder().epochs(2).logging(defaults.logging().to(logger))
            .build());
    List<String> lines = lines();
    assertThat(lines).hasSize(2);
    assertThat(lines.get(0)).startsWith("epoch 1/2: train loss ");
    assertThat(lines.get(0)).contains("val loss");
    assertThat(lines.get(1)).startsWith("epoch 2/2: ");
  }

  @Test
  void everyNStepsAddsStepLinesAndNullTurnsLoggingOff() {
    ScriptedTrainer t = new ScriptedTrainer(2, 5, 10, 2, 1, 3, 2);
    Training.fit(t, LossKind.SOFTMAX_CROSS_ENTROPY, 0, TrainingTest.data(20, 0), null,
        FitOptions.builder().epochs(2).logging(LoggingListener.everySteps(2).to(logger)).build());
    // 20 rows in batches of 5: 4 steps per epoch, 2 epochs; a line at steps 2, 4, 6, 8
    assertThat(lines().stream().filter(l -> l.startsWith("step ")).toList()).hasSize(4);
    assertThat(lines().stream().filter(l -> l.startsWith("epoch ")).toList()).hasSize(2);

    events.clear();
    ScriptedTrainer u = new ScriptedTrainer(2, 5, 10, 2, 1, 3, 2);
    Training.fit(u, LossKind.SOFTMAX_CROSS_ENTROPY, 0, TrainingTest.data(20, 0), null,
        FitOptions.builder().epochs(2).logging(null).build());
    assertThat(lines()).isEmpty();
  }
}
