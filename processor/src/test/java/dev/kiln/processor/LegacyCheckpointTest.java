package dev.kiln.processor;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.runtime.checkpoint.Checkpoint;
import dev.kiln.runtime.checkpoint.CheckpointException;
import dev.kiln.runtime.checkpoint.CheckpointFile;
import dev.kiln.runtime.train.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Checkpoints written before fingerprints were structured (their fingerprint is prose, one
 * description per entry) still load: {@code checkpoints/prose-fingerprint.kiln} was written by
 * the trainer below by Kiln at commit c636873 (prose fingerprints; the runtime package split) and
 * is restored here by today's trainer; a trainer of another configuration still refuses it.
 *
 * <p>{@code -Dkiln.updateLegacyCheckpoint=true} rewrites the file with the running version (only
 * meaningful on a prose-fingerprint version).
 */
class LegacyCheckpointTest {
  private static final Path RESOURCE = Path.of("src/test/resources/checkpoints");
  private static Compiled compiled;
  private static Compiled otherConfig;

  private static final String MODEL = """
      package legacy;
      import static dev.kiln.dsl.ActivationFunction.*;
      import dev.kiln.dsl.*;
      @Model(inputs = 5)
      public abstract class Net {
        @Dense(7) @BatchNorm @Activation(RELU) @Dropout(0.3) Layer hidden;
        @Dense(3) Layer logits;
      }
      """;

  private static String config(double momentum) {
    return String.format(Locale.ROOT, """
        package legacy;
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
    compiled = Compiled.compile(Map.of("legacy.Net", MODEL, "legacy.Training", config(0.9)));
    otherConfig = Compiled.compile(Map.of("legacy.Net", MODEL, "legacy.Training", config(0.8)));
  }

  private static Object network(Compiled c, long seed) throws Exception {
    return c.load("legacy.NetNetwork").getMethod("initialize", long.class).invoke(null, seed);
  }

  private static Trainer trainer(Compiled c, Object network) throws Exception {
    return (Trainer) c.load("legacy.TrainingTrainer").getConstructor(network.getClass())
        .newInstance(network);
  }

  private static void steps(Trainer trainer, int count) {
    for (int s = 0; s < count; s++) {
      Nd4j.getRandom().setSeed(1000 + s);
      INDArray x = Nd4j.rand(DataType.FLOAT, 6, 5).subi(0.5);
      INDArray y = Nd4j.zeros(DataType.FLOAT, 6, 3);
      for (int r = 0; r < 6; r++) {
        y.putScalar(r, (r + s) % 3, 1f);
      }
      trainer.step(x, y);
    }
  }

  @Test
  void writeResourceWhenAsked() throws Exception {
    if (!Boolean.getBoolean("kiln.updateLegacyCheckpoint")) {
      return;
    }
    Trainer trainer = trainer(compiled, network(compiled, 5));
    steps(trainer, 4);
    Files.createDirectories(RESOURCE);
    trainer.save(RESOURCE.resolve("prose-fingerprint.kiln"));
  }

  @Test
  void proseFingerprintCheckpointStillLoads() throws Exception {
    Path file = RESOURCE.resolve("prose-fingerprint.kiln");
    Checkpoint saved = CheckpointFile.read(file);
    assertThat(saved.fingerprint()).containsKey("model");
    Object net = network(compiled, 999);
    Trainer trainer = trainer(compiled, net);
    trainer.restore(file);
    assertThat(trainer.iteration()).isEqualTo(4);
    float[] weight = trainer.parameters().get("hidden.weight").data().asFloat();
    assertThat(weight).usingExactEquality().containsExactly(
        saved.arrays().get("hidden.weight").values()).inOrder();
    steps(trainer, 1); // and training goes on
    assertThat(trainer.iteration()).isEqualTo(5);
  }

  @Test
  void proseFingerprintOfAnotherConfigurationIsRefused() throws Exception {
    Trainer trainer = trainer(otherConfig, network(otherConfig, 5));
    CheckpointException e = assertThrows(CheckpointException.class,
        () -> trainer.restore(RESOURCE.resolve("prose-fingerprint.kiln")));
    assertThat(e).hasMessageThat().contains("optimizer");
    assertThat(trainer.iteration()).isEqualTo(0);
  }

  @Test
  void networkLoadsFromAProseFingerprintCheckpoint() throws Exception {
    Object loaded = compiled.load("legacy.NetNetwork").getMethod("load", Path.class)
        .invoke(null, RESOURCE.resolve("prose-fingerprint.kiln"));
    assertThat(loaded).isNotNull();
  }
}
