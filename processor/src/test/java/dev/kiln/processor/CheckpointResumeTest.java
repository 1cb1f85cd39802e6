package dev.kiln.processor;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.runtime.train.Trainer;
import dev.kiln.runtime.checkpoint.CheckpointException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Checkpoints resume bit-exactly: N steps, save, a fresh network and trainer, restore, N more
 * steps give the same parameters, losses and rates as 2N uninterrupted steps; a checkpoint of
 * another configuration, or a damaged one, is refused without changing the trainer.
 */
class CheckpointResumeTest {
  private static final int N = 7;
  private static Compiled compiled;
  private static Compiled otherConfig;

  private static String model() {
    return """
        package ckpt;
        import static dev.kiln.dsl.ActivationFunction.*;
        import dev.kiln.dsl.*;
        @Model(inputs = 5)
        public abstract class Net {
          @Dense(7) @BatchNorm @Activation(RELU) @Dropout(0.3) Layer hidden;
          @Dense(3) Layer logits;
        }
        """;
  }

  private static String config(double momentum) {
    return String.format(Locale.ROOT, """
        package ckpt;
        import dev.kiln.dsl.*;
        @TrainingConfig(model = Net.class, loss = Loss.SOFTMAX_CROSS_ENTROPY, batchSize = 6,
            epochs = 1, seed = 11)
        @Sgd(learningRate = 0.2, momentum = %s, nesterov = true)
        @CosineDecay(steps = 20, minimum = 0.01)
        @ClipGradNorm(maxNorm = 0.5)
        @L2(1e-3)
        public interface Training {}
        """, momentum);
  }

  @BeforeAll
  static void compile() {
    compiled = Compiled.compile(Map.of("ckpt.Net", model(), "ckpt.Training", config(0.9)));
    otherConfig = Compiled.compile(Map.of("ckpt.Net", model(), "ckpt.Training", config(0.8)));
  }

  @TempDir Path dir;

  private static Object network(Compiled c) throws Exception {
    return c.load("ckpt.NetNetwork").getMethod("initialize", long.class).invoke(null, 5L);
  }

  private static Trainer trainer(Compiled c, Object network) throws Exception {
    return (Trainer) c.load("ckpt.TrainingTrainer").getConstructor(network.getClass())
        .newInstance(network);
  }

  private static INDArray[] batch(int s) {
    Nd4j.getRandom().setSeed(1000 + s);
    INDArray x = Nd4j.rand(DataType.FLOAT, 6, 5).subi(0.5);
    INDArray y = Nd4j.zeros(DataType.FLOAT, 6, 3);
    for (int r = 0; r < 6; r++) {
      y.putScalar(r, (r + s) % 3, 1f);
    }
    return new INDArray[] {x, y};
  }

  @SuppressWarnings("unchecked")
  private static Map<String, float[]> parameters(Object network) throws Exception {
    Map<String, INDArray> views = (Map<String, INDArray>) network.getClass()
        .getMethod("parameters").invoke(network);
    Map<String, float[]> copy = new LinkedHashMap<>();
    views.forEach((k, v) -> copy.put(k, v.data().asFloat().clone()));
    return copy;
  }

  private static List<Double> run(Trainer trainer, int from, int to) {
    List<Double> trace = new ArrayList<>();
    for (int s = from; s < to; s++) {
      INDArray[] b = batch(s);
      trace.add(trainer.learningRate());
      trace.add((double) trainer.step(b[0], b[1]));
    }
    return trace;
  }

  private static void assertBitwiseEqual(Map<String, float[]> a, Map<String, float[]> b) {
    assertThat(a.keySet()).isEqualTo(b.keySet());
    for (String k : a.keySet()) {
      float[] x = a.get(k);
      float[] y = b.get(k);
      for (int i = 0; i < x.length; i++) {
        assertThat(Float.floatToRawIntBits(y[i])).isEqualTo(Float.floatToRawIntBits(x[i]));
      }
    }
  }

  @Test
  void resumeIsBitExact() throws Exception {
    Object straightNet = network(compiled);
    Trainer straight = trainer(compiled, straightNet);
    List<Double> expected = run(straight, 0, 2 * N);

    Object firstNet = network(compiled);
    Trainer first = trainer(compiled, firstNet);
    List<Double> trace = new ArrayList<>(run(first, 0, N));
    Path file = dir.resolve("half.kiln");
    first.save(file);

    Object resumedNet = compiled.load("ckpt.NetNetwork").getMethod("initialize", long.class)
        .invoke(null, 999L);
    Trainer resumed = trainer(compiled, resumedNet);
    resumed.restore(file);
    assertThat(resumed.iteration()).isEqualTo(N);
    trace.addAll(run(resumed, N, 2 * N));

    assertThat(trace).isEqualTo(expected);
    assertBitwiseEqual(parameters(straightNet), parameters(resumedNet));
  }

