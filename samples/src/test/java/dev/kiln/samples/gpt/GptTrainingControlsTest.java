package dev.kiln.samples.gpt;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;

import dev.kiln.runtime.data.CharCorpus;
import dev.kiln.runtime.tensor.SplitMix64;
import dev.kiln.runtime.tensor.Tensor;
import dev.kiln.runtime.train.Trainer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Training controls of issue 17 item 7 through generated GPT trainers: {@code @Frozen} on a
 * block's layer, gradient accumulation, per-layer clipping, and checkpoint save / restore with an
 * exact resume.
 */
class GptTrainingControlsTest {
  private static final int T = TinyGpt.CONTEXT;

  @TempDir Path dir;

  /** Draws {@code n} training windows into a trainer's buffers and steps. */
  private static float step(Trainer trainer, CharCorpus corpus, SplitMix64 random, int n) {
    corpus.train().batch(random, n, T, trainer.featureBuffer(), trainer.labelBuffer());
    return trainer.stepBuffered(n);
  }

  private static Map<String, float[]> copy(Map<String, INDArray> parameters) {
    Map<String, float[]> out = new LinkedHashMap<>();
    parameters.forEach((k, v) -> out.put(k, v.dup().data().asFloat()));
    return out;
  }

  @Test
  void frozenLayerInABlockStaysBitwiseUnchangedWhileTheOthersTrain() {
    CharCorpus corpus = Corpora.corpus();
    Configs_FrozenTrainingTrainer trainer =
        new Configs_FrozenTrainingTrainer(FrozenGptNetwork.initialize(5));
    Map<String, float[]> before = copy(trainer.parameters());
    SplitMix64 random = new SplitMix64(1);
    for (int i = 0; i < 5; i++) {
      step(trainer, corpus, random, 8);
    }
    Map<String, float[]> after = copy(trainer.parameters());
    int frozen = 0;
    for (String name : before.keySet()) {
      boolean isFrozen = name.matches("blocks\\.\\d\\.mlp\\.up\\.(weight|bias)");
      if (isFrozen) {
        frozen++;
        assertWithMessage(name).that(after.get(name)).isEqualTo(before.get(name));
      } else {
        assertWithMessage(name).that(after.get(name)).isNotEqualTo(before.get(name));
      }
    }
    assertThat(frozen).isEqualTo(4); // weight and bias of both blocks
  }

  @Test
  void twoAccumulatedMicroBatchesMatchOneBatchOfTwiceTheSize() {
    CharCorpus corpus = Corpora.corpus();
    Configs_WholeBatchTrainingTrainer whole =
        new Configs_WholeBatchTrainingTrainer(TinyGptNetwork.initialize(3));
    Configs_AccumulatedTrainingTrainer accumulated =
        new Configs_AccumulatedTrainingTrainer(TinyGptNetwork.initialize(3));
    SplitMix64 random = new SplitMix64(2);
    int[] ids = new int[8 * T];
    int[] targets = new int[8 * T];
    for (int s = 0; s < 3; s++) {
      corpus.train().batch(random, 8, T, ids, targets);
      fill(whole.featureBuffer(), ids, 0, 8 * T);
      fill(whole.labelBuffer(), targets, 0, 8 * T);
      float wholeLoss = whole.stepBuffered(8);
      float sum = 0;
      for (int half = 0; half < 2; half++) {
        fill(accumulated.featureBuffer(), ids, half * 4 * T, 4 * T);
        fill(accumulated.labelBuffer(), targets, half * 4 * T, 4 * T);
        sum += accumulated.stepBuffered(4);
      }
      assertThat((double) sum / 2).isWithin(1e-5).of(wholeLoss);
      assertThat(accumulated.iteration()).isEqualTo(whole.iteration());
    }
    Map<String, float[]> a = copy(whole.parameters());
    Map<String, float[]> b = copy(accumulated.parameters());
    for (String name : a.keySet()) {
      float[] x = a.get(name);
      float[] y = b.get(name);
      for (int i = 0; i < x.length; i++) {
        assertWithMessage("%s[%s]", name, i).that((double) y[i]).isWithin(2e-5).of(x[i]);
      }
    }
  }

