package dev.kiln.processor;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;

import dev.kiln.runtime.pruning.Pruning;
import dev.kiln.runtime.tensor.Tensor;
import dev.kiln.runtime.train.Trainer;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Issue 17, item 7: a small GPT distilled from a bigger one (per-position logits at a temperature,
 * averaged over the {@code n·t} positions as the sequence loss; the loss with {@code alpha} mixing
 * matches a hand computation from both networks' {@code predict}), and a pruned GPT (dense and
 * attention-projection weights, unstructured) reaching its scheduled sparsity.
 */
class GptPruningDistillationTest {
  private static final int V = 11;
  private static final int CONTEXT = 8;
  private static final int BATCH = 4;
  private static final double TEMPERATURE = 2.0;
  private static final double ALPHA = 0.6;
  private static final double LR = 0.05;

  private static Compiled compiled;

  private static String gpt(String name, int width, int blocks) {
    return """
        package tokens;
        import static dev.kiln.dsl.ActivationFunction.*;
        import dev.kiln.dsl.*;
        @Model(vocabulary = 11, context = 8)
        public abstract class %s {
          @Embedding(%d) @PositionEmbedding Layer embed;
          @Repeat(%d) %sDecoder blocks;
          @LayerNorm Layer norm;
          @Dense(value = 11, bias = false) Layer head;
        }
        @Block abstract class %sAttention {
          @LayerNorm Layer norm;
          @SelfAttention(heads = 2) Layer attention;
        }
        @Block abstract class %sFeedForward {
          @LayerNorm Layer norm;
          @Dense(%d) @Activation(GELU) Layer up;
          @Dense(%d) Layer down;
        }
        @Block abstract class %sDecoder {
          @Residual %sAttention attention;
          @Residual %sFeedForward mlp;
        }
        """.formatted(name, width, blocks, name, name, name, 2 * width, width, name, name, name);
  }

  private static String config(String name, String model, String annotations) {
    return "package tokens;\nimport dev.kiln.dsl.*;\n@TrainingConfig(model = " + model
        + ".class, loss = Loss.SOFTMAX_CROSS_ENTROPY, batchSize = " + BATCH
        + ", epochs = 1, seed = 4)\n" + annotations + "\npublic interface " + name + " {}\n";
  }

  @BeforeAll
  static void compile() {
    compiled = Compiled.compile(Map.of(
        "tokens.BigGpt", gpt("BigGpt", 24, 2),
        "tokens.SmallGpt", gpt("SmallGpt", 8, 1),
        "tokens.Distilled", config("Distilled", "SmallGpt", "@Sgd(learningRate = " + LR
            + ")\n@Distill(teacher = BigGpt.class, temperature = " + TEMPERATURE + ", alpha = "
            + ALPHA + ")"),
        "tokens.Pruned", config("Pruned", "BigGpt", "@AdamW(learningRate = 0.01)\n"
            + "@Prune(finalSparsity = 0.5, initialSparsity = 0.1, beginStep = 2, endStep = 10,"
            + " frequency = 2)"),
        "tokens.PrunedPerLayer", config("PrunedPerLayer", "SmallGpt",
            "@Adam(learningRate = 0.01)\n@Prune(finalSparsity = 0.75, beginStep = 0, endStep"
                + " = 4, frequency = 1, scope = PruneScope.PER_LAYER)")));
  }

  private static Object network(String model, long seed) throws Exception {
    return compiled.load("tokens." + model + "Network").getMethod("initialize", long.class)
        .invoke(null, seed);
  }

  private static Trainer trainer(String config, Object... networks) throws Exception {
    Class<?>[] types = new Class<?>[networks.length];
    for (int i = 0; i < networks.length; i++) {
      types[i] = networks[i].getClass();
    }
    return (Trainer) compiled.load("tokens." + config + "Trainer").getConstructor(types)
        .newInstance(networks);
  }

  private static INDArray predict(Object network, INDArray tokens) throws Exception {
    return (INDArray) network.getClass().getMethod("predict", INDArray.class)
        .invoke(network, tokens);
  }

