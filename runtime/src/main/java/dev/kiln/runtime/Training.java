package dev.kiln.runtime;

import dev.kiln.runtime.data.Batches;
import dev.kiln.runtime.data.Dataset;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The epoch loop and evaluation that generated trainers' {@code fit} and {@code evaluate} use. */
public final class Training {
  private static final int EVAL_CHUNK = 1000;

  private Training() {}

  /**
   * Trains for {@link Trainer#epochs()} epochs over mini-batches of {@code train}, shuffled each
   * epoch with the trainer's seed, copying each batch straight into the trainer's buffers (no
   * allocation per batch). A last batch smaller than {@link Trainer#minimumRows()} is skipped.
   *
   * @param validation evaluated after each epoch; may be null
   * @throws IllegalArgumentException if a dataset's feature or class count does not fit the
   *     network
   */
  public static List<EpochResult> fit(Trainer trainer, LossKind loss, double labelSmoothing,
      Dataset train, Dataset validation, TrainingListener... listeners) {
    checkFits(trainer, train, "train");
    if (validation != null) {
      checkFits(trainer, validation, "validation");
    }
    Batches batches = new Batches(train, trainer.batchSize(), true, false, trainer.seed());
    List<EpochResult> results = new ArrayList<>();
    int stepsPerEpoch = batchesPerEpoch(train.size(), trainer.batchSize(), trainer.minimumRows());
    trainer.planRun((long) stepsPerEpoch * trainer.epochs(), stepsPerEpoch);
    for (int epoch = 1; epoch <= trainer.epochs(); epoch++) {
      batches.startEpoch();
      double lossSum = 0;
      long samples = 0;
      long start = System.nanoTime();
      while (batches.hasNext()) {
        int n = batches.next(trainer.featureBuffer(), trainer.labelBuffer());
        if (n < trainer.minimumRows()) {
          continue;
        }
        float stepLoss = trainer.stepBuffered(n);
        lossSum += (double) stepLoss * n;
        samples += n;
        for (TrainingListener listener : listeners) {
          listener.onStep(trainer, trainer.iteration(), epoch, stepLoss);
        }
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      Evaluation eval = validation == null ? null
          : evaluate(trainer, loss, labelSmoothing, validation);
      trainer.endEpoch(epoch, eval == null ? Double.NaN : eval.loss());
      EpochResult result = new EpochResult(epoch, lossSum / Math.max(1, samples), eval, seconds,
          samples / seconds, trainer.learningRate());
      results.add(result);
      for (TrainingListener listener : listeners) {
        listener.onEpochEnd(trainer, result);
      }
    }
    return results;
  }

  /**
   * Mean loss and accuracy of the trainer's network in eval mode, in chunks of 1,000 samples.
   *
   * @throws IllegalArgumentException if the dataset does not fit the network
   */
  public static Evaluation evaluate(Trainer trainer, LossKind loss, double labelSmoothing,
      Dataset data) {
    checkFits(trainer, data, "evaluation");
    int features = data.featureCount();
    int classes = data.classCount();
    Tensor labels = Tensor.zeros(EVAL_CHUNK, classes);
    Tensor scratch = Tensor.zeros(EVAL_CHUNK, classes);
    double lossSum = 0;
    int correct = 0;
    for (int start = 0; start < data.size(); start += EVAL_CHUNK) {
      int n = Math.min(EVAL_CHUNK, data.size() - start);
      float[] x = new float[n * features];
      System.arraycopy(data.features(), start * features, x, 0, x.length);
      INDArray outputs = trainer.predict(Nd4j.create(x, new long[] {n, features}, 'c'));
      Tensor out = Tensor.wrap(outputs);
      labels.data().put(0, data.labels(), start * classes, n * classes);
      lossSum += loss.mean(out, labels, n, classes, labelSmoothing, scratch) * n;
      for (int r = 0; r < n; r++) {
        if (loss.correct(out, labels, r, classes)) {
          correct++;
        }
      }
    }
    return new Evaluation(lossSum / data.size(), (double) correct / data.size(), data.size());
  }

  /** Optimizer steps in one epoch: full batches, plus the last one if it has enough rows. */
  static int batchesPerEpoch(int samples, int batchSize, int minimumRows) {
    int full = samples / batchSize;
    int rest = samples % batchSize;
    return full + (rest >= minimumRows && rest > 0 ? 1 : 0);
  }

  private static void checkFits(Trainer trainer, Dataset data, String what) {
    int inputs = trainer.featureBuffer().size(1);
    int outputs = trainer.labelBuffer().size(1);
    if (data.featureCount() != inputs || data.classCount() != outputs) {
      throw new IllegalArgumentException(what + " data has " + data.featureCount()
          + " features and " + data.classCount() + " label columns; the network expects "
          + inputs + " and " + outputs);
    }
    if (data.size() == 0) {
      throw new IllegalArgumentException(what + " data is empty");
    }
  }
}
