package dev.kiln.processor;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.runtime.train.EarlyStopping;
import dev.kiln.runtime.train.FitOptions;
import dev.kiln.runtime.ops.LossKind;
import dev.kiln.runtime.train.Trainer;
import dev.kiln.runtime.train.Training;
import dev.kiln.runtime.checkpoint.CheckpointException;
import dev.kiln.runtime.data.CsvDataset;
import dev.kiln.runtime.data.CsvFormatException;
import dev.kiln.runtime.data.Dataset;
import dev.kiln.runtime.data.Idx;
import dev.kiln.runtime.data.IdxFormatException;
import java.io.ByteArrayInputStream;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Bad input of every kind — through {@code step}, {@code fit}, the IDX and CSV readers and
 * {@code restore} — gets a clear exception, and the trainer that saw all of it afterwards trains
 * bitwise like a twin that never did.
 */
class BadInputSweepTest {
  private static Compiled compiled;
  private static Compiled otherModel;

  private static String model(int hidden) {
    return """
        package sweep;
        import static dev.kiln.dsl.ActivationFunction.*;
        import dev.kiln.dsl.*;
        @Model(inputs = 5)
        public abstract class Net {
          @Dense(%d) @BatchNorm @Activation(RELU) @Dropout(0.1) Layer hidden;
          @Dense(3) Layer logits;
        }
        """.formatted(hidden);
  }

  private static final String CONFIG = """
      package sweep;
      import dev.kiln.dsl.*;
      @TrainingConfig(model = Net.class, loss = Loss.SOFTMAX_CROSS_ENTROPY, batchSize = 8,
          epochs = 1, seed = 4)
      @Adam(learningRate = 0.01)
      @ClipGradNorm(maxNorm = 1.0)
      public interface Training {}
      """;

  @BeforeAll
  static void compile() {
    compiled = Compiled.compile(Map.of("sweep.Net", model(6), "sweep.Training", CONFIG));
    otherModel = Compiled.compile(Map.of("sweep.Net", model(7), "sweep.Training", CONFIG));
  }

  @TempDir Path dir;

  private static Trainer fresh(Compiled c) throws Exception {
    Object network = c.load("sweep.NetNetwork").getMethod("initialize", long.class)
        .invoke(null, 2L);
    return (Trainer) c.load("sweep.TrainingTrainer").getConstructor(network.getClass())
        .newInstance(network);
  }

  private static INDArray x(int rows) {
    Nd4j.getRandom().setSeed(rows);
    return Nd4j.rand(DataType.FLOAT, rows, 5);
  }

  private static INDArray y(int rows, int classes) {
    INDArray y = Nd4j.zeros(DataType.FLOAT, rows, classes);
    for (int r = 0; r < rows; r++) {
      y.putScalar(r, r % classes, 1f);
    }
    return y;
  }

  private static Dataset dataset(int rows, int features) {
    float[] f = new float[rows * features];
    int[] c = new int[rows];
    for (int i = 0; i < rows; i++) {
      c[i] = i % 3;
      for (int j = 0; j < features; j++) {
        f[i * features + j] = (float) Math.sin(i * 7 + j);
      }
    }
    return Dataset.ofClassIndices(f, features, c, 3);
  }

  private record Case(String name, Class<? extends Throwable> type, String message,
      Executable action) {}

  private static Map<String, int[]> bits(Trainer trainer) {
    Map<String, int[]> out = new LinkedHashMap<>();
    trainer.parameters().forEach((k, v) -> {
      float[] f = v.data().asFloat();
      int[] b = new int[f.length];
      for (int i = 0; i < f.length; i++) {
        b[i] = Float.floatToRawIntBits(f[i]);
      }
      out.put(k, b);
    });
    return out;
  }

