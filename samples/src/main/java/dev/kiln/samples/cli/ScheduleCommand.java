package dev.kiln.samples.cli;

import dev.kiln.runtime.train.Trainer;
import dev.kiln.runtime.schedule.Schedules;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code schedule}: draws the learning rate of every step of a run of a configuration to PNG,
 * without training: the run's length comes from the data size, batch size and epochs, and the
 * rates from a fresh schedule ({@code Schedules.curve}).
 */
@Command(name = "schedule", sortOptions = false, mixinStandardHelpOptions = true,
    description = "Render a configuration's learning rate for every step of a run to PNG,"
        + " without training.")
final class ScheduleCommand implements Callable<Integer> {
  @Mixin RunOptions run;

  @Option(names = "--samples", paramLabel = "N", description = "Training samples per epoch"
      + " (default: the size of the training data the data options select).")
  Integer samples;

  @Option(names = "--out", paramLabel = "DIR", defaultValue = ".", description = "Where"
      + " learning-rate.png goes (default: the working directory).")
  Path out;

  @Override
  public Integer call() throws Exception {
    PrintStream console = System.out;
    run.check();
    if (run.sampleModel().tokens()) {
      throw run.usage("--model " + run.modelId() + " trains by iterations, not epochs of"
          + " samples: its schedule is in learning-rate.png of train --model " + run.modelId());
    }
    if (samples != null && samples < 1) {
      throw run.usage("--samples " + samples + ": give the training samples per epoch, at least"
          + " 1 (for example --samples 60000)");
    }
    int n = samples != null ? samples : run.loadData(console).train().size();
    Trainer trainer = run.newRun().trainer();
    int batch = run.batchSize(trainer);
    int epochs = run.epochs(trainer);
    int rest = n % batch;
    int perEpoch = n / batch + (rest == 0 || run.dropLast() ? 0 : 1);
    if (perEpoch < 1) {
      throw run.usage("--samples " + n + " make no full batch of " + batch + " with --drop-last;"
          + " give more samples or a smaller --batch-size");
    }
    int total = Math.multiplyExact(perEpoch, epochs);
    double[] rates = trainer.scheduleCurve(total, perEpoch);
    double[] steps = new double[total];
    for (int t = 0; t < total; t++) {
      steps[t] = t + 1;
    }
    Files.createDirectories(out);
    Path file = out.resolve("learning-rate.png");
    Plots.learningRate(file, String.format(Locale.ROOT, "Learning rate: %s, %d epochs x %d"
        + " steps (batch %d)", run.sampleModel().title(), epochs, perEpoch, batch), steps, rates);
    console.printf(Locale.ROOT, "%d steps (%d epochs x %d): rate %.6g at step 1, %.6g at step"
        + " %d, %.6g at the last step%n", total, epochs, perEpoch, rates[0],
        rates[total / 2], total / 2 + 1, rates[total - 1]);
    console.println("Wrote " + file);
    return 0;
  }
}
