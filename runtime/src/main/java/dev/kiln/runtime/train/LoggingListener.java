package dev.kiln.runtime.train;

import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs a run's progress through SLF4J (logger {@code dev.kiln.runtime.train.LoggingListener},
 * level INFO), as Keras's {@code fit(verbose=2)} prints one line per epoch and DL4J's {@code
 * ScoreIterationListener} one every N iterations. {@code fit} adds {@link #perEpoch()} unless
 * {@code FitOptions.builder().logging(null)} turns it off (or the SLF4J configuration sets this
 * logger to WARN):
 *
 * <pre>
 * epoch 1/10: train loss 0.4893, train acc 0.8265, val loss 0.4112, val acc 0.8516, lr 0.09755, 3.4 s, 17,520 samples/s
 * step 100 (epoch 1): loss 0.5231, lr 0.09990
 * </pre>
 *
 * <p>Without an SLF4J binding on the class path nothing is printed: add one, such as {@code
 * org.slf4j:slf4j-simple} (docs/setup.md).
 */
public final class LoggingListener implements TrainingListener {
  private static final Logger LOG = LoggerFactory.getLogger(LoggingListener.class);

  private final int everySteps;
  private final Logger log;
  private int epochs;
  private double lossSum;
  private int losses;

  private LoggingListener(int everySteps, Logger log) {
    this.everySteps = everySteps;
    this.log = log;
  }

  /** One line per epoch: losses, accuracies, rate, time and throughput. */
  public static LoggingListener perEpoch() {
    return new LoggingListener(0, LOG);
  }

  /**
   * One line per epoch, and one every {@code steps} optimizer steps with the mean loss since the
   * last such line and the current rate.
   *
   * @throws IllegalArgumentException if {@code steps < 1}
   */
  public static LoggingListener everySteps(int steps) {
    if (steps < 1) {
      throw new IllegalArgumentException("log every N steps needs N >= 1, got " + steps
          + "; use LoggingListener.perEpoch() for epoch lines only");
    }
    return new LoggingListener(steps, LOG);
  }

  /** The same settings writing to {@code log} (for tests, or a logger of your own). */
  public LoggingListener to(Logger log) {
    return new LoggingListener(everySteps, log);
  }

  /** A fresh listener with these settings (each {@code fit} gets its own counters). */
  LoggingListener copy() {
    return new LoggingListener(everySteps, log);
  }

  /** Steps between step lines; 0 for epoch lines only. */
  public int everySteps() {
    return everySteps;
  }

  @Override
  public void onEpochStart(Trainer trainer, int epoch, int epochs, int steps) {
    this.epochs = epochs;
    lossSum = 0;
    losses = 0;
  }

  @Override
  public void onStep(Trainer trainer, long iteration, int epoch, float loss) {
    if (everySteps == 0) {
      return;
    }
    lossSum += loss;
    losses++;
    if (iteration % everySteps == 0 && log.isInfoEnabled()) {
      log.info(String.format(Locale.ROOT, "step %d (epoch %d): loss %.4f, lr %.5g", iteration,
          epoch, lossSum / losses, trainer.learningRate()));
      lossSum = 0;
      losses = 0;
    }
  }

  @Override
  public void onSkippedStep(Trainer trainer, long iteration, int epoch, long skippedSteps) {
    log.warn("skipped a batch with non-finite gradients after step {} (epoch {}); {} skipped so"
        + " far", iteration, epoch, skippedSteps);
  }

  @Override
  public void onEpochEnd(Trainer trainer, EpochResult r) {
    if (log.isInfoEnabled()) {
      log.info(line(r, epochs));
    }
  }

  /** The epoch line. */
  static String line(EpochResult r, int epochs) {
    StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "epoch %d/%d: train loss %.4f",
        r.epoch(), epochs, r.trainLoss()));
    if (!Double.isNaN(r.trainAccuracy())) {
      s.append(String.format(Locale.ROOT, ", train acc %.4f", r.trainAccuracy()));
    }
    if (r.validation() != null) {
      s.append(String.format(Locale.ROOT, ", val loss %.4f, val acc %.4f",
          r.validation().loss(), r.validation().accuracy()));
    }
    s.append(String.format(Locale.ROOT, ", lr %.5g, %.1f s, %,.0f samples/s", r.learningRate(),
        r.seconds(), r.samplesPerSecond()));
    return s.toString();
  }
}