  @Test
  void everyBadInputIsRefusedClearlyAndChangesNothing() throws Exception {
    Trainer trainer = fresh(compiled);
    Trainer twin = fresh(compiled);
    trainer.step(x(8), y(8, 3));
    twin.step(x(8), y(8, 3));

    Path good = dir.resolve("good.kiln");
    trainer.save(good);
    byte[] checkpoint = Files.readAllBytes(good);
    Path truncated = dir.resolve("truncated.kiln");
    Files.write(truncated, java.util.Arrays.copyOf(checkpoint, checkpoint.length - 100));
    Path flipped = dir.resolve("flipped.kiln");
    byte[] flippedBytes = checkpoint.clone();
    flippedBytes[200] ^= 0x01;
    Files.write(flipped, flippedBytes);
    Path garbage = dir.resolve("garbage.kiln");
    Files.write(garbage, new byte[] {1, 2, 3, 4, 5});
    Path otherModelFile = dir.resolve("other.kiln");
    fresh(otherModel).save(otherModelFile);

    INDArray nan = x(4);
    nan.putScalar(1, 1, Float.NaN);
    INDArray notDistribution = y(4, 3).muli(0.5);
    Dataset nanData = dataset(16, 5);
    nanData.features()[37] = Float.POSITIVE_INFINITY;
    byte[] idxBadMagic = {0, 1, 8, 1, 0, 0, 0, 1, 7};
    byte[] idxTruncated = {0, 0, 8, 2, 0, 0, 0, 3, 0, 0, 0, 4, 1, 2, 3};
    byte[] idxBadType = {0, 0, 0x42, 1, 0, 0, 0, 1, 7};

    List<Case> cases = List.of(
        new Case("step: rank 3", IllegalArgumentException.class, "[n, 5]",
            () -> trainer.step(Nd4j.rand(DataType.FLOAT, 4, 5, 1), y(4, 3))),
        new Case("step: feature count", IllegalArgumentException.class, "[4, 6]",
            () -> trainer.step(Nd4j.rand(DataType.FLOAT, 4, 6), y(4, 3))),
        new Case("step: label width", IllegalArgumentException.class, "[n, 3]",
            () -> trainer.step(x(4), y(4, 2))),
        new Case("step: row counts differ", IllegalArgumentException.class, "rows",
            () -> trainer.step(x(4), y(5, 3))),
        new Case("step: no rows", IllegalArgumentException.class, "1 <= n <= 8",
            () -> trainer.step(Nd4j.create(DataType.FLOAT, 0, 5), y(4, 3))),
        new Case("step: above batch size", IllegalArgumentException.class, "1 <= n <= 8",
            () -> trainer.step(x(9), y(9, 3))),
        new Case("step: float64", IllegalArgumentException.class, "DOUBLE",
            () -> trainer.step(Nd4j.rand(DataType.DOUBLE, 4, 5), y(4, 3))),
        new Case("step: one row into batch norm", IllegalArgumentException.class,
            "at least 2 samples", () -> trainer.step(x(1), y(1, 3))),
        new Case("step: NaN feature", IllegalArgumentException.class, "row 1, column 1 is NaN",
            () -> trainer.step(nan, y(4, 3))),
        new Case("step: labels not a distribution", IllegalArgumentException.class,
            "sums to 0.5", () -> trainer.step(x(4), notDistribution)),
        new Case("step: null labels", IllegalArgumentException.class, "labels is null",
            () -> trainer.step(x(4), null)),
        new Case("fit: wrong feature count", IllegalArgumentException.class, "6 features",
            () -> Training.fit(trainer, LossKind.SOFTMAX_CROSS_ENTROPY, 0, dataset(16, 6), null,
                FitOptions.defaults())),
        new Case("fit: last batch of one into batch norm", IllegalArgumentException.class,
            "dropLast", () -> Training.fit(trainer, LossKind.SOFTMAX_CROSS_ENTROPY, 0,
                dataset(17, 5), null, FitOptions.defaults())),
        new Case("fit: batch size above the compiled one", IllegalArgumentException.class,
            "BATCH_SIZE", () -> Training.fit(trainer, LossKind.SOFTMAX_CROSS_ENTROPY, 0,
                dataset(16, 5), null, FitOptions.builder().batchSize(9).build())),
        new Case("fit: early stopping without validation", IllegalArgumentException.class,
            "validation", () -> Training.fit(trainer, LossKind.SOFTMAX_CROSS_ENTROPY, 0,
                dataset(16, 5), null, FitOptions.builder()
                    .earlyStopping(EarlyStopping.onValidationLoss(2)).build())),
        new Case("fit: infinite feature in the data", IllegalArgumentException.class,
            "is Infinity", () -> Training.fit(trainer, LossKind.SOFTMAX_CROSS_ENTROPY, 0,
                nanData, null, FitOptions.builder().shuffle(false).build())),
        new Case("idx: wrong magic", IdxFormatException.class, "offset",
            () -> Idx.read(new ByteArrayInputStream(idxBadMagic), "bad-magic.idx")),
        new Case("idx: truncated payload", IdxFormatException.class, "truncated.idx",
            () -> Idx.read(new ByteArrayInputStream(idxTruncated), "truncated.idx")),
        new Case("idx: unknown type code", IdxFormatException.class, "bad-type.idx",
            () -> Idx.read(new ByteArrayInputStream(idxBadType), "bad-type.idx")),
        new Case("csv: bad number", CsvFormatException.class, "line 3, column 2",
            () -> CsvDataset.read(new StringReader("a,b,label\n1,2,x\n3,oops,y\n"), "bad.csv",
                CsvDataset.options().header(true).labelColumn("label"))),
        new Case("csv: missing label", CsvFormatException.class, "line 2, column 3",
            () -> CsvDataset.read(new StringReader("a,b,label\n1,2,\n"), "missing.csv",
                CsvDataset.options().header(true).labelColumn("label"))),
        new Case("restore: truncated", CheckpointException.class, "truncated",
            () -> trainer.restore(truncated)),
        new Case("restore: flipped bit", CheckpointException.class, "flipped.kiln",
            () -> trainer.restore(flipped)),
        new Case("restore: not a checkpoint", CheckpointException.class, "garbage.kiln",
            () -> trainer.restore(garbage)),
        new Case("restore: another model", CheckpointException.class,
            "layers.hidden.dense.outputs: expected 6, found 7",
            () -> trainer.restore(otherModelFile)),
        new Case("restore: missing file", NoSuchFileException.class, "absent.kiln",
            () -> trainer.restore(dir.resolve("absent.kiln"))));
    assertThat(cases.size()).isAtLeast(20);

    List<String> failures = new ArrayList<>();
    Map<String, int[]> before = bits(trainer);
    long iteration = trainer.iteration();
    for (Case c : cases) {
      Throwable t = assertThrows(Throwable.class, c.action(), c.name());
      if (!c.type().isInstance(t) && !(c.type() == IllegalArgumentException.class
          && t.getCause() != null && c.type().isInstance(t.getCause()))) {
        failures.add(c.name() + ": expected " + c.type().getSimpleName() + ", got " + t);
      } else if (t.getMessage() == null || !t.getMessage().contains(c.message())) {
        failures.add(c.name() + ": message '" + t.getMessage() + "' lacks '" + c.message() + "'");
      }
      assertThat(trainer.iteration()).isEqualTo(iteration);
    }
    assertThat(failures).isEmpty();
    Map<String, int[]> after = bits(trainer);
    for (String k : before.keySet()) {
      assertThat(after.get(k)).isEqualTo(before.get(k));
    }

    for (int s = 0; s < 5; s++) {
      assertThat(trainer.step(x(8), y(8, 3))).isEqualTo(twin.step(x(8), y(8, 3)));
    }
    Map<String, int[]> a = bits(trainer);
    Map<String, int[]> b = bits(twin);
    for (String k : a.keySet()) {
      assertThat(a.get(k)).isEqualTo(b.get(k));
    }
  }
}
