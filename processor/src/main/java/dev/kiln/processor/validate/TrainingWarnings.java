package dev.kiln.processor.validate;

import dev.kiln.processor.model.BatchNormPart;
import dev.kiln.processor.model.Specs.LayerSpec;
import dev.kiln.processor.model.Specs.NetworkSpec;
import dev.kiln.processor.read.Attr;
import dev.kiln.processor.read.Decls.ConfigDecl;
import dev.kiln.processor.read.DslNames;
import java.util.List;
import javax.lang.model.element.AnnotationMirror;

/**
 * Configurations that compile and run but rarely do what was meant: warnings, not errors, since
 * each can be intended. Checked only on a configuration without errors.
 *
 * <ul>
 *   <li>every layer with parameters {@code @Frozen} on the model or named by {@code @Freeze}:
 *       nothing trains;
 *   <li>{@code @L2(applyTo = ALL)} on the configuration with a batch-norm layer that does not
 *       override it: gamma and beta are decayed toward 0 (PyTorch recipes usually exclude them).
 * </ul>
 *
 * <p>{@code @SuppressWarnings("<tag>")} on the configuration type silences one, for a
 * configuration that means it.
 */
final class TrainingWarnings {
  private TrainingWarnings() {}

  /**
   * @param frozenByConfig the layers the configuration's {@code @Freeze} names (checked names)
   */
  static void check(RuleContext ctx, ConfigDecl decl, NetworkSpec network,
      List<String> frozenByConfig) {
    SuppressWarnings suppressed = ctx.type().getAnnotation(SuppressWarnings.class);
    List<String> off = suppressed == null ? List.of() : List.of(suppressed.value());
    List<LayerSpec> trainable = network.layers().stream()
        .filter(l -> l.parameterCount() > 0).toList();
    if (!off.contains(Diagnostic.ALL_FROZEN.tag()) && !trainable.isEmpty()
        && trainable.stream().allMatch(
            l -> l.training().frozen() || frozenByConfig.contains(l.name()))) {
      ctx.reporter().warning(decl.model(), Diagnostic.ALL_FROZEN,
          network.target().sourceName(),
          String.join(", ", trainable.stream().map(LayerSpec::name).toList()));
    }
    AnnotationMirror l2 = ctx.find(DslNames.L2).orElse(null);
    if (l2 != null && !off.contains(Diagnostic.L2_DECAYS_BATCH_NORM.tag())) {
      Attr<String> applyTo = ctx.attr(l2, "applyTo", String.class);
      double value = ctx.attr(l2, "value", Double.class).value();
      if (applyTo.value().equals("ALL") && value > 0) {
        network.layers().stream()
            .filter(l -> l.has(BatchNormPart.class) && !l.training().frozen()
                && l.training().l2() == null)
            .findFirst()
            .ifPresent(l -> ctx.reporter().warning(applyTo, Diagnostic.L2_DECAYS_BATCH_NORM,
                l.name()));
      }
    }
  }
}