  @Test
  void checkpointOfAnotherConfigurationIsRefusedNamingTheDifference() throws Exception {
    Trainer trainer = trainer(compiled, network(compiled));
    run(trainer, 0, 2);
    Path file = dir.resolve("a.kiln");
    trainer.save(file);
    Object otherNet = network(otherConfig);
    Trainer other = trainer(otherConfig, otherNet);
    Map<String, float[]> before = parameters(otherNet);
    CheckpointException e = assertThrows(CheckpointException.class, () -> other.restore(file));
    // the first differing field, expected (this trainer) and found (the file)
    assertThat(e).hasMessageThat().contains("optimizer.momentum: expected 0.8, found 0.9");
    assertThat(other.iteration()).isEqualTo(0);
    assertBitwiseEqual(before, parameters(otherNet));
  }

  @Test
  void damagedCheckpointIsRefusedAndTheTrainerStillWorksAsBefore() throws Exception {
    Object net = network(compiled);
    Trainer trainer = trainer(compiled, net);
    run(trainer, 0, 3);
    Path file = dir.resolve("b.kiln");
    trainer.save(file);
    byte[] bytes = Files.readAllBytes(file);
    Path cut = dir.resolve("cut.kiln");
    Files.write(cut, java.util.Arrays.copyOf(bytes, bytes.length / 3));

    Object twinNet = network(compiled);
    Trainer twin = trainer(compiled, twinNet);
    run(twin, 0, 3);
    assertThrows(CheckpointException.class, () -> twin.restore(cut));
    assertThat(run(twin, 3, 6)).isEqualTo(run(trainer, 3, 6));
    assertBitwiseEqual(parameters(net), parameters(twinNet));
  }

  @Test
  void saveBetweenAccumulatedBatchesResumesBitExactly() throws Exception {
    Compiled accumulating = Compiled.compile(Map.of("ckpt.Net", model(), "ckpt.Training", """
        package ckpt;
        import dev.kiln.dsl.*;
        @TrainingConfig(model = Net.class, loss = Loss.SOFTMAX_CROSS_ENTROPY, batchSize = 6,
            epochs = 1, seed = 11, accumulationSteps = 3)
        @AdamW(learningRate = 0.01)
        @ClipGradNorm(maxNorm = 0.5, onNonFinite = NonFinitePolicy.SKIP_STEP)
        public interface Training {}
        """));
    Object straightNet = network(accumulating);
    Trainer straight = trainer(accumulating, straightNet);
    List<Double> expected = run(straight, 0, 10);

    Trainer first = trainer(accumulating, network(accumulating));
    List<Double> trace = new ArrayList<>(run(first, 0, 4)); // one optimizer step + 1 pending
    Path file = dir.resolve("pending.kiln");
    first.save(file);
    Object resumedNet = network(accumulating);
    Trainer resumed = trainer(accumulating, resumedNet);
    resumed.restore(file);
    trace.addAll(run(resumed, 4, 10));
    assertThat(trace).isEqualTo(expected);
    assertBitwiseEqual(parameters(straightNet), parameters(resumedNet));
  }

  @Test
  void networkExportLoadsForPrediction() throws Exception {
    Object net = network(compiled);
    Trainer trainer = trainer(compiled, net);
    run(trainer, 0, 4);
    Path file = dir.resolve("net.kiln");
    net.getClass().getMethod("save", Path.class).invoke(net, file);
    Object loaded = net.getClass().getMethod("load", Path.class).invoke(null, file);
    INDArray x = batch(50)[0];
    INDArray expected = (INDArray) net.getClass().getMethod("predict", INDArray.class)
        .invoke(net, x);
    INDArray actual = (INDArray) loaded.getClass().getMethod("predict", INDArray.class)
        .invoke(loaded, x);
    assertThat(actual.data().asFloat()).isEqualTo(expected.data().asFloat());
    // A whole training checkpoint loads as a network too.
    Path full = dir.resolve("full.kiln");
    trainer.save(full);
    Object fromFull = net.getClass().getMethod("load", Path.class).invoke(null, full);
    assertBitwiseEqual(parameters(net), parameters(fromFull));
  }
}
