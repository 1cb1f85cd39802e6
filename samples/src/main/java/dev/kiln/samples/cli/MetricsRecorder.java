package dev.kiln.samples.cli;

import dev.kiln.runtime.train.EpochResult;
import dev.kiln.runtime.train.Evaluation;
import dev.kiln.runtime.train.Trainer;
import dev.kiln.runtime.train.TrainingListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/**
 * Records a run's metrics and writes them to {@code metrics.csv} with Apache Commons CSV: one row
 * per optimizer step ({@code kind=step}) and one per epoch ({@code kind=epoch}, after that
 * epoch's steps), in one file with a {@code kind} column. Cells that do not apply to a row's kind
 * are empty. Rows are flushed at each epoch end, so an interrupted run keeps what it did.
 *
 * <p>Per step the values are kept in primitive arrays (grown by doubling), so recording a step
 * allocates nothing in steady state.
 */
final class MetricsRecorder implements TrainingListener, AutoCloseable {
  /** The header of {@code metrics.csv}. */
  static final List<String> HEADER = List.of("kind", "epoch", "step", "loss", "learning_rate",
      "gradient_norm", "train_loss", "train_accuracy", "validation_loss", "validation_accuracy",
      "seconds", "samples_per_second");

  private final CSVPrinter csv;
  private final List<EpochResult> epochs = new ArrayList<>();
  private final List<Long> epochEndSteps = new ArrayList<>();
  private long[] steps = new long[1024];
  private int[] stepEpochs = new int[1024];
  private float[] losses = new float[1024];
  private double[] rates = new double[1024];
  private double[] norms = new double[1024];
  private int count;
  private int written;

  /** Opens {@code file} for writing (replacing it) and writes the header. */
  MetricsRecorder(Path file) throws IOException {
    Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
    this.csv = new CSVPrinter(out, CSVFormat.DEFAULT.builder()
        .setHeader(HEADER.toArray(String[]::new)).setRecordSeparator('\n').get());
  }

  @Override
  public void onStep(Trainer trainer, long iteration, int epoch, float loss) {
    if (count == steps.length) {
      int n = count * 2;
      steps = Arrays.copyOf(steps, n);
      stepEpochs = Arrays.copyOf(stepEpochs, n);
      losses = Arrays.copyOf(losses, n);
      rates = Arrays.copyOf(rates, n);
      norms = Arrays.copyOf(norms, n);
    }
    steps[count] = iteration;
    stepEpochs[count] = epoch;
    losses[count] = loss;
    rates[count] = trainer.learningRateAt(iteration - 1);
    norms[count] = trainer.lastGradientNorm();
    count++;
  }

  @Override
  public void onEpochEnd(Trainer trainer, EpochResult r) {
    epochs.add(r);
    epochEndSteps.add(trainer.iteration());
    try {
      for (; written < count; written++) {
        csv.printRecord("step", stepEpochs[written], steps[written], losses[written],
            rates[written], norms[written], "", "", "", "", "", "");
      }
      Evaluation v = r.validation();
      csv.printRecord("epoch", r.epoch(), trainer.iteration(), "", r.learningRate(), "",
          r.trainLoss(), cell(r.trainAccuracy()), v == null ? "" : v.loss(),
          v == null ? "" : v.accuracy(), r.seconds(), r.samplesPerSecond());
      csv.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("writing metrics.csv", e);
    }
  }

  private static Object cell(double v) {
    return Double.isNaN(v) ? "" : v;
  }

  /** Steps recorded. */
  int stepCount() {
    return count;
  }

  /** The step numbers (from 1) recorded, a copy. */
  double[] stepNumbers() {
    double[] x = new double[count];
    for (int i = 0; i < count; i++) {
      x[i] = steps[i];
    }
    return x;
  }

  /** Each step's loss, a copy. */
  double[] stepLosses() {
    double[] y = new double[count];
    for (int i = 0; i < count; i++) {
      y[i] = losses[i];
    }
    return y;
  }

  /** Each step's learning rate, a copy. */
  double[] stepRates() {
    return Arrays.copyOf(rates, count);
  }

  /** The step count at the end of each epoch recorded. */
  long[] epochEndSteps() {
    return epochEndSteps.stream().mapToLong(Long::longValue).toArray();
  }

  /** The epochs recorded. */
  List<EpochResult> epochs() {
    return List.copyOf(epochs);
  }

  @Override
  public void close() throws IOException {
    csv.close();
  }
}
