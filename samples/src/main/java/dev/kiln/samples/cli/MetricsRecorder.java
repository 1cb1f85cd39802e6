package dev.kiln.samples.cli;

import dev.kiln.runtime.train.EpochResult;
import dev.kiln.runtime.train.Evaluation;
import dev.kiln.runtime.train.Trainer;
import dev.kiln.runtime.train.TrainingListener;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.CSVRecord;

/**
 * Records a run's metrics in {@code metrics.csv} with Apache Commons CSV: one row per optimizer
 * step ({@code kind=step}) and one per epoch ({@code kind=epoch}, after that epoch's steps), in
 * one file with a {@code kind} column. Cells that do not apply to a row's kind are empty.
 *
 * <p>The file is opened when the first epoch starts (so a run refused before training writes
 * nothing) and only ever appended to: step rows are written and flushed at least once a second
 * and at each epoch end, so an interrupted run keeps its record up to about a second before the
 * interruption. On resume the file is first cut back to the restored checkpoint (step rows up to
 * its step, epoch rows before its epoch or ended by its step), atomically, and the run's earlier
 * rows are kept for the plots.
 *
 * <p>Per step the values are kept in primitive arrays (grown by doubling), so recording a step
 * allocates nothing in steady state.
 */
final class MetricsRecorder implements TrainingListener, AutoCloseable {
  /** The header of {@code metrics.csv}. */
  static final List<String> HEADER = List.of("kind", "epoch", "step", "loss", "learning_rate",
      "gradient_norm", "train_loss", "train_accuracy", "validation_loss", "validation_accuracy",
      "seconds", "samples_per_second");
  private static final long FLUSH_NANOS = 1_000_000_000L;

  /**
   * One epoch's summary as {@code metrics.csv} holds it; NaN where there is no value.
   *
   * @param step steps taken at the epoch's end
   */
  record EpochRow(int epoch, long step, double trainLoss, double trainAccuracy,
      double validationLoss, double validationAccuracy) {}

  private final Path file;
  private final boolean resume;
  private final Runnable beforeOpen;
  private CSVPrinter csv;
  private final List<EpochRow> epochs = new ArrayList<>();
  private long[] steps = new long[1024];
  private int[] stepEpochs = new int[1024];
  private float[] losses = new float[1024];
  private double[] rates = new double[1024];
  private double[] norms = new double[1024];
  private int count;
  private int written;
  private long lastFlush;

  /**
   * @param file {@code metrics.csv}; nothing is written before the first epoch starts
   * @param resume whether to continue the file of a resumed run (cut back to the checkpoint)
   * @param beforeOpen run once when training starts, before the file is opened (prepares the
   *     run folder)
   */
  MetricsRecorder(Path file, boolean resume, Runnable beforeOpen) {
    this.file = file;
    this.resume = resume;
    this.beforeOpen = beforeOpen;
  }

  @Override
  public void onEpochStart(Trainer trainer, int epoch, int epochCount, int stepsPerEpoch) {
    if (csv != null) {
      return;
    }
    beforeOpen.run();
    try {
      open(trainer.iteration(), epoch);
    } catch (IOException e) {
      throw new UncheckedIOException("could not write " + file + ": " + e.getMessage(), e);
    }
    lastFlush = System.nanoTime();
  }

  private void open(long step, int epoch) throws IOException {
    CSVFormat format = CSVFormat.DEFAULT.builder().setRecordSeparator('\n').get();
    boolean exists = resume && Files.isRegularFile(file);
    if (exists) {
      cutBack(step, epoch, format);
    }
    Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
    csv = new CSVPrinter(out, format);
    if (!exists) {
      csv.printRecord(HEADER);
    }
    csv.flush();
  }

