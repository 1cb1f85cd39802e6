package dev.kiln.samples.cli;

import dev.kiln.runtime.train.EpochResult;
import dev.kiln.runtime.train.Evaluation;
import dev.kiln.runtime.train.Trainer;
import dev.kiln.runtime.train.TrainingListener;
import java.io.PrintStream;
import java.util.Locale;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarConsumer;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * What a person sees while training: on a terminal, a progress bar per epoch (me.tongfei
 * progressbar, on standard error) showing the running loss, the learning rate and samples per
 * second; in every case one summary line per epoch on {@code out} (the only output when {@code
 * System.console()} is null, as in a pipe, a log file or CI).
 */
final class ProgressListener implements TrainingListener {
  private static final long MESSAGE_INTERVAL_NANOS = 200_000_000L;
  /** Terminals narrower than this get the compact bar. */
  static final int WIDE = 110;

  private final PrintStream out;
  private final boolean bars;
  private final int batchSize;
  private ProgressBar bar;
  private boolean compact;
  /** Where bars go; null for standard error (tests pass their own). */
  ProgressBarConsumer consumer;
  private int epochs;
  private long epochStart;
  private long lastMessage;
  private long samples;
  private double lossSum;
  private int stepsInEpoch;
  private int steps;

  /**
   * @param out where the per-epoch lines go
   * @param bars whether to draw progress bars (a terminal is attached)
   * @param batchSize rows per step, for samples per second
   */
  ProgressListener(PrintStream out, boolean bars, int batchSize) {
    this.out = out;
    this.bars = bars;
    this.batchSize = batchSize;
  }

  @Override
  public void onEpochStart(Trainer trainer, int epoch, int epochs, int steps) {
    this.epochs = epochs;
    epochStart = System.nanoTime();
    lastMessage = epochStart;
    samples = 0;
    lossSum = 0;
    stepsInEpoch = 0;
    this.steps = steps;
    if (bars) {
      bar = bar(consumer != null ? consumer : new ConsoleProgressBarConsumer(System.err), epoch,
          epochs, steps);
    }
  }

  /**
   * A bar laid out for the consumer's width: on a narrow terminal (under {@link #WIDE} columns)
   * the task name, unit and message are shortened and the ETA left out, so that the bar keeps at
   * least a fifth of the line and the samples/s figure is never cut.
   */
  ProgressBar bar(ProgressBarConsumer to, int epoch, int epochs, int steps) {
    compact = to.getMaxRenderedLength() < WIDE;
    ProgressBarBuilder b = new ProgressBarBuilder()
        .setTaskName(String.format(Locale.ROOT, compact ? "%d/%d" : "epoch %d/%d", epoch,
            epochs))
        .setInitialMax(steps).setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK)
        .setUpdateIntervalMillis(100).setUnit(compact ? "" : " steps", 1).setConsumer(to);
    if (compact) {
      b.hideEta();
    }
    return b.build();
  }

  /** The running figures after the bar: shorter on a narrow terminal. */
  String message(double loss, double learningRate, double samplesPerSecond) {
    return compact ? String.format(Locale.ROOT, " loss %.3f %s/s", loss,
        shortCount(samplesPerSecond))
        : String.format(Locale.ROOT, " loss %.4f  lr %.5f  %,.0f samples/s", loss,
            learningRate, samplesPerSecond);
  }

  /** 17,520 as 17.5k, 1,234,567 as 1.23M. */
  static String shortCount(double v) {
    if (v >= 1e6) {
      return String.format(Locale.ROOT, "%.3gM", v / 1e6);
    }
    if (v >= 1e3) {
      return String.format(Locale.ROOT, "%.3gk", v / 1e3);
    }
    return String.format(Locale.ROOT, "%.0f", v);
  }

  @Override
  public void onStep(Trainer trainer, long iteration, int epoch, float loss) {
    samples += batchSize;
    lossSum += loss;
    stepsInEpoch++;
    if (bar == null) {
      return;
    }
    bar.step();
    long now = System.nanoTime();
    if (now - lastMessage >= MESSAGE_INTERVAL_NANOS || stepsInEpoch == steps) {
      lastMessage = now;
      double seconds = (now - epochStart) / 1e9;
      bar.setExtraMessage(message(lossSum / stepsInEpoch, trainer.learningRate(),
          samples / seconds));
    }
  }

  @Override
  public void onEpochEnd(Trainer trainer, EpochResult r) {
    if (bar != null) {
      bar.close();
      bar = null;
    }
    out.println(line(r, epochs));
    if (!Double.isNaN(trainer.overallSparsity())) {
      StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "          sparsity %.3f",
          trainer.overallSparsity()));
      trainer.sparsity().forEach((layer, value) -> s.append(String.format(Locale.ROOT,
          "  %s %.3f", layer, value)));
      out.println(s);
    }
  }

  /** The summary line of an epoch. */
  static String line(EpochResult r, int epochs) {
    Evaluation v = r.validation();
    StringBuilder s = new StringBuilder(String.format(Locale.ROOT,
        "epoch %2d/%d  train loss %.4f", r.epoch(), epochs, r.trainLoss()));
    if (!Double.isNaN(r.trainAccuracy())) {
      s.append(String.format(Locale.ROOT, "  train acc %.4f", r.trainAccuracy()));
    }
    if (v != null) {
      s.append(String.format(Locale.ROOT, "  val loss %.4f  val acc %.4f", v.loss(),
          v.accuracy()));
    }
    s.append(String.format(Locale.ROOT, "  lr %.5f  %.1f s  %,.0f samples/s", r.learningRate(),
        r.seconds(), r.samplesPerSecond()));
    return s.toString();
  }
}
