package dev.kiln.runtime.schedule;

import dev.kiln.runtime.schedule.LearningRateSchedule;
import java.util.Arrays;

/**
 * Decay at milestones, {@code lr(t) = lr0·gamma^k} with {@code k} the number of milestones {@code
 * m ≤ t}: PyTorch's {@code MultiStepLR(milestones, gamma)}. {@code k} is found by binary search.
 */
public final class MultiStepDecaySchedule implements LearningRateSchedule {
  private final double base;
  private final long[] milestones;
  private final double gamma;

  /**
   * @param base {@code lr0}
   * @param milestones steps, each at least 1, strictly increasing, not empty (copied)
   * @param gamma factor per milestone, in (0, 1]
   * @throws IllegalArgumentException for a value out of range
   */
  public MultiStepDecaySchedule(double base, long[] milestones, double gamma) {
    if (milestones.length == 0) {
      throw new IllegalArgumentException("milestones must not be empty");
    }
    for (int i = 0; i < milestones.length; i++) {
      Checks.atLeast(milestones[i], i == 0 ? 1 : milestones[i - 1] + 1,
          "milestones[" + i + "] (strictly increasing)");
    }
    this.base = base;
    this.milestones = milestones.clone();
    this.gamma = Checks.inRange(gamma, 0, true, 1, false, "gamma");
  }

  @Override
  public double rate(long t) {
    int i = Arrays.binarySearch(milestones, Checks.step(t));
    int passed = i >= 0 ? i + 1 : -i - 1;
    return base * Math.pow(gamma, passed);
  }
}
