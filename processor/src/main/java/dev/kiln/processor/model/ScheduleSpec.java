package dev.kiln.processor.model;

import java.util.List;

/**
 * The learning-rate schedule of a training configuration, checked. Lengths are in the schedule's
 * unit ({@code perEpoch}: epochs, else optimizer steps); {@link #AUTO} marks a length left out,
 * which the trainer learns when {@code fit} plans the run.
 */
public sealed interface ScheduleSpec {
  /** A length left out: the rest of the run ({@code dev.kiln.dsl.Steps.AUTO}). */
  int AUTO = -1;

  /** Whether the trainer must know the run's length (an {@link #AUTO} length or epoch units). */
  boolean needsPlan();

  /** No schedule annotation: the base rate at every step. */
  record Constant() implements ScheduleSpec {
    @Override
    public boolean needsPlan() {
      return false;
    }
  }

  /** {@code @StepDecay}. */
  record StepDecay(int stepSize, double gamma, boolean perEpoch) implements ScheduleSpec {
    @Override
    public boolean needsPlan() {
      return perEpoch;
    }
  }

  /** {@code @MultiStepDecay}; milestones strictly increasing, each at least 1. */
  record MultiStepDecay(List<Integer> milestones, double gamma, boolean perEpoch)
      implements ScheduleSpec {
    public MultiStepDecay {
      milestones = List.copyOf(milestones);
    }

    @Override
    public boolean needsPlan() {
      return perEpoch;
    }
  }

  /** {@code @ExponentialDecay}. */
  record Exponential(double gamma, boolean perEpoch) implements ScheduleSpec {
    @Override
    public boolean needsPlan() {
      return perEpoch;
    }
  }

  /** {@code @LinearDecay}. */
  record Linear(double startFactor, double endFactor, int steps, boolean perEpoch)
      implements ScheduleSpec {
    @Override
    public boolean needsPlan() {
      return perEpoch || steps == AUTO;
    }
  }

  /** {@code @PolynomialDecay}. */
  record Polynomial(int steps, double power, boolean perEpoch) implements ScheduleSpec {
    @Override
    public boolean needsPlan() {
      return perEpoch || steps == AUTO;
    }
  }

  /** {@code @CosineDecay}. */
  record Cosine(int steps, double minimum, boolean periodic, boolean perEpoch)
      implements ScheduleSpec {
    @Override
    public boolean needsPlan() {
      return perEpoch || steps == AUTO;
    }
  }

  /** {@code @CosineRestarts}. */
  record CosineRestarts(int firstCycle, int cycleMultiplier, double minimum, boolean perEpoch)
      implements ScheduleSpec {
    @Override
    public boolean needsPlan() {
      return perEpoch;
    }
  }

  /** {@code @OneCycle}; always in optimizer steps. */
  record OneCycle(double maxLearningRate, int totalSteps, double pctStart, boolean linear,
      double divFactor, double finalDivFactor, boolean cycleMomentum, double baseMomentum,
      double maxMomentum) implements ScheduleSpec {
    @Override
    public boolean needsPlan() {
      return totalSteps == AUTO;
    }
  }

  /** {@code @ReduceOnPlateau}: stateful, driven by the validation loss at each epoch's end. */
  record Plateau(double factor, int patience, double threshold, boolean relative, int cooldown,
      double minimum, boolean maximize) implements ScheduleSpec {
    @Override
    public boolean needsPlan() {
      return false;
    }
  }

  /** {@code @Warmup} before {@code after} (a {@link Constant} when no decay is given). */
  record Warmup(int steps, double startFactor, boolean constant, boolean perEpoch,
      ScheduleSpec after) implements ScheduleSpec {
    @Override
    public boolean needsPlan() {
      return perEpoch || after.needsPlan();
    }
  }
}
