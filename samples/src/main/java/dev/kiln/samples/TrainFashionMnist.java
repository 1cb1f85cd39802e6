package dev.kiln.samples;

import dev.kiln.runtime.EpochResult;
import dev.kiln.runtime.Evaluation;
import dev.kiln.runtime.Trainer;
import dev.kiln.runtime.TrainingListener;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The main job: trains {@link FashionMlp} as {@link FashionTraining} declares on Fashion-MNIST and
 * prints, per epoch, the training loss, the test loss and accuracy, the time and samples per
 * second.
 *
 * <p>Usage: {@code java -jar samples/target/kiln-samples.jar [DATA_DIR]}. Without {@code
 * DATA_DIR} it uses the Debian package {@code dataset-fashion-mnist} when installed, else the
 * small subset embedded in the jar (and says so).
 */
public final class TrainFashionMnist {
  private TrainFashionMnist() {}

  public static void main(String[] args) throws Exception {
    PrintStream out = System.out;
    FashionMnist.Splits data = FashionMnist.loadDefault(args.length > 0 ? Path.of(args[0]) : null,
        out);
    FashionMlpNetwork network = FashionMlpNetwork.initialize(FashionTrainingTrainer.SEED);
    FashionTrainingTrainer trainer = new FashionTrainingTrainer(network);
    out.printf(Locale.ROOT, "training %s: %d epochs, batch %d, %d train / %d test samples%n",
        "FashionMlp", FashionTrainingTrainer.EPOCHS, FashionTrainingTrainer.BATCH_SIZE,
        data.train().size(), data.test().size());
    long start = System.nanoTime();
    trainer.fit(data.train(), data.test(), new TrainingListener() {
      @Override
      public void onEpochEnd(Trainer t, EpochResult r) {
        Evaluation v = r.validation();
        out.printf(Locale.ROOT, "epoch %2d  train loss %.4f  test loss %.4f  test accuracy %.4f"
                + "  %.1f s  %,.0f samples/s  lr %.5f%n", r.epoch(), r.trainLoss(), v.loss(),
            v.accuracy(), r.seconds(), r.samplesPerSecond(), r.learningRate());
      }
    });
    Evaluation test = trainer.evaluate(data.test());
    out.printf(Locale.ROOT, "final test accuracy %.4f (%d samples) after %.1f s%n",
        test.accuracy(), test.samples(), (System.nanoTime() - start) / 1e9);
  }
}
