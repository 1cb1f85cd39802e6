package dev.kiln.processor;

import static com.google.common.truth.Truth.assertWithMessage;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The generated layout is part of the product: the source generated for representative models is
 * compared with files under {@code src/test/resources/golden-sources}. After an intended change,
 * review the difference and rerun with {@code -Dkiln.updateGolden=true} to rewrite them.
 */
class GeneratedSourceGoldenTest {
  private static final Map<String, String> REFERENCE = Map.of("golden.FashionMlp", """
      package golden;

      import static dev.kiln.dsl.ActivationFunction.RELU;

      import dev.kiln.dsl.*;

      @Model(inputs = 784)
      public abstract class FashionMlp {
        @Dense(256) @BatchNorm @Activation(RELU) Layer hidden1;
        @Dense(256) @BatchNorm @Activation(RELU) Layer hidden2;
        @Dense(10) Layer logits;
      }
      """, "golden.FashionTraining", """
      package golden;

      import dev.kiln.dsl.*;

      @TrainingConfig(model = FashionMlp.class, loss = Loss.SOFTMAX_CROSS_ENTROPY,
          batchSize = 128, epochs = 10, seed = 42)
      @Sgd(learningRate = 0.1, momentum = 0.9)
      @CosineDecay(minimum = 1e-3)
      @ClipGradNorm(maxNorm = 1.0)
      @L2(1e-4)
      public interface FashionTraining {}
      """);

  private static final Map<String, String> VARIED = Map.of("golden.Tagger", """
      package golden;

      import static dev.kiln.dsl.ActivationFunction.*;

      import dev.kiln.dsl.*;

      @Model(inputs = 20)
      abstract class Tagger {
        @Dense(value = 32, bias = false) @BatchNorm(momentum = 0.01) @Activation(
            value = LEAKY_RELU, negativeSlope = 0.2) @Dropout(0.3) Layer encoder;
        @Activation(GELU) Layer mix;
        @Dense(5) Layer tags;
      }
      """, "golden.TaggerTraining", """
      package golden;

      import dev.kiln.dsl.*;

      @TrainingConfig(model = Tagger.class, loss = Loss.SIGMOID_BINARY_CROSS_ENTROPY,
          multiLabel = true, batchSize = 64, epochs = 3, accumulationSteps = 2)
      @AdamW(learningRate = 3e-3, weightDecay = 0.01)
      @Warmup(steps = 50)
      @CosineDecay(minimum = 1e-5)
      @ClipGradValue(0.5)
      interface TaggerTraining {}
      """);

  /** The CNN sample's shape at a reviewable size: conv blocks, pooling, flatten, dense. */
  private static final Map<String, String> CNN = Map.of("golden.SmallCnn", """
      package golden;

      import static dev.kiln.dsl.ActivationFunction.RELU;

      import dev.kiln.dsl.*;

      @Model(inputs = {1, 28, 28})
      public abstract class SmallCnn {
        @Conv2d(filters = 8, kernel = 3, padding = 1) @BatchNorm @Activation(RELU)
        @MaxPool(size = 2) Layer conv1;
        @Conv2d(filters = 16, kernel = 3, stride = 2) @Activation(RELU) @AvgPool(size = 2)
        @Dropout(0.1) Layer conv2;
        @Dense(32) @Activation(RELU) Layer hidden;
        @Dense(10) Layer logits;
      }
      """, "golden.SmallCnnTraining", """
      package golden;

      import dev.kiln.dsl.*;

      @TrainingConfig(model = SmallCnn.class, loss = Loss.SOFTMAX_CROSS_ENTROPY,
          batchSize = 64, epochs = 5, seed = 42)
      @Adam(learningRate = 1e-3)
      @CosineDecay(minimum = 1e-5)
      @ClipGradNorm(maxNorm = 1.0)
      @L2(1e-4)
      public interface SmallCnnTraining {}
      """);

  @ParameterizedTest
  @ValueSource(strings = {"FashionMlpNetwork", "FashionTrainingTrainer", "TaggerNetwork",
      "TaggerTrainingTrainer", "SmallCnnNetwork", "SmallCnnTrainingTrainer"})
  void generatedSourceMatchesGoldenFile(String name) throws IOException {
    Compiled compiled = Compiled.compile(name.startsWith("Fashion") ? REFERENCE
        : name.startsWith("SmallCnn") ? CNN : VARIED);
    String actual = compiled.source("golden." + name);
    Path golden = goldenDir().resolve(name + ".java.txt");
    if (Boolean.getBoolean("kiln.updateGolden")) {
      Files.writeString(golden, actual, StandardCharsets.UTF_8);
    }
    assertWithMessage("%s missing; run with -Dkiln.updateGolden=true to write it", golden)
        .that(Files.exists(golden)).isTrue();
    String expected = Files.readString(golden, StandardCharsets.UTF_8);
    assertWithMessage("generated %s differs from %s; if the change is intended, review it and"
        + " rerun with -Dkiln.updateGolden=true", name, golden).that(actual).isEqualTo(expected);
  }

  private static Path goldenDir() {
    for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
      Path candidate = d.resolve("src/test/resources/golden-sources");
      if (Files.isDirectory(candidate)) {
        return candidate;
      }
      candidate = d.resolve("processor/src/test/resources/golden-sources");
      if (Files.isDirectory(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException("golden-sources directory not found");
  }
}
