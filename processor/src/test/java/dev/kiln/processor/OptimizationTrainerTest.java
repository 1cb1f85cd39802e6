package dev.kiln.processor;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.runtime.ops.LossKind;
import dev.kiln.runtime.optim.NonFiniteGradientException;
import dev.kiln.runtime.train.Trainer;
import dev.kiln.runtime.train.Training;
import dev.kiln.runtime.train.TrainingListener;
import dev.kiln.runtime.data.Dataset;
import dev.kiln.runtime.testing.Golden;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Generated trainers: the non-finite policies (ERROR and SKIP_STEP leave parameters, optimizer
 * state, batch-norm statistics, accumulated gradients and the step counter bitwise as before, so
 * the next good step equals that of a trainer that never saw the bad batch; PROPAGATE lets NaN
 * through as PyTorch), {@code @Frozen} layers stay bitwise unchanged, per-layer overrides equal
 * the same coefficients written on the configuration, and gradient accumulation over {@code k}
 * batches of {@code b} equals one batch of {@code k·b}.
 */
class OptimizationTrainerTest {
  private static Compiled compiled;

  private static String config(String name, String model, String members, String annotations) {
    return "package opt;\nimport dev.kiln.dsl.*;\n@TrainingConfig(model = " + model
        + ".class, loss = Loss.SOFTMAX_CROSS_ENTROPY, " + members + ")\n" + annotations
        + "\npublic interface " + name + " {}\n";
  }

  private static String model(String name, int inputs, String layers) {
    return "package opt;\nimport static dev.kiln.dsl.ActivationFunction.*;\nimport dev.kiln.dsl.*;\n"
        + "@Model(inputs = " + inputs + ")\npublic abstract class " + name + " {\n" + layers
        + "}\n";
  }

