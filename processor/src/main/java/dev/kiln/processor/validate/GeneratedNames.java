package dev.kiln.processor.validate;

import javax.lang.model.element.Element;
import javax.lang.model.element.TypeElement;

/**
 * The simple names of generated classes. A top-level type {@code X} gives {@code XNetwork} or
 * {@code XTrainer} (DESIGN.md's names); a nested type's name is prefixed by its enclosing types
 * joined with {@code _}, as AutoValue's {@code AutoValue_Outer_Inner}: {@code
 * Experiments.Mnist} gives {@code Experiments_MnistNetwork}, so two nested types of the same
 * simple name in one package never generate the same class. (The underscore keeps {@code
 * Experiments.Mnist} apart from a top-level {@code ExperimentsMnist}.)
 */
public final class GeneratedNames {
  private GeneratedNames() {}

  /** The generated network's simple name for the {@code @Model} type {@code model}. */
  public static String network(TypeElement model) {
    return prefix(model) + "Network";
  }

  /** The generated trainer's simple name for the {@code @TrainingConfig} type {@code config}. */
  public static String trainer(TypeElement config) {
    return prefix(config) + "Trainer";
  }

  private static String prefix(TypeElement type) {
    StringBuilder name = new StringBuilder(type.getSimpleName());
    for (Element e = type.getEnclosingElement(); e instanceof TypeElement outer;
        e = e.getEnclosingElement()) {
      name.insert(0, outer.getSimpleName() + "_");
    }
    return name.toString();
  }
}