  /** Ids {@code [n, t + 1]}: tokens are the first t columns, targets the last t. */
  private static INDArray[] batch(int seed, int n, int t) {
    int[] ids = new int[n * (t + 1)];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = (i * 7 + seed * 3 + i / 5) % V;
    }
    INDArray all = Nd4j.createFromArray(ids).reshape(n, t + 1);
    return new INDArray[] {
        all.get(NDArrayIndex.all(), NDArrayIndex.interval(0, t)).dup('c'),
        all.get(NDArrayIndex.all(), NDArrayIndex.interval(1, t + 1)).dup('c')};
  }

  /**
   * The loss by hand, in double, from the logits {@code [n, t, V]}: per position {@code α·τ²·Σ
   * p·(log p − log q) + (1 − α)·(logsumexp(s) − s[y])}, averaged over the {@code n·t} positions.
   */
  private static double handLoss(INDArray student, INDArray teacher, INDArray targets) {
    int n = (int) student.size(0);
    int t = (int) student.size(1);
    double total = 0;
    for (int b = 0; b < n; b++) {
      for (int i = 0; i < t; i++) {
        double[] s = new double[V];
        double[] z = new double[V];
        for (int j = 0; j < V; j++) {
          s[j] = student.getDouble(b, i, j);
          z[j] = teacher.getDouble(b, i, j);
        }
        double[] logQ = logSoftmax(s, TEMPERATURE);
        double[] logP = logSoftmax(z, TEMPERATURE);
        double kl = 0;
        for (int j = 0; j < V; j++) {
          kl += Math.exp(logP[j]) * (logP[j] - logQ[j]);
        }
        double ce = -logSoftmax(s, 1)[targets.getInt(b, i)];
        total += ALPHA * TEMPERATURE * TEMPERATURE * kl + (1 - ALPHA) * ce;
      }
    }
    return total / (n * t);
  }

  private static double[] logSoftmax(double[] x, double temperature) {
    double max = Double.NEGATIVE_INFINITY;
    for (double v : x) {
      max = Math.max(max, v / temperature);
    }
    double sum = 0;
    for (double v : x) {
      sum += Math.exp(v / temperature - max);
    }
    double log = max + Math.log(sum);
    double[] out = new double[x.length];
    for (int j = 0; j < x.length; j++) {
      out[j] = x[j] / temperature - log;
    }
    return out;
  }

  @Test
  void distilledSmallGptLossMatchesAHandComputation() throws Exception {
    Object teacher = network("BigGpt", 1);
    Object student = network("SmallGpt", 2);
    Trainer trainer = trainer("Distilled", student, teacher);
    // full context, then shorter sequences and a partial batch
    int[][] shapes = {{BATCH, CONTEXT}, {BATCH, 5}, {BATCH - 1, 6}};
    for (int k = 0; k < shapes.length; k++) {
      INDArray[] b = batch(k, shapes[k][0], shapes[k][1]);
      double expected = handLoss(predict(student, b[0]), predict(teacher, b[0]), b[1]);
      float loss = trainer.step(b[0], b[1]);
      assertWithMessage("step %s, shape %s x %s", k, shapes[k][0], shapes[k][1])
          .that((double) loss).isWithin(1e-5 * Math.abs(expected)).of(expected);
    }
    // the teacher never changes; the student does
    assertThat(predict(teacher, batch(0, 2, 4)[0]))
        .isEqualTo(predict(network("BigGpt", 1), batch(0, 2, 4)[0]));
    assertThat(predict(student, batch(0, 2, 4)[0]))
        .isNotEqualTo(predict(network("SmallGpt", 2), batch(0, 2, 4)[0]));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Tensor> masks(Trainer trainer) throws Exception {
    return (Map<String, Tensor>) trainer.getClass().getMethod("masks").invoke(trainer);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Double> sparsity(Trainer trainer) throws Exception {
    return (Map<String, Double>) trainer.getClass().getMethod("sparsity").invoke(trainer);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, INDArray> parameters(Object network) throws Exception {
    return (Map<String, INDArray>) network.getClass().getMethod("parameters").invoke(network);
  }

  @Test
  void prunedGptReachesTheScheduledSparsity() throws Exception {
    Object network = network("BigGpt", 3);
    Trainer trainer = trainer("Pruned", network);
    for (int s = 0; s < 12; s++) {
      INDArray[] b = batch(s, BATCH, s % 2 == 0 ? CONTEXT : 6);
      assertThat(Float.isFinite(trainer.step(b[0], b[1]))).isTrue();
    }
    Map<String, Tensor> masks = masks(trainer);
    assertThat(masks.keySet()).containsAtLeast("blocks.0.attention.attention.query.weight",
        "blocks.0.attention.attention.output.weight", "blocks.1.mlp.up.weight",
        "blocks.1.mlp.down.weight", "head.weight");
    assertThat(masks.keySet()).doesNotContain("embed.weight");
    long total = 0;
    long zeros = 0;
    Map<String, INDArray> params = parameters(network);
    for (Map.Entry<String, Tensor> e : masks.entrySet()) {
      float[] m = e.getValue().toFloatArray();
      float[] w = params.get(e.getKey()).dup().data().asFloat();
      assertThat(w.length).isEqualTo(m.length);
      for (int i = 0; i < m.length; i++) {
        if (m[i] == 0f) {
          zeros++;
          assertWithMessage("%s[%s] pruned", e.getKey(), i).that(w[i]).isEqualTo(0f);
        }
      }
      total += m.length;
    }
    double overall = (double) trainer.getClass().getMethod("overallSparsity").invoke(trainer);
    assertThat(overall).isEqualTo((double) zeros / total);
    assertThat(zeros).isEqualTo(Pruning.count(0.5, (int) total));
  }

  @Test
  void perLayerPruningGivesEveryGptLayerItsTarget() throws Exception {
    Object network = network("SmallGpt", 5);
    Trainer trainer = trainer("PrunedPerLayer", network);
    for (int s = 0; s < 6; s++) {
      INDArray[] b = batch(s, BATCH, CONTEXT);
      trainer.step(b[0], b[1]);
    }
    Map<String, Double> sparsity = sparsity(trainer);
    assertThat(sparsity.keySet()).containsExactly("blocks.0.attention.attention",
        "blocks.0.mlp.up", "blocks.0.mlp.down", "head").inOrder();
    sparsity.forEach((layer, s) -> assertWithMessage(layer).that(s).isEqualTo(0.75));
    assertThat(Tensor.class.isAssignableFrom(masks(trainer).get("head.weight").getClass()))
        .isTrue();
    // token models have no compact(): CompactNetwork holds dense layers on flat features
    assertThat(java.util.Arrays.stream(trainer.getClass().getMethods())
        .noneMatch(m -> m.getName().equals("compact"))).isTrue();
  }
}
