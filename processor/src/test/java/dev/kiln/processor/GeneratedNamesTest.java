package dev.kiln.processor;

import static com.google.common.truth.Truth.assertThat;

import dev.kiln.runtime.train.Trainer;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Generated code compiles (clean under {@code -Xlint:all -Werror}) whatever the user's packages
 * hold: a configuration in another package than its model (issue 19, item 1), and user types named
 * like the {@code java.lang}, {@code java.util} and runtime types generated code names (item 4).
 */
class GeneratedNamesTest {
  private static String model(String pkg) {
    return """
        package %s;
        import static dev.kiln.dsl.ActivationFunction.*;
        import dev.kiln.dsl.*;
        @Model(inputs = 4)
        public abstract class Net {
          @Dense(6) @BatchNorm @Activation(RELU) @Dropout(0.2) Layer hidden;
          @Dense(3) Layer logits;
        }
        """.formatted(pkg);
  }

  private static String config(String pkg, String modelRef, String name) {
    return """
        package %s;
        import dev.kiln.dsl.*;
        @TrainingConfig(model = %s.class, loss = Loss.SOFTMAX_CROSS_ENTROPY, batchSize = 4,
            epochs = 1)
        @Adam(learningRate = 0.01)
        @CosineDecay(minimum = 1e-4)
        @ClipGradNorm(maxNorm = 1.0, normType = java.lang.Double.POSITIVE_INFINITY)
        @L2(1e-4)
        public interface %s {}
        """.formatted(pkg, modelRef, name);
  }

  private static void step(Compiled c, String network, String trainer) throws Exception {
    Object net = c.load(network).getMethod("initialize", long.class).invoke(null, 1L);
    Trainer t = (Trainer) c.load(trainer).getConstructor(net.getClass()).newInstance(net);
    t.planRun(10, 10);
    INDArray x = Nd4j.rand(DataType.FLOAT, 4, 4);
    INDArray y = Nd4j.zeros(DataType.FLOAT, 4, 3);
    for (int r = 0; r < 4; r++) {
      y.putScalar(r, r % 3, 1f);
    }
    assertThat((double) t.step(x, y)).isGreaterThan(0.0);
    assertThat(t.iteration()).isEqualTo(1);
  }

  @Test
  void configInAnotherPackageThanItsModel() throws Exception {
    Compiled c = Compiled.compile(Map.of("app.model.Net", model("app.model"),
        "app.training.Run", config("app.training", "app.model.Net", "Run")));
    step(c, "app.model.NetNetwork", "app.training.RunTrainer");
  }

  @Test
  void userTypesNamedLikeJavaTypes() throws Exception {
    Map<String, String> sources = new LinkedHashMap<>();
    sources.put("clash.Net", model("clash"));
    sources.put("clash.Run", config("clash", "Net", "Run"));
    for (String name : new String[] {"System", "Double", "Math", "Objects", "Arrays", "List",
        "Map", "Integer", "Float", "String", "Override", "IllegalArgumentException",
        "Tensor", "BatchNormKernel", "Activations", "Losses", "Dataset", "AbstractTrainer",
        "Fingerprint"}) {
      sources.put("clash." + name, "package clash; public final class " + name + " {}\n");
    }
    Compiled c = Compiled.compile(sources);
    step(c, "clash.NetNetwork", "clash.RunTrainer");
  }

  @Test
  void configsNamedLikeRuntimeTypes() throws Exception {
    for (String name : new String[] {"Training", "Trainer", "Tensor", "Fingerprint"}) {
      String pkg = "named" + name.toLowerCase(java.util.Locale.ROOT);
      Compiled c = Compiled.compile(Map.of(pkg + ".Net", model(pkg),
          pkg + "." + name, config(pkg, "Net", name)));
      step(c, pkg + ".NetNetwork", pkg + "." + name + "Trainer");
    }
  }
}
