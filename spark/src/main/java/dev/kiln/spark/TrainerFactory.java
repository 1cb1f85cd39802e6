package dev.kiln.spark;

import dev.kiln.runtime.train.Trainer;
import java.io.Serializable;

/**
 * Builds a fresh generated trainer (with its network) on the driver and in each Spark task. It is
 * serialised into the tasks, so a lambda must capture only serialisable values:
 *
 * <pre>{@code
 * TrainerFactory<FashionTrainingTrainer> factory =
 *     () -> new FashionTrainingTrainer(FashionMlpNetwork.initialize(42));
 * }</pre>
 *
 * <p>The initial values do not matter for the workers (every task overwrites the whole training
 * state with the driver's broadcast), only for the driver's trainer, whose state is the start of
 * the run. {@link ReflectiveTrainerFactory} names the trainer by class instead.
 *
 * @param <T> the generated trainer type
 */
@FunctionalInterface
public interface TrainerFactory<T extends Trainer> extends Serializable {
  /** A new trainer; called once on the driver and once per task slot and run on executors. */
  T create();
}
