package dev.kiln.spark;

import dev.kiln.runtime.train.Trainer;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;

/**
 * A {@link TrainerFactory} that names a generated trainer by class, for command lines and
 * {@code spark-submit} jobs: it calls the trainer's one-argument constructor with {@code
 * <Network>.initialize(seed)}, the network class being the constructor's parameter type (as
 * generated: {@code new FashionTrainingTrainer(FashionMlpNetwork.initialize(42))}).
 */
public final class ReflectiveTrainerFactory implements TrainerFactory<Trainer> {
  private static final long serialVersionUID = 1L;
  private final String trainerClass;
  private final long seed;

  /**
   * @param trainerClass the generated trainer's binary name, e.g. {@code
   *     dev.kiln.samples.FashionTrainingTrainer}
   * @param seed the network's initialisation seed
   * @throws IllegalArgumentException if the class is missing or is not a generated trainer (no
   *     public constructor taking one network with a static {@code initialize(long)})
   */
  public ReflectiveTrainerFactory(String trainerClass, long seed) {
    this.trainerClass = trainerClass;
    this.seed = seed;
    constructor(); // fail on the driver, not in a task
  }

  @Override
  public Trainer create() {
    Constructor<?> c = constructor();
    try {
      Method initialize = c.getParameterTypes()[0].getMethod("initialize", long.class);
      return (Trainer) c.newInstance(initialize.invoke(null, seed));
    } catch (InvocationTargetException e) {
      throw new IllegalStateException("building " + trainerClass + " failed: "
          + e.getCause(), e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot build " + trainerClass + ": " + e, e);
    }
  }

  private Constructor<?> constructor() {
    Class<?> type;
    try {
      type = Class.forName(trainerClass, true, loader());
    } catch (ClassNotFoundException e) {
      throw new IllegalArgumentException("trainer class " + trainerClass + " is not on the class"
          + " path (for the sample: add kiln-samples.jar)", e);
    }
    if (!Trainer.class.isAssignableFrom(type)) {
      throw new IllegalArgumentException(trainerClass + " is not a Kiln trainer (it does not"
          + " implement " + Trainer.class.getName() + ")");
    }
    for (Constructor<?> c : type.getConstructors()) {
      if (c.getParameterCount() == 1) {
        try {
          Method m = c.getParameterTypes()[0].getMethod("initialize", long.class);
          if (Modifier.isStatic(m.getModifiers())) {
            return c;
          }
        } catch (NoSuchMethodException ignored) {
          // not a network parameter
        }
      }
    }
    throw new IllegalArgumentException(trainerClass + " has no public constructor taking a"
        + " network with a static initialize(long seed); is it a generated trainer?");
  }

  private static ClassLoader loader() {
    ClassLoader l = Thread.currentThread().getContextClassLoader();
    return l != null ? l : ReflectiveTrainerFactory.class.getClassLoader();
  }

  @Override
  public String toString() {
    return "ReflectiveTrainerFactory[" + trainerClass + ", seed " + seed + "]";
  }
}