  /** Keeps the rows of {@code file} up to the restored position, replacing it atomically. */
  private void cutBack(long step, int epoch, CSVFormat format) throws IOException {
    List<CSVRecord> kept = new ArrayList<>();
    try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8);
        CSVParser parser = CSVParser.parse(in, CSVFormat.DEFAULT.builder().setHeader()
            .setSkipHeaderRecord(true).get())) {
      for (CSVRecord r : parser) {
        if (!r.isConsistent()) {
          break; // a row cut by an interruption: the last one
        }
        boolean isStep = r.get("kind").equals("step");
        // an epoch row is kept when its epoch ended at or before the restored step: a
        // checkpoint written at an interval's last step, before that epoch's end, resumes into
        // an empty epoch whose recorded row stays (onEpochEnd then writes none)
        if (Long.parseLong(r.get("step")) <= step
            || !isStep && Integer.parseInt(r.get("epoch")) < epoch) {
          kept.add(r);
        }
      }
    } catch (RuntimeException e) {
      throw new IOException(file + ": cannot continue this metrics file (" + e.getMessage()
          + "); move it away to start a new one", e);
    }
    Path temp = file.resolveSibling("." + file.getFileName() + ".tmp");
    try (Writer w = Files.newBufferedWriter(temp, StandardCharsets.UTF_8);
        CSVPrinter p = new CSVPrinter(w, format)) {
      p.printRecord(HEADER);
      for (CSVRecord r : kept) {
        p.printRecord(r.toList());
        load(r);
      }
    }
    Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    written = count;
  }

  private void load(CSVRecord r) {
    if (r.get("kind").equals("step")) {
      add(Long.parseLong(r.get("step")), Integer.parseInt(r.get("epoch")),
          Float.parseFloat(r.get("loss")), Double.parseDouble(r.get("learning_rate")),
          Double.parseDouble(r.get("gradient_norm")));
    } else {
      epochs.add(new EpochRow(Integer.parseInt(r.get("epoch")), Long.parseLong(r.get("step")),
          number(r.get("train_loss")), number(r.get("train_accuracy")),
          number(r.get("validation_loss")), number(r.get("validation_accuracy"))));
    }
  }

  private static double number(String cell) {
    return cell.isEmpty() ? Double.NaN : Double.parseDouble(cell);
  }

  @Override
  public void onStep(Trainer trainer, long iteration, int epoch, float loss) {
    add(iteration, epoch, loss, trainer.learningRateAt(iteration - 1),
        trainer.lastGradientNorm());
    long now = System.nanoTime();
    if (now - lastFlush >= FLUSH_NANOS) {
      lastFlush = now;
      writeSteps(true);
    }
  }

  private void add(long iteration, int epoch, float loss, double rate, double norm) {
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
    rates[count] = rate;
    norms[count] = norm;
    count++;
  }

  private void writeSteps(boolean flush) {
    try {
      for (; written < count; written++) {
        csv.printRecord("step", stepEpochs[written], steps[written], losses[written],
            rates[written], norms[written], "", "", "", "", "", "");
      }
      if (flush) {
        csv.flush();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("writing " + file + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void onEpochEnd(Trainer trainer, EpochResult r) {
    if (isRecordedEmpty(r)) {
      writeSteps(false);
      return;
    }
    Evaluation v = r.validation();
    epochs.add(new EpochRow(r.epoch(), trainer.iteration(), r.trainLoss(), r.trainAccuracy(),
        v == null ? Double.NaN : v.loss(), v == null ? Double.NaN : v.accuracy()));
    writeSteps(false);
    try {
      csv.printRecord("epoch", r.epoch(), trainer.iteration(), "", r.learningRate(), "",
          r.trainLoss(), cell(r.trainAccuracy()), v == null ? "" : v.loss(),
          v == null ? "" : v.accuracy(), r.seconds(), r.samplesPerSecond());
      csv.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("writing " + file + ": " + e.getMessage(), e);
    }
    lastFlush = System.nanoTime();
  }

  /**
   * Whether {@code r} is an epoch without steps (resumed at its end) whose row is already
   * recorded: its train loss and time would read 0, so the recorded row is kept instead.
   */
  boolean isRecordedEmpty(EpochResult r) {
    return r.samples() == 0 && epochs.stream().anyMatch(e -> e.epoch() == r.epoch());
  }

  private static Object cell(double v) {
    return Double.isNaN(v) ? "" : v;
  }

  /** Steps recorded, those of the run before a resume included. */
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

  /** The epochs recorded, those of the run before a resume included. */
  List<EpochRow> epochs() {
    return List.copyOf(epochs);
  }

  /** Writes the rows not yet written and closes the file (if training started). */
  @Override
  public void close() throws IOException {
    if (csv != null) {
      writeSteps(true);
      csv.close();
    }
  }
}
