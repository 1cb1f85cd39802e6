package dev.kiln.processor.validate;

import dev.kiln.processor.model.PruningSpec;
import dev.kiln.processor.model.Specs.LayerSpec;
import dev.kiln.processor.model.Specs.NetworkSpec;
import dev.kiln.processor.read.Attr;
import dev.kiln.processor.read.DslNames;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;

/**
 * Reads and checks {@code @Freeze} on a training configuration: each name is a layer of the model,
 * or a block path whose layers it freezes ({@code "blocks.2"} freezes {@code blocks.2.*}). A name
 * that matches no layer, a layer without trainable parameters, one that is {@code @Frozen} on the
 * model already, and one that {@code @Prune} prunes (its masks would change the weights) are
 * {@code [KilnFreezeLayer]} errors.
 */
final class FreezeRules {
  private FreezeRules() {}

  /** The layers frozen for this configuration, in network order; empty without {@code @Freeze}. */
  static List<String> check(RuleContext ctx, NetworkSpec network, PruningSpec pruning) {
    AnnotationMirror m = ctx.find(DslNames.FREEZE).orElse(null);
    if (m == null) {
      return List.of();
    }
    Attr<String[]> names = ctx.attr(m, "value", String[].class);
    String config = ctx.type().getSimpleName().toString();
    if (names.value().length == 0) {
      ctx.reporter().error(names, Diagnostic.FREEZE_LAYER, "", config,
          "no layer is named. Name the layers to freeze, or remove @Freeze.");
      return List.of();
    }
    Set<String> frozen = new LinkedHashSet<>();
    for (int i = 0; i < names.value().length; i++) {
      String name = names.value()[i];
      Attr<String> at = element(names, i);
      List<LayerSpec> matched = network.layers().stream()
          .filter(l -> l.name().equals(name) || l.name().startsWith(name + ".")).toList();
      String problem = null;
      if (matched.isEmpty()) {
        problem = "model " + network.target().sourceName() + " has no layer or block " + name
            + "; its layers are " + String.join(", ",
                network.layers().stream().map(LayerSpec::name).toList()) + ".";
      } else {
        List<LayerSpec> trainable = matched.stream().filter(FreezeRules::trainable).toList();
        LayerSpec pruned = pruning == null ? null : trainable.stream()
            .filter(l -> pruning.prunes(l.name())).findFirst().orElse(null);
        if (trainable.isEmpty()) {
          problem = matched.stream().anyMatch(l -> l.training().frozen())
              ? name + " is @Frozen on the model already; leave it out of @Freeze."
              : name + " has no parameters to train, so there is nothing to freeze.";
        } else if (pruned != null) {
          problem = "layer " + pruned.name() + " is pruned by @Prune, whose masks change its"
              + " weights. Leave it out of @Freeze, or out of pruning with @Prune(exclude = true)"
              + " on its field.";
        } else {
          trainable.forEach(l -> frozen.add(l.name()));
        }
      }
      if (problem != null) {
        ctx.reporter().error(at, Diagnostic.FREEZE_LAYER, name, config, problem);
      }
    }
    List<String> ordered = new ArrayList<>();
    for (LayerSpec layer : network.layers()) {
      if (frozen.contains(layer.name())) {
        ordered.add(layer.name());
      }
    }
    return ordered;
  }

  /** Element {@code i} of an array member, positioned on that element where it was written. */
  private static Attr<String> element(Attr<String[]> array, int i) {
    AnnotationValue written = array.written() != null
        && array.written().getValue() instanceof List<?> list && i < list.size()
        && list.get(i) instanceof AnnotationValue v ? v : array.written();
    return new Attr<>(array.value()[i], array.element(), array.mirror(), written);
  }

  /** Whether the layer has parameters the optimizer updates: trainable and not {@code @Frozen}. */
  private static boolean trainable(LayerSpec layer) {
    return !layer.training().frozen()
        && layer.parameters().stream().anyMatch(p -> p.kind().trainable());
  }
}
