package dev.kiln.processor;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.runtime.pruning.PruningSchedule;
import dev.kiln.runtime.train.Trainer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Issue 18, item 13: a {@code @Prune} schedule in fractions of the run becomes steps when the run
 * is planned ({@code round(f·(T − 1))}), so it trains exactly as the same schedule written in
 * those steps; a step before the plan is refused before anything changes; a checkpoint restores
 * the plan.
 */
class PruneFractionsTest {
  private static Compiled compiled;
  @TempDir Path dir;

  private static String config(String name, String prune) {
    return """
        package frac;
        import dev.kiln.dsl.*;
        @TrainingConfig(model = Plain.class, loss = Loss.SOFTMAX_CROSS_ENTROPY, batchSize = 8,
            epochs = 1, seed = 3)
        @Sgd(learningRate = 0.1, momentum = 0.9)
        %s
        public interface %s {}
        """.formatted(prune, name);
  }

  @BeforeAll
  static void compile() {
    Map<String, String> sources = new LinkedHashMap<>();
    sources.put("frac.Plain", """
        package frac;
        import static dev.kiln.dsl.ActivationFunction.*;
        import dev.kiln.dsl.*;
        @Model(inputs = 12)
        public abstract class Plain {
          @Dense(16) @BatchNorm @Activation(RELU) Layer hidden;
          @Dense(4) Layer logits;
        }
        """);
    // a 41-step run: 0.1 -> step 4, 0.7 -> step 28
    sources.put("frac.Fractions", config("Fractions", "@Prune(finalSparsity = 0.8,"
        + " initialSparsity = 0.1, beginFraction = 0.1, endFraction = 0.7, frequency = 5)"));
    sources.put("frac.Steps", config("Steps", "@Prune(finalSparsity = 0.8,"
        + " initialSparsity = 0.1, beginStep = 4, endStep = 28, frequency = 5)"));
    compiled = Compiled.compile(sources);
  }

  private static Object network() throws Exception {
    return compiled.load("frac.PlainNetwork").getMethod("initialize", long.class)
        .invoke(null, 7L);
  }

  private static Trainer trainer(String config, Object network) throws Exception {
    return (Trainer) compiled.load("frac." + config + "Trainer")
        .getConstructor(network.getClass()).newInstance(network);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, float[]> snapshot(Object network) throws Exception {
    Map<String, float[]> copy = new LinkedHashMap<>();
    ((Map<String, INDArray>) network.getClass().getMethod("parameters").invoke(network))
        .forEach((k, v) -> copy.put(k, v.data().asFloat().clone()));
    return copy;
  }

  private static List<INDArray[]> batches(int count) {
    Random random = new Random(12);
    List<INDArray[]> out = new ArrayList<>();
    for (int b = 0; b < count; b++) {
      float[] x = new float[8 * 12];
      float[] y = new float[8 * 4];
      for (int i = 0; i < x.length; i++) {
        x[i] = (float) random.nextGaussian();
      }
      for (int r = 0; r < 8; r++) {
        y[r * 4 + random.nextInt(4)] = 1f;
      }
      out.add(new INDArray[] {Nd4j.create(x, new long[] {8, 12}, 'c'),
          Nd4j.create(y, new long[] {8, 4}, 'c')});
    }
    return out;
  }

  @Test
  void fractionsTrainExactlyAsTheStepsTheyBecome() throws Exception {
    Object a = network();
    Object b = network();
    Trainer fractions = trainer("Fractions", a);
    Trainer steps = trainer("Steps", b);
    fractions.planRun(41, 41);
    PruningSchedule s = fractions.pruningSchedules().get("hidden");
    assertThat(s.beginStep()).isEqualTo(4);
    assertThat(s.endStep()).isEqualTo(28);
    assertThat(s.inFractions()).isTrue();
    for (INDArray[] batch : batches(41)) {
      fractions.step(batch[0], batch[1]);
      steps.step(batch[0], batch[1]);
    }
    Map<String, float[]> pa = snapshot(a);
    Map<String, float[]> pb = snapshot(b);
    for (String k : pa.keySet()) {
      assertWithMessage(k).that(pa.get(k)).isEqualTo(pb.get(k));
    }
    assertThat(fractions.overallSparsity()).isWithin(1e-3).of(0.8);
    assertThat(fractions.overallSparsity()).isEqualTo(steps.overallSparsity());
  }

  @Test
  void aStepBeforeThePlanIsRefusedBeforeAnythingChanges() throws Exception {
    Object net = network();
    Map<String, float[]> before = snapshot(net);
    Trainer t = trainer("Fractions", net);
    INDArray[] batch = batches(1).get(0);
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> t.step(batch[0], batch[1]));
    assertThat(e).hasMessageThat().contains("planRun");
    assertThat(t.iteration()).isEqualTo(0);
    Map<String, float[]> after = snapshot(net);
    for (String k : before.keySet()) {
      assertWithMessage(k).that(after.get(k)).isEqualTo(before.get(k));
    }
  }

  @Test
  void aCheckpointRestoresThePlan() throws Exception {
    Trainer t = trainer("Fractions", network());
    t.planRun(41, 41);
    List<INDArray[]> data = batches(41);
    for (int i = 0; i < 10; i++) {
      t.step(data.get(i)[0], data.get(i)[1]);
    }
    Path file = dir.resolve("f.kiln");
    t.save(file);
    Object net = network();
    Trainer resumed = trainer("Fractions", net);
    resumed.restore(file); // no planRun by hand: the checkpoint holds the run's length
    assertThat(resumed.pruningSchedules().get("hidden").endStep()).isEqualTo(28);
    for (int i = 10; i < 41; i++) {
      t.step(data.get(i)[0], data.get(i)[1]);
      resumed.step(data.get(i)[0], data.get(i)[1]);
    }
    assertThat(resumed.overallSparsity()).isEqualTo(t.overallSparsity());
  }
}
