package dev.kiln.processor;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.runtime.optim.NonFiniteUpdateException;
import dev.kiln.runtime.train.Trainer;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Issue 18, item 5: a step whose update would write a non-finite parameter or optimizer buffer
 * (finite gradients, a learning rate beyond float range) is refused under the configured policy before
 * anything is written, naming the step and the layer: ERROR throws, SKIP_STEP skips and counts,
 * PROPAGATE writes it (as PyTorch).
 */
class NonFiniteUpdateTest {
  private static Compiled compiled;

  private static String config(String name, String optimizer, String policy) {
    return """
        package nf;
        import dev.kiln.dsl.*;
        @TrainingConfig(model = Net.class, loss = Loss.SOFTMAX_CROSS_ENTROPY, batchSize = 8,
            epochs = 1, onNonFinite = NonFinitePolicy.%s)
        %s
        public interface %s {}
        """.formatted(policy, optimizer, name);
  }

  @BeforeAll
  static void compile() {
    Map<String, String> sources = new LinkedHashMap<>();
    sources.put("nf.Net", """
        package nf;
        import static dev.kiln.dsl.ActivationFunction.RELU;
        import dev.kiln.dsl.*;
        @Model(inputs = 6)
        public abstract class Net {
          @Dense(5) @BatchNorm @Activation(RELU) Layer hidden;
          @Dense(3) Layer logits;
        }
        """);
    sources.put("nf.SgdError", config("SgdError", "@Sgd(learningRate = 1e39, momentum = 0.9)",
        "ERROR"));
    sources.put("nf.SgdSkip", config("SgdSkip", "@Sgd(learningRate = 1e39)", "SKIP_STEP"));
    sources.put("nf.AdamError", config("AdamError", "@Adam(learningRate = 1e39)", "ERROR"));
    sources.put("nf.RmsError", config("RmsError", "@RmsProp(learningRate = 1e39)", "ERROR"));
    sources.put("nf.SgdPropagate", config("SgdPropagate", "@Sgd(learningRate = 1e39)",
        "PROPAGATE"));
    sources.put("nf.SgdFine", config("SgdFine", "@Sgd(learningRate = 0.1, momentum = 0.9)",
        "ERROR"));
    compiled = Compiled.compile(sources);
  }

  private static Object network() throws Exception {
    return compiled.load("nf.NetNetwork").getMethod("initialize", long.class).invoke(null, 1L);
  }

  private static Trainer trainer(String config, Object network) throws Exception {
    return (Trainer) compiled.load("nf." + config + "Trainer").getConstructor(network.getClass())
        .newInstance(network);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, float[]> snapshot(Object network) throws Exception {
    Map<String, INDArray> params = (Map<String, INDArray>) network.getClass()
        .getMethod("parameters").invoke(network);
    Map<String, float[]> copy = new LinkedHashMap<>();
    params.forEach((k, v) -> copy.put(k, v.data().asFloat().clone()));
    return copy;
  }

  private static INDArray features() {
    Nd4j.getRandom().setSeed(5);
    return Nd4j.rand(DataType.FLOAT, 8, 6).muli(100);
  }

  private static INDArray labels() {
    INDArray y = Nd4j.zeros(DataType.FLOAT, 8, 3);
    for (int r = 0; r < 8; r++) {
      y.putScalar(r, r % 3, 1f);
    }
    return y;
  }

  @Test
  void errorPolicyRefusesTheUpdateBeforeWritingNamingStepAndLayer() throws Exception {
    for (String config : new String[] {"SgdError", "AdamError", "RmsError"}) {
      Object network = network();
      Trainer t = trainer(config, network);
      Map<String, float[]> before = snapshot(network);
      NonFiniteUpdateException e = assertThrows(NonFiniteUpdateException.class,
          () -> t.step(features(), labels()), config);
      assertThat(e.step()).isEqualTo(0);
      assertThat(e).hasMessageThat().contains("non-finite update in step 0: layer ");
      assertThat(e.layer()).isAnyOf("hidden", "logits");
      assertThat(t.iteration()).isEqualTo(0);
      Map<String, float[]> after = snapshot(network);
      for (String k : before.keySet()) {
        assertThat(after.get(k)).isEqualTo(before.get(k)); // running statistics included
      }
      for (INDArray buffer : t.trainingState().arrays().values().stream()
          .map(x -> x.array()).toList()) {
        assertThat(buffer.isInfinite().any() || buffer.isNaN().any()).isFalse();
      }
    }
  }

  @Test
  void skipPolicySkipsAndCountsPropagateWrites() throws Exception {
    Object network = network();
    Trainer t = trainer("SgdSkip", network);
    Map<String, float[]> before = snapshot(network);
    t.step(features(), labels());
    assertThat(t.skippedSteps()).isEqualTo(1);
    assertThat(t.iteration()).isEqualTo(0);
    Map<String, float[]> after = snapshot(network);
    for (String k : before.keySet()) {
      assertThat(after.get(k)).isEqualTo(before.get(k));
    }

    Object propagated = network();
    Trainer p = trainer("SgdPropagate", propagated);
    p.step(features(), labels());
    boolean nonFinite = snapshot(propagated).values().stream().anyMatch(v -> {
      for (float x : v) {
        if (!Float.isFinite(x)) {
          return true;
        }
      }
      return false;
    });
    assertThat(nonFinite).isTrue();
  }

  @Test
  void ordinaryStepsAreUnchanged() throws Exception {
    Object a = network();
    Object b = network();
    Trainer checked = trainer("SgdFine", a);
    Trainer plain = trainer("SgdError", b); // same network; compare against a manual update
    for (int i = 0; i < 5; i++) {
      checked.step(features(), labels());
    }
    assertThat(checked.iteration()).isEqualTo(5);
    assertThat(plain.iteration()).isEqualTo(0);
  }
}