  private static void fill(Tensor to, int[] from, int offset, int count) {
    for (int i = 0; i < count; i++) {
      to.set(i, from[offset + i]);
    }
  }

  @Test
  void perLayerClippingBoundsEachLayersUpdateOnItsOwn() {
    CharCorpus corpus = Corpora.corpus();
    Configs_PerLayerClipTrainingTrainer trainer =
        new Configs_PerLayerClipTrainingTrainer(TinyGptNetwork.initialize(4));
    Map<String, float[]> before = copy(trainer.parameters());
    step(trainer, corpus, new SplitMix64(3), 8);
    Map<String, float[]> after = copy(trainer.parameters());
    // SGD at rate 1 without momentum: each layer's update is its clipped gradient
    Map<String, Double> squares = new LinkedHashMap<>();
    for (String name : before.keySet()) {
      float[] x = before.get(name);
      float[] y = after.get(name);
      double sum = 0;
      for (int i = 0; i < x.length; i++) {
        double d = (double) y[i] - x[i];
        sum += d * d;
      }
      squares.merge(layer(name), sum, Double::sum);
    }
    assertThat(squares.keySet()).containsAtLeast("embed", "blocks.0.attention.norm",
        "blocks.0.attention.attention", "blocks.1.mlp.up", "norm", "head");
    double total = 0;
    for (Map.Entry<String, Double> e : squares.entrySet()) {
      // every layer's gradient is far above 1e-3 here, so every layer is cut to norm 1e-3
      assertWithMessage(e.getKey()).that(Math.sqrt(e.getValue())).isWithin(2e-5).of(1e-3);
      total += e.getValue();
    }
    // a global clip would have cut the whole update to 1e-3
    assertThat(Math.sqrt(total)).isGreaterThan(3e-3);
    assertThat(trainer.lastGradientNorm()).isGreaterThan(1e-2);
  }

  /** The layer ({@code Layer} field) of a parameter: its name less the tensor's own part. */
  private static String layer(String parameter) {
    return parameter.replaceFirst("(\\.(query|key|value|output))?\\.(weight|bias|gamma|beta|"
        + "positions)$", "");
  }

  @Test
  void checkpointRestoreResumesWithTheSameLosses() throws Exception {
    CharCorpus corpus = Corpora.corpus();
    Configs_TinyGptTrainingTrainer straight =
        new Configs_TinyGptTrainingTrainer(TinyGptNetwork.initialize(6));
    straight.planRun(10, 10);
    SplitMix64 random = new SplitMix64(4);
    float[] expected = new float[10];
    for (int i = 0; i < 10; i++) {
      expected[i] = step(straight, corpus, random, 8);
    }

    Configs_TinyGptTrainingTrainer first =
        new Configs_TinyGptTrainingTrainer(TinyGptNetwork.initialize(6));
    first.planRun(10, 10);
    random = new SplitMix64(4);
    for (int i = 0; i < 4; i++) {
      assertThat(step(first, corpus, random, 8)).isEqualTo(expected[i]);
    }
    Path file = dir.resolve("gpt.kiln");
    first.save(file);
    for (int i = 4; i < 6; i++) {
      step(first, corpus, random, 8); // work after the checkpoint, lost in the "crash"
    }

    // another initialisation, restored: the checkpoint replaces all of it
    Configs_TinyGptTrainingTrainer resumed =
        new Configs_TinyGptTrainingTrainer(TinyGptNetwork.initialize(99));
    resumed.planRun(10, 10);
    resumed.restore(file);
    assertThat(resumed.iteration()).isEqualTo(4);
    random = new SplitMix64(4);
    int[] skip = new int[8 * T];
    for (int i = 0; i < 4; i++) {
      corpus.train().batch(random, 8, T, skip, skip.clone());
    }
    for (int i = 4; i < 10; i++) {
      assertWithMessage("step %s", i + 1).that(step(resumed, corpus, random, 8))
          .isEqualTo(expected[i]);
    }
    assertThat(copy(resumed.parameters()).get("head.weight"))
        .isEqualTo(copy(straight.parameters()).get("head.weight"));
  }
}
