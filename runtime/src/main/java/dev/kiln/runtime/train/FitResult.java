package dev.kiln.runtime.train;

import java.util.List;

/**
 * What a run of {@code fit} did.
 *
 * @param epochs one result per epoch run, in order (fewer than planned when stopped early)
 * @param bestEpoch with early stopping, the epoch (from 1) whose validation metric was best; 0
 *     without early stopping
 * @param stoppedEarly whether early stopping ended the run before its last epoch
 * @param restoredBest whether the parameters of {@code bestEpoch} were written back at the end
 */
public record FitResult(List<EpochResult> epochs, int bestEpoch, boolean stoppedEarly,
    boolean restoredBest) {
  public FitResult {
    epochs = List.copyOf(epochs);
  }

  /** The last epoch's result. */
  public EpochResult last() {
    return epochs.get(epochs.size() - 1);
  }
}
