package dev.kiln.samples.cli;

import dev.kiln.runtime.train.EpochResult;
import dev.kiln.runtime.train.Evaluation;
import dev.kiln.runtime.train.Trainer;
import dev.kiln.runtime.train.TrainingListener;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.Locale;

/**
 * What a person sees while {@code train --model gpt} runs: on a terminal, {@link
 * ProgressListener}'s bar over each evaluation interval; in every case one line per evaluation on
 * {@code out}, in iterations and characters ("iter 250/2000 train loss … val loss … tokens/s").
 */
final class GptProgress implements TrainingListener {
  private final PrintStream out;
  private final ProgressListener bars;
  private final int tokensPerStep;
  private final int batch;
  private final int iterations;

  /**
   * @param bars whether to draw progress bars (a terminal is attached)
   * @param n sequences per batch
   * @param t characters per sequence
   * @param interval iterations between evaluations
   * @param iterations iterations of the whole run
   */
  GptProgress(PrintStream out, boolean bars, int n, int t, int interval, int iterations) {
    this.out = out;
    this.bars = bars ? new ProgressListener(new PrintStream(OutputStream.nullOutputStream()),
        true, n) : null;
    this.tokensPerStep = n * t;
    this.batch = n;
    this.iterations = iterations;
  }

  @Override
  public void onEpochStart(Trainer trainer, int epoch, int epochs, int steps) {
    if (bars != null) {
      bars.onEpochStart(trainer, epoch, epochs, steps);
    }
  }

  @Override
  public void onStep(Trainer trainer, long iteration, int epoch, float loss) {
    if (bars != null) {
      bars.onStep(trainer, iteration, epoch, loss);
    }
  }

  @Override
  public void onEpochEnd(Trainer trainer, EpochResult r) {
    if (bars != null) {
      bars.onEpochEnd(trainer, r);
    }
    out.println(line(r, trainer.iteration(), iterations, tokensPerStep / batch));
  }

  /** The line of one evaluation; {@code t} characters per sequence. */
  static String line(EpochResult r, long iteration, int iterations, int t) {
    Evaluation v = r.validation();
    if (r.samples() == 0) { // resumed at the interval's end: no steps, no train loss or speed
      return String.format(Locale.ROOT, "iter %5d/%d  (resumed at the end of this interval; no"
          + " steps left in it)%s", iteration, iterations, v == null ? ""
          : String.format(Locale.ROOT, "  val loss %.4f  val acc %.4f", v.loss(), v.accuracy()));
    }
    StringBuilder s = new StringBuilder(String.format(Locale.ROOT,
        "iter %5d/%d  train loss %.4f", iteration, iterations, r.trainLoss()));
    if (v != null) {
      s.append(String.format(Locale.ROOT, "  val loss %.4f  val acc %.4f", v.loss(),
          v.accuracy()));
    }
    s.append(String.format(Locale.ROOT, "  lr %.2e  %.1f s  %,.0f tokens/s", r.learningRate(),
        r.seconds(), r.samplesPerSecond() * t));
    return s.toString();
  }
}
