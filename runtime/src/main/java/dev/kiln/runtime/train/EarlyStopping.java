package dev.kiln.runtime.train;

/**
 * Stops {@code fit} when a validation metric has not improved for {@code patience} epochs and
 * optionally puts back the parameters of the best epoch, as Keras's {@code
 * EarlyStopping(monitor, min_delta, patience, restore_best_weights)}.
 *
 * <p>The rule, checked after each epoch's validation: the epoch improves when {@code value <
 * best - minDelta} (loss) or {@code value > best + minDelta} (accuracy); {@code best} starts at
 * +∞ (loss) or −∞ (accuracy), so the first epoch always improves. An improvement records the
 * epoch and, with {@code restoreBestParameters}, copies the network's parameters and batch-norm
 * running statistics ({@link Trainer#parameters()}) into arrays made once per run. Otherwise a
 * counter grows; when it reaches {@code patience} training stops and, with {@code
 * restoreBestParameters}, the copy is written back. As in Keras, the copy is written back only
 * when training stops early: a run that completes its epochs keeps the last parameters. The
 * optimizer's state (momentum) and the step counter are not rolled back (neither are Keras's).
 *
 * @param monitor the metric watched
 * @param patience epochs without improvement before stopping, at least 1
 * @param minDelta the smallest change that counts as an improvement, at least 0 (in the metric's
 *     units: loss per sample, or a fraction of samples)
 * @param restoreBestParameters whether stopping puts back the best epoch's parameters
 */
public record EarlyStopping(Monitor monitor, int patience, double minDelta,
    boolean restoreBestParameters) {
  /** What early stopping watches; both need validation data. */
  public enum Monitor {
    /** The validation loss, mean per sample; lower is better ({@code monitor="val_loss"}). */
    VALIDATION_LOSS,
    /** The validation accuracy; higher is better ({@code monitor="val_accuracy"}). */
    VALIDATION_ACCURACY
  }

  /**
   * @throws IllegalArgumentException if {@code monitor} is null, {@code patience < 1} or {@code
   *     minDelta} is negative or not finite
   */
  public EarlyStopping {
    if (monitor == null) {
      throw new IllegalArgumentException("monitor must not be null");
    }
    if (patience < 1) {
      throw new IllegalArgumentException("patience must be at least 1 epoch, got " + patience);
    }
    if (!(minDelta >= 0 && Double.isFinite(minDelta))) {
      throw new IllegalArgumentException("minDelta must be finite and >= 0, got " + minDelta);
    }
  }

  /** Stops after {@code patience} epochs without a lower validation loss; restores the best. */
  public static EarlyStopping onValidationLoss(int patience) {
    return new EarlyStopping(Monitor.VALIDATION_LOSS, patience, 0, true);
  }

  /** Stops after {@code patience} epochs without a higher validation accuracy; restores best. */
  public static EarlyStopping onValidationAccuracy(int patience) {
    return new EarlyStopping(Monitor.VALIDATION_ACCURACY, patience, 0, true);
  }

  /** This rule with another {@code minDelta}. */
  public EarlyStopping withMinDelta(double minDelta) {
    return new EarlyStopping(monitor, patience, minDelta, restoreBestParameters);
  }

  /** This rule with {@code restoreBestParameters} set as given. */
  public EarlyStopping withRestoreBestParameters(boolean restore) {
    return new EarlyStopping(monitor, patience, minDelta, restore);
  }

  /** The monitored value of an epoch's validation. */
  double value(Evaluation validation) {
    return monitor == Monitor.VALIDATION_LOSS ? validation.loss() : validation.accuracy();
  }

  /** Whether {@code value} improves on {@code best} by more than {@code minDelta}. */
  boolean improves(double value, double best) {
    return monitor == Monitor.VALIDATION_LOSS ? value < best - minDelta : value > best + minDelta;
  }

  /** The starting {@code best}: +∞ for the loss, −∞ for the accuracy. */
  double worst() {
    return monitor == Monitor.VALIDATION_LOSS ? Double.POSITIVE_INFINITY
        : Double.NEGATIVE_INFINITY;
  }
}