  @BeforeAll
  static void compile() {
    Map<String, String> sources = new LinkedHashMap<>();
    sources.put("opt.BnNet", model("BnNet", 4, """
          @Dense(6) @BatchNorm @Activation(RELU) Layer hidden;
          @Dense(3) Layer logits;
        """));
    sources.put("opt.BnError", config("BnError", "BnNet", "batchSize = 8, epochs = 1",
        "@Adam(learningRate = 0.01)\n@ClipGradNorm(maxNorm = 1.0)\n@WeightDecay(0.01)"));
    sources.put("opt.BnPlain", config("BnPlain", "BnNet", "batchSize = 8, epochs = 1",
        "@Sgd(learningRate = 0.1, momentum = 0.9)"));
    sources.put("opt.BnSkip", config("BnSkip", "BnNet",
        "batchSize = 8, epochs = 2, accumulationSteps = 2",
        "@Adam(learningRate = 0.01)\n"
            + "@ClipGradNorm(maxNorm = 1.0, onNonFinite = NonFinitePolicy.SKIP_STEP)"));
    sources.put("opt.BnPropagate", config("BnPropagate", "BnNet",
        "batchSize = 8, epochs = 1, onNonFinite = NonFinitePolicy.PROPAGATE",
        "@Sgd(learningRate = 0.1)"));
    sources.put("opt.FrozenNet", model("FrozenNet", 4, """
          @Dense(6) @Activation(TANH) Layer first;
          @Dense(5) @BatchNorm @Activation(RELU) @Frozen Layer middle;
          @Dense(3) Layer logits;
        """));
    sources.put("opt.FrozenTraining", config("FrozenTraining", "FrozenNet",
        "batchSize = 8, epochs = 1",
        "@Adam(learningRate = 0.05)\n@L1(0.01)\n@L2(value = 0.1, applyTo = ApplyTo.ALL)\n"
            + "@WeightDecay(value = 0.1, applyTo = ApplyTo.ALL)\n"
            + "@ClipGradNorm(maxNorm = 0.5, scope = ClipScope.PER_LAYER)"));
    sources.put("opt.FrozenFirst", model("FrozenFirst", 4, """
          @Dense(6) @BatchNorm @Activation(RELU) @Frozen Layer first;
          @Dense(3) Layer logits;
        """));
    sources.put("opt.FrozenFirstTraining", config("FrozenFirstTraining", "FrozenFirst",
        "batchSize = 8, epochs = 1", "@Sgd(learningRate = 0.1, momentum = 0.9)\n@L2(0.1)"));
    sources.put("opt.OverA", model("OverA", 4, """
          @Dense(6) @Activation(TANH) @L2(0) @WeightDecay(value = 0.3, applyTo = ApplyTo.ALL)
          Layer hidden;
          @Dense(3) Layer logits;
        """));
    sources.put("opt.OverATraining", config("OverATraining", "OverA", "batchSize = 8, epochs = 1",
        "@Sgd(learningRate = 0.1, momentum = 0.9)\n@L2(0.2)\n@WeightDecay(0.05)"));
    sources.put("opt.OverB", model("OverB", 4, """
          @Dense(6) @Activation(TANH) @WeightDecay(value = 0.3, applyTo = ApplyTo.ALL)
          Layer hidden;
          @Dense(3) @L2(0.2) @WeightDecay(0.05) Layer logits;
        """));
    sources.put("opt.OverBTraining", config("OverBTraining", "OverB", "batchSize = 8, epochs = 1",
        "@Sgd(learningRate = 0.1, momentum = 0.9)"));
    sources.put("opt.Plain", model("Plain", 4, """
          @Dense(6) @Activation(TANH) Layer hidden;
          @Dense(3) Layer logits;
        """));
    sources.put("opt.PlainTraining", config("PlainTraining", "Plain", "batchSize = 8, epochs = 1",
        "@Sgd(learningRate = 0.1, momentum = 0.9)"));
    sources.put("opt.Mlp", model("Mlp", 5, """
          @Dense(7) @Activation(TANH) Layer hidden;
          @Dense(3) Layer logits;
        """));
    String common = "@Sgd(learningRate = 0.2, momentum = 0.9)\n@ClipGradNorm(maxNorm = 0.3)\n"
        + "@L2(0.01)\n@WeightDecay(0.02)\n@CosineDecay(steps = 3, minimum = 0.01)";
    sources.put("opt.Accumulated", config("Accumulated", "Mlp",
        "batchSize = 8, epochs = 1, accumulationSteps = 4", common));
    sources.put("opt.Whole", config("Whole", "Mlp", "batchSize = 32, epochs = 1", common));
    compiled = Compiled.compile(sources);
  }

  private static Object network(String model, long seed) throws Exception {
    return compiled.load("opt." + model + "Network").getMethod("initialize", long.class)
        .invoke(null, seed);
  }

