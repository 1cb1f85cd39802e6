package dev.kiln.processor;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;

import dev.kiln.runtime.tensor.Tensor;
import dev.kiln.runtime.train.Trainer;
import dev.kiln.runtime.pruning.CompactNetwork;
import dev.kiln.runtime.pruning.Pruning;
import dev.kiln.runtime.pruning.PruningSchedule;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Generated trainers with {@code @Prune}: the masks follow the Zhu–Gupta schedule at the right
 * steps; pruned weights and their optimizer buffers (SGD momentum, Adam's moments) are exactly
 * +0.0 after every step; field annotations exclude a layer or give it its own target; {@code
 * NEURONS} removes whole units and {@code compact()} predicts the same with smaller layers; masks
 * are saved in checkpoints and a resumed run continues bit-exactly; the step allocates nothing,
 * including steps that update the masks.
 */
class PruningTrainerTest {
  private static Compiled compiled;

  private static final String MODEL = """
      package prune;
      import static dev.kiln.dsl.ActivationFunction.*;
      import dev.kiln.dsl.*;
      @Model(inputs = 12)
      public abstract class Net {
        @Dense(16) @BatchNorm @Activation(RELU) Layer hidden1;
        @Dense(16) @Activation(SIGMOID) @Prune(finalSparsity = 0.25) Layer hidden2;
        @Dense(4) @Prune(exclude = true) Layer logits;
      }
      """;

  private static final String PLAIN_MODEL = """
      package prune;
      import static dev.kiln.dsl.ActivationFunction.*;
      import dev.kiln.dsl.*;
      @Model(inputs = 12)
      public abstract class Plain {
        @Dense(16) @BatchNorm @Activation(RELU) Layer hidden1;
        @Dense(16) @Activation(SIGMOID) Layer hidden2;
        @Dense(4) Layer logits;
      }
      """;

  /** GLOBAL unstructured over all three layers of {@code Plain}, SGD with momentum. */
  private static final String GLOBAL = """
      package prune;
      import dev.kiln.dsl.*;
      @TrainingConfig(model = Plain.class, loss = Loss.SOFTMAX_CROSS_ENTROPY, batchSize = 8,
          epochs = 1, seed = 3)
      @Sgd(learningRate = 0.1, momentum = 0.9)
      @ClipGradNorm(maxNorm = 1.0)
      @L2(1e-3)
      @Prune(finalSparsity = 0.8, initialSparsity = 0.1, beginStep = 4, endStep = 34,
          frequency = 5)
      public interface GlobalTraining {}
      """;

  /** PER_LAYER with hidden2's own target and logits excluded, Adam. */
  private static final String PER_LAYER = """
      package prune;
      import dev.kiln.dsl.*;
      @TrainingConfig(model = Net.class, loss = Loss.SOFTMAX_CROSS_ENTROPY, batchSize = 8,
          epochs = 1, seed = 3)
      @Adam(learningRate = 0.01)
      @Prune(finalSparsity = 0.6, beginStep = 0, endStep = 20, frequency = 4,
          scope = PruneScope.PER_LAYER)
      public interface LayerTraining {}
      """;

  /** NEURONS per layer: hidden1 and hidden2 lose half their units, logits never. */
  private static final String NEURONS = """
      package prune;
      import dev.kiln.dsl.*;
      @TrainingConfig(model = Plain.class, loss = Loss.SOFTMAX_CROSS_ENTROPY, batchSize = 8,
          epochs = 1, seed = 3)
      @Sgd(learningRate = 0.1, momentum = 0.9, nesterov = true)
      @Prune(finalSparsity = 0.5, beginStep = 2, endStep = 12, frequency = 2,
          scope = PruneScope.PER_LAYER, structure = PruneStructure.NEURONS)
      public interface NeuronTraining {}
      """;

  /** For the allocation check: a mask update every 10 steps throughout. */
  private static final String BUSY = """
      package prune;
      import dev.kiln.dsl.*;
      @TrainingConfig(model = Plain.class, loss = Loss.SOFTMAX_CROSS_ENTROPY, batchSize = 32,
          epochs = 1, seed = 3)
      @AdamW(learningRate = 0.01)
      @Prune(finalSparsity = 0.9, beginStep = 0, endStep = 100000, frequency = 10)
      public interface BusyTraining {}
      """;

  /** Two batches per optimizer step: pruning steps count optimizer steps. */
  private static final String ACCUMULATING = """
      package prune;
      import dev.kiln.dsl.*;
      @TrainingConfig(model = Plain.class, loss = Loss.SOFTMAX_CROSS_ENTROPY, batchSize = 8,
          epochs = 1, seed = 3, accumulationSteps = 2)
      @Sgd(learningRate = 0.1, momentum = 0.9)
      @Prune(finalSparsity = 0.7, beginStep = 1, endStep = 7, frequency = 2)
      public interface AccumulatingTraining {}
      """;

  @BeforeAll
  static void compile() {
    compiled = Compiled.compile(Map.of("prune.Net", MODEL, "prune.Plain", PLAIN_MODEL,
        "prune.GlobalTraining", GLOBAL, "prune.LayerTraining", PER_LAYER,
        "prune.NeuronTraining", NEURONS, "prune.BusyTraining", BUSY,
        "prune.AccumulatingTraining", ACCUMULATING));
  }

  private static Object network(String model, long seed) throws Exception {
    return compiled.load("prune." + model + "Network").getMethod("initialize", long.class)
        .invoke(null, seed);
  }

  private static Trainer trainer(String config, Object network) throws Exception {
    return (Trainer) compiled.load("prune." + config + "Trainer")
        .getConstructor(network.getClass()).newInstance(network);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Tensor> masks(Trainer trainer) throws Exception {
    return (Map<String, Tensor>) trainer.getClass().getMethod("masks").invoke(trainer);
  }

  private static INDArray[] batch(int s, int rows) {
    Nd4j.getRandom().setSeed(500 + s);
    INDArray x = Nd4j.rand(DataType.FLOAT, rows, 12).subi(0.5).muli(2);
    INDArray y = Nd4j.zeros(DataType.FLOAT, rows, 4);
    for (int r = 0; r < rows; r++) {
      y.putScalar(r, (r * 7 + s) % 4, 1f);
    }
    return new INDArray[] {x, y};
  }

  /**
   * Trains {@code steps} steps and after each checks that every pruned weight and every optimizer
   * buffer of it is +0.0 and that masks only grow; returns the sparsity after each step.
   */
  private static List<Double> trainChecking(Trainer trainer, int steps) throws Exception {
    Map<String, Tensor> masks = masks(trainer);
    Map<String, Tensor> state = trainer.trainingState().arrays();
    Map<String, float[]> previous = new java.util.HashMap<>();
    List<Double> sparsity = new ArrayList<>();
    for (int s = 0; s < steps; s++) {
      INDArray[] b = batch(s, 8);
      trainer.step(b[0], b[1]);
      for (Map.Entry<String, Tensor> e : masks.entrySet()) {
        String name = e.getKey();
        float[] mask = e.getValue().toFloatArray();
        float[] weight = Tensor.wrap(trainer.parameters().get(name)).toFloatArray();
        List<float[]> buffers = new ArrayList<>();
        state.forEach((k, v) -> {
          if (k.startsWith("optimizer/" + name + ".")) {
            buffers.add(v.toFloatArray());
          }
        });
        assertWithMessage("optimizer buffers of %s", name).that(buffers).isNotEmpty();
        float[] before = previous.get(name);
        for (int i = 0; i < mask.length; i++) {
          if (mask[i] == 0f) {
            assertWithMessage("step %s: %s[%s] pruned", s, name, i)
                .that(Float.floatToRawIntBits(weight[i])).isEqualTo(0);
            for (float[] buffer : buffers) {
              assertWithMessage("step %s: optimizer buffer of pruned %s[%s]", s, name, i)
                  .that(Float.floatToRawIntBits(buffer[i])).isEqualTo(0);
            }
          }
          if (before != null) {
            assertWithMessage("masks only grow").that(mask[i] <= before[i]).isTrue();
          }
        }
        previous.put(name, mask);
      }
      sparsity.add(trainer.overallSparsity());
    }
    return sparsity;
  }

  @Test
  void globalPruningFollowsTheScheduleAndKeepsPrunedWeightsAtZero() throws Exception {
    Trainer trainer = trainer("GlobalTraining", network("Plain", 1));
    assertThat(masks(trainer).keySet())
        .containsExactly("hidden1.weight", "hidden2.weight", "logits.weight").inOrder();
    List<Double> sparsity = trainChecking(trainer, 45);
    PruningSchedule schedule = new PruningSchedule(0.1, 0.8, 4, 34, 5);
    int total = 12 * 16 + 16 * 16 + 16 * 4;
    for (int t = 0; t < sparsity.size(); t++) {
      double expected = t < 4 ? 0 : (double) Pruning.count(schedule.held(t), total) / total;
      assertWithMessage("overall sparsity after step %s", t).that(sparsity.get(t))
          .isWithin(1e-12).of(expected);
    }
    assertThat(trainer.sparsity().keySet()).containsExactly("hidden1", "hidden2", "logits")
        .inOrder();
    // one global ranking: the layers end at different sparsities
    assertThat(trainer.sparsity().values().stream().distinct().count()).isGreaterThan(1L);
  }

  @Test
  void perLayerTargetsAndExclusionWithAdam() throws Exception {
    Trainer trainer = trainer("LayerTraining", network("Net", 2));
    assertThat(masks(trainer).keySet()).containsExactly("hidden1.weight", "hidden2.weight")
        .inOrder();
    trainChecking(trainer, 25);
    Map<String, Double> sparsity = trainer.sparsity();
    assertThat(sparsity.keySet()).containsExactly("hidden1", "hidden2").inOrder();
    assertThat(sparsity.get("hidden1"))
        .isWithin(1e-12).of((double) Pruning.count(0.6, 12 * 16) / (12 * 16));
    assertThat(sparsity.get("hidden2"))
        .isWithin(1e-12).of((double) Pruning.count(0.25, 16 * 16) / (16 * 16));
    float[] logits = Tensor.wrap(trainer.parameters().get("logits.weight")).toFloatArray();
    for (float v : logits) {
      assertThat(v).isNotEqualTo(0f);
    }
  }

  @Test
  void withAccumulationThePruningStepsCountOptimizerSteps() throws Exception {
    Trainer trainer = trainer("AccumulatingTraining", network("Plain", 8));
    List<Double> sparsity = trainChecking(trainer, 24);
    PruningSchedule schedule = new PruningSchedule(0, 0.7, 1, 7, 2);
    int total = 12 * 16 + 16 * 16 + 16 * 4;
    for (int batch = 0; batch < sparsity.size(); batch++) {
      long steps = (batch + 1) / 2; // optimizer steps taken after this batch
      double expected = steps < 2 ? 0
          : (double) Pruning.count(schedule.held(steps - 1), total) / total;
      assertWithMessage("sparsity after batch %s (%s optimizer steps)", batch, steps)
          .that(sparsity.get(batch)).isWithin(1e-12).of(expected);
    }
    assertThat(trainer.iteration()).isEqualTo(12L);
  }

  @Test
  void neuronPruningCompactsIntoASmallerNetworkWithTheSameOutputs() throws Exception {
    Object network = network("Plain", 4);
    Trainer trainer = trainer("NeuronTraining", network);
    trainChecking(trainer, 20);
    assertThat(trainer.sparsity().keySet()).containsExactly("hidden1", "hidden2").inOrder();
    for (Map.Entry<String, Tensor> e : masks(trainer).entrySet()) {
      Tensor mask = e.getValue();
      int rows = mask.size(0);
      int units = mask.size(1);
      int pruned = 0;
      for (int j = 0; j < units; j++) {
        float first = mask.get(j);
        for (int r = 0; r < rows; r++) {
          assertWithMessage("%s: whole columns", e.getKey()).that(mask.get(r * units + j))
              .isEqualTo(first);
        }
        pruned += first == 0f ? 1 : 0;
      }
      assertThat(pruned).isEqualTo(Pruning.count(0.5, units));
    }
    CompactNetwork compact = (CompactNetwork) trainer.getClass().getMethod("compact")
        .invoke(trainer);
    assertThat(compact.widths()).isEqualTo(new int[] {8, 8, 4});
    INDArray x = batch(99, 40)[0];
    INDArray expected = trainer.predict(x);
    INDArray actual = compact.predict(x);
    float[] e = expected.data().asFloat();
    float[] a = actual.data().asFloat();
    for (int i = 0; i < e.length; i++) {
      assertThat((double) a[i]).isWithin(1e-5 + 1e-5 * Math.abs(e[i])).of(e[i]);
    }
  }

  @Test
  void masksAreCheckpointedAndResumeIsBitExact(@TempDir Path dir) throws Exception {
    Trainer first = trainer("GlobalTraining", network("Plain", 5));
    assertThat(first.trainingState().arrays().keySet()).containsAtLeast("mask/hidden1.weight",
        "mask/hidden2.weight", "mask/logits.weight");
    assertThat(first.trainingState().fingerprint().entries())
        .containsEntry("pruning.finalSparsity", "0.8");
    for (int s = 0; s < 12; s++) {
      INDArray[] b = batch(s, 8);
      first.step(b[0], b[1]);
    }
    Path file = dir.resolve("pruned.kiln");
    first.save(file);
    for (int s = 12; s < 30; s++) {
      INDArray[] b = batch(s, 8);
      first.step(b[0], b[1]);
    }
    Trainer resumed = trainer("GlobalTraining", network("Plain", 77));
    resumed.restore(file);
    assertThat(resumed.overallSparsity()).isGreaterThan(0.0);
    for (int s = 12; s < 30; s++) {
      INDArray[] b = batch(s, 8);
      resumed.step(b[0], b[1]);
    }
    for (String name : first.trainingState().arrays().keySet()) {
      assertWithMessage(name).that(resumed.trainingState().arrays().get(name).toFloatArray())
          .isEqualTo(first.trainingState().arrays().get(name).toFloatArray());
    }
  }

  @Test
  void generatedSourceDocumentsPruning() {
    String source = compiled.source("prune.GlobalTraining" + "Trainer");
    assertThat(source).contains("pruner.maskGradients(iteration)");
    assertThat(source).contains("pruner.afterUpdate(iteration)");
    assertThat(source).contains("<li>pruning: weights, global, sparsity 0.1 -> 0.8");
    assertThat(source.indexOf("optimizer.update(")).isLessThan(
        source.indexOf("pruner.afterUpdate(iteration)"));
    assertThat(source.indexOf("pruner.maskGradients(iteration)")).isLessThan(
        source.indexOf("clipper.measure()"));
  }

  @Test
  void stepWithMaskUpdatesAllocatesNothing() throws Exception {
    Trainer trainer = trainer("BusyTraining", network("Plain", 6));
    INDArray[] b = batch(1, 32);
    var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    for (int i = 0; i < 200; i++) {
      trainer.step(b[0], b[1]);
    }
    int steps = 1000;
    long offHeap = Pointer.totalBytes();
    long heap = threads.getCurrentThreadAllocatedBytes();
    for (int i = 0; i < steps; i++) {
      trainer.step(b[0], b[1]);
    }
    double perStep = (double) (threads.getCurrentThreadAllocatedBytes() - heap) / steps;
    long growth = Pointer.totalBytes() - offHeap;
    System.out.printf(Locale.ROOT, "pruning trainer (mask update every 10 steps): %.2f heap"
        + " bytes/step, off-heap growth %d bytes%n", perStep, growth);
    assertThat(perStep).isAtMost(64.0);
    assertThat(growth).isAtMost(0L);
    assertThat(trainer.overallSparsity()).isGreaterThan(0.0);
  }
}