  private static Trainer trainer(String config, Object network) throws Exception {
    return (Trainer) compiled.load("opt." + config + "Trainer")
        .getConstructor(network.getClass()).newInstance(network);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, INDArray> parameters(Object network) throws Exception {
    return (Map<String, INDArray>) network.getClass().getMethod("parameters").invoke(network);
  }

  /** Every parameter and running statistic, copied. */
  private static Map<String, float[]> snapshot(Object network) throws Exception {
    Map<String, float[]> copy = new LinkedHashMap<>();
    parameters(network).forEach((k, v) -> copy.put(k, v.data().asFloat().clone()));
    return copy;
  }

  private static void assertBitwiseEqual(String what, Map<String, float[]> a,
      Map<String, float[]> b) {
    assertThat(a.keySet()).isEqualTo(b.keySet());
    for (String name : a.keySet()) {
      assertWithMessage("%s: %s", what, name).that(a.get(name)).isEqualTo(b.get(name));
    }
  }

  /** A random batch {@code [rows, inputs]} with one-hot labels of 3 classes. */
  private static INDArray[] batch(Random random, int rows, int inputs) {
    float[] x = new float[rows * inputs];
    float[] y = new float[rows * 3];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) random.nextGaussian();
    }
    for (int r = 0; r < rows; r++) {
      y[r * 3 + random.nextInt(3)] = 1f;
    }
    return new INDArray[] {Nd4j.create(x, new long[] {rows, inputs}, 'c'),
        Nd4j.create(y, new long[] {rows, 3}, 'c')};
  }

  /**
   * Feature values (finite, as steps require) whose dot product with the column of {@code
   * hidden.weight} of largest L1 norm overflows float32: {@code ±Float.MAX_VALUE} with that
   * column's signs. The layer's pre-activation becomes infinite, batch normalisation turns it into
   * NaN, and every gradient follows.
   */
  private static float[] overflowingRow(Object network) throws Exception {
    INDArray w = parameters(network).get("hidden.weight");
    int in = (int) w.size(0);
    int out = (int) w.size(1);
    float[] v = w.data().asFloat();
    int best = 0;
    double bestSum = 0;
    for (int j = 0; j < out; j++) {
      double sum = 0;
      for (int i = 0; i < in; i++) {
        sum += Math.abs(v[i * out + j]);
      }
      if (sum > bestSum) {
        bestSum = sum;
        best = j;
      }
    }
    assertWithMessage("the row must overflow").that(bestSum).isGreaterThan(1.01);
    float[] row = new float[in];
    for (int i = 0; i < in; i++) {
      row[i] = Math.copySign(Float.MAX_VALUE, v[i * out + best]);
    }
    return row;
  }

  private static INDArray[] overflowing(INDArray[] good, Object network) throws Exception {
    INDArray x = good[0].dup('c');
    float[] row = overflowingRow(network);
    for (int i = 0; i < row.length; i++) {
      x.putScalar(1, i, row[i]);
    }
    return new INDArray[] {x, good[1]};
  }

  private static float step(Trainer t, INDArray[] batch) {
    return t.step(batch[0], batch[1]);
  }

  @Test
  void errorPolicyThrowsAndChangesNothing() throws Exception {
    for (String config : new String[] {"BnError", "BnPlain"}) { // BnPlain: no clipping annotation
      Object net = network("BnNet", 5);
      Object twin = network("BnNet", 5);
      Trainer t = trainer(config, net);
      Trainer reference = trainer(config, twin);
      Random random = new Random(1);
      INDArray[] a = batch(random, 8, 4);
      INDArray[] b = batch(random, 8, 4);
      INDArray[] c = batch(random, 8, 4);
      step(t, a);
      step(t, b);
      step(reference, a);
      step(reference, b);
      Map<String, float[]> before = snapshot(net);
      INDArray[] bad = overflowing(c, net);
      NonFiniteGradientException e =
          assertThrows(NonFiniteGradientException.class, () -> step(t, bad));
      assertThat(e.step()).isEqualTo(2);
      assertThat(e.layer()).isEqualTo("hidden");
      assertThat(e.parameter()).isEqualTo("hidden.weight");
      assertThat(e).hasMessageThat().contains("step 2: layer hidden, parameter hidden.weight");
      assertThat(t.iteration()).isEqualTo(2);
      assertBitwiseEqual(config + " after the rejected step", snapshot(net), before);
      step(t, c);
      step(reference, c);
      assertBitwiseEqual(config + " next step as if the bad batch never came", snapshot(net),
          snapshot(twin));
      assertThat(t.iteration()).isEqualTo(3);
    }
  }

  @Test
  void skipPolicyCountsAndKeepsAccumulatedGradients() throws Exception {
    Object net = network("BnNet", 6);
    Object twin = network("BnNet", 6);
    Trainer t = trainer("BnSkip", net);
    Trainer reference = trainer("BnSkip", twin);
    assertThat(t.accumulationSteps()).isEqualTo(2);
    Random random = new Random(2);
    List<INDArray[]> good = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      good.add(batch(random, 8, 4));
    }
    step(t, good.get(0));
    step(t, good.get(1));
    step(t, good.get(2)); // one batch accumulated
    Map<String, float[]> before = snapshot(net);
    float loss = step(t, overflowing(good.get(3), net));
    assertThat(Float.isNaN(loss)).isTrue();
    assertThat(t.skippedSteps()).isEqualTo(1);
    assertThat(Double.isNaN(t.lastGradientNorm())).isTrue();
    assertThat(t.iteration()).isEqualTo(1);
    assertBitwiseEqual("after the skipped batch", snapshot(net), before);
    step(t, good.get(3));
    for (INDArray[] g : good) {
      step(reference, g);
    }
    assertThat(t.iteration()).isEqualTo(2);
    assertThat(reference.iteration()).isEqualTo(2);
    assertBitwiseEqual("skipped batch dropped from the accumulation", snapshot(net),
        snapshot(twin));
  }

  @Test
  void fitTellsListenersOfSkippedSteps() throws Exception {
    Object net = network("BnNet", 7);
    Trainer t = trainer("BnSkip", net);
    Random random = new Random(3);
    float[] x = new float[32 * 4];
    int[] labels = new int[32];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) random.nextGaussian();
    }
    for (int r = 0; r < 32; r++) {
      labels[r] = random.nextInt(3);
    }
    System.arraycopy(overflowingRow(net), 0, x, 13 * 4, 4);
    Dataset data = Dataset.ofClassIndices(x, 4, labels, 3, "one overflowing row");
    List<Long> skipped = new ArrayList<>();
    int[] steps = new int[1];
    TrainingListener listener = new TrainingListener() {
      @Override
      public void onSkippedStep(Trainer trainer, long iteration, int epoch, long skippedSteps) {
        skipped.add(skippedSteps);
      }

      @Override
      public void onStep(Trainer trainer, long iteration, int epoch, float loss) {
        steps[0]++;
        assertThat(Float.isFinite(loss)).isTrue();
      }
    };
    Training.fit(t, LossKind.SOFTMAX_CROSS_ENTROPY, 0, data, null, listener);
    assertThat(skipped).containsExactly(1L, 2L).inOrder(); // one batch per epoch, 2 epochs
    assertThat(t.skippedSteps()).isEqualTo(2);
    assertThat(steps[0]).isEqualTo(2 * 4 - 2);
    assertThat(t.iteration()).isEqualTo(3); // 6 good batches, 2 per step
    for (float[] v : snapshot(net).values()) {
      for (float f : v) {
        assertThat(Float.isFinite(f)).isTrue();
      }
    }
  }

  @Test
  void propagatePolicyLetsNaNThroughAsPyTorch() throws Exception {
    Object net = network("BnNet", 8);
    Trainer t = trainer("BnPropagate", net);
    Random random = new Random(4);
    step(t, batch(random, 8, 4));
    step(t, overflowing(batch(random, 8, 4), net));
    assertThat(t.iteration()).isEqualTo(2);
    assertThat(Double.isNaN(t.lastGradientNorm())).isTrue();
    float[] w = parameters(net).get("hidden.weight").data().asFloat();
    assertThat(Float.isNaN(w[0])).isTrue();
    float[] mean = parameters(net).get("hidden.runningMean").data().asFloat();
    boolean anyNonFinite = false;
    for (float m : mean) {
      anyNonFinite |= !Float.isFinite(m);
    }
    assertWithMessage("running mean took the infinite batch mean").that(anyNonFinite).isTrue();
  }

  @Test
  void frozenLayerStaysBitwiseUnchanged() throws Exception {
    Object net = network("FrozenNet", 9);
    Map<String, float[]> before = snapshot(net);
    Trainer t = trainer("FrozenTraining", net);
    Random random = new Random(5);
    for (int s = 0; s < 5; s++) {
      step(t, batch(random, 8, 4));
    }
    Map<String, float[]> after = snapshot(net);
    for (String name : before.keySet()) {
      boolean frozen = name.startsWith("middle.") && !name.startsWith("middle.running");
      if (frozen) {
        assertWithMessage("%s frozen", name).that(after.get(name)).isEqualTo(before.get(name));
      } else {
        assertWithMessage("%s trains (batch-norm statistics keep updating)", name)
            .that(after.get(name)).isNotEqualTo(before.get(name));
      }
    }
  }

  /** A frozen first layer: unchanged, and the trainer computes no gradients for it at all. */
  @Test
  void frozenPrefixGetsNoBackwardPass() throws Exception {
    Object net = network("FrozenFirst", 4);
    Map<String, float[]> before = snapshot(net);
    Trainer t = trainer("FrozenFirstTraining", net);
    Random random = new Random(8);
    for (int s = 0; s < 3; s++) {
      step(t, batch(random, 8, 4));
    }
    Map<String, float[]> after = snapshot(net);
    for (String name : new String[] {"first.weight", "first.bias", "first.gamma", "first.beta"}) {
      assertWithMessage(name).that(after.get(name)).isEqualTo(before.get(name));
    }
    assertThat(after.get("logits.weight")).isNotEqualTo(before.get("logits.weight"));
    String source = compiled.source("opt.FrozenFirstTrainingTrainer");
    assertThat(source).doesNotContain("firstBackward");
    assertThat(source).contains("logitsBackward(n);");
  }

  @Test
  void layerOverridesEqualTheSameCoefficientsOnTheConfiguration() throws Exception {
    Object a = network("OverA", 10);
    Object b = network("OverB", 10);
    Object plain = network("Plain", 10);
    assertBitwiseEqual("same initialisation", snapshot(a), snapshot(b));
    Trainer ta = trainer("OverATraining", a);
    Trainer tb = trainer("OverBTraining", b);
    Trainer tp = trainer("PlainTraining", plain);
    Random random = new Random(6);
    for (int s = 0; s < 4; s++) {
      INDArray[] batch = batch(random, 8, 4);
      step(ta, batch);
      step(tb, batch);
      step(tp, batch);
    }
    assertBitwiseEqual("overrides", snapshot(a), snapshot(b));
    assertThat(snapshot(a).get("hidden.bias")).isNotEqualTo(snapshot(plain).get("hidden.bias"));
  }

  @Test
  void accumulatingKBatchesEqualsOneBatchOfKTimesTheRows() throws Exception {
    Object small = network("Mlp", 12);
    Object large = network("Mlp", 12);
    Trainer accumulated = trainer("Accumulated", small);
    Trainer whole = trainer("Whole", large);
    Random random = new Random(7);
    for (int s = 0; s < 3; s++) {
      INDArray[] batch = batch(random, 32, 5);
      assertThat(accumulated.learningRate()).isEqualTo(whole.learningRate());
      for (int k = 0; k < 4; k++) {
        assertThat(accumulated.iteration()).isEqualTo(s);
        INDArray x = batch[0].get(NDArrayIndex.interval(8 * k, 8 * k + 8), NDArrayIndex.all())
            .dup('c');
        INDArray y = batch[1].get(NDArrayIndex.interval(8 * k, 8 * k + 8), NDArrayIndex.all())
            .dup('c');
        accumulated.step(x, y);
      }
      step(whole, batch);
      assertThat(accumulated.iteration()).isEqualTo(s + 1);
      Golden.assertAllClose("gradient norm, step " + s,
          new double[] {accumulated.lastGradientNorm()}, new double[] {whole.lastGradientNorm()},
          1e-5, 1e-7);
      Map<String, float[]> expected = snapshot(large);
      Map<String, float[]> actual = snapshot(small);
      for (String name : expected.keySet()) {
        double[] e = new double[expected.get(name).length];
        for (int i = 0; i < e.length; i++) {
          e[i] = expected.get(name)[i];
        }
        Golden.assertAllClose(name + " after step " + s, actual.get(name), e, 1e-5, 1e-6);
      }
    }
  }
}
