package dev.kiln.processor.validate;

import dev.kiln.processor.model.ActivationPart;
import dev.kiln.processor.model.BatchNormPart;
import dev.kiln.processor.model.Conv2dPart;
import dev.kiln.processor.model.DensePart;
import dev.kiln.processor.model.DropoutPart;
import dev.kiln.processor.model.GlobalAvgPoolPart;
import dev.kiln.processor.model.PoolPart;
import dev.kiln.processor.model.PruningSpec;
import dev.kiln.processor.model.ResidualPart;
import dev.kiln.processor.model.SelfAttentionPart;
import dev.kiln.processor.model.PruneScope;
import dev.kiln.processor.model.PruneStructure;
import dev.kiln.processor.model.PruningSpec.PrunedLayer;
import dev.kiln.processor.model.Specs.LayerSpec;
import dev.kiln.processor.model.Specs.NetworkSpec;
import dev.kiln.processor.read.Attr;
import dev.kiln.processor.read.DslNames;
import dev.kiln.processor.read.Mirrors;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.VariableElement;
import javax.lang.model.util.ElementFilter;

/**
 * Reads and checks {@code @Prune}: on the training configuration (the schedule: sparsities in
 * [0, 1) with {@code initialSparsity ≤ finalSparsity}, {@code 0 ≤ beginStep ≤ endStep}, {@code
 * frequency ≥ 1}, {@code finalSparsity} and {@code endStep} required, no {@code exclude}; or
 * instead of the steps the fractions of the run {@code 0 ≤ beginFraction ≤ endFraction ≤ 1},
 * never beside a step member) and on
 * the model's layer fields ({@code exclude} or a layer's own {@code finalSparsity}, the latter
 * only with {@code PER_LAYER}; only on {@code @Dense}, {@code @Conv2d} and {@code
 * @SelfAttention} layers that are not {@code @Frozen}, and under {@code NEURONS} not on a layer
 * whose units are the network's outputs). {@code NEURONS} needs a network of dense and
 * convolution layers (what {@code compact()} shrinks), not blocks or sequences; unstructured
 * pruning works on every model. Field annotations
 * are read only when the configuration has {@code @Prune}: without it they do nothing, so one
 * model serves pruned and unpruned trainings.
 */
final class PruningRules {
  private PruningRules() {}

  private static final int UNSET = -1;
  private static final List<String> CONFIG_ONLY = List.of("initialSparsity", "beginStep",
      "endStep", "beginFraction", "endFraction", "frequency", "scope", "structure");

  /** The configuration's pruning, or null without {@code @Prune} or after reporting an error. */
  static PruningSpec check(RuleContext ctx, NetworkSpec network, TypeElement model) {
    AnnotationMirror m = ctx.find(DslNames.PRUNE).orElse(null);
    if (m == null) {
      return null;
    }
    Reporter reporter = ctx.reporter();
    int before = reporter.errorCount();
    Attr<Boolean> exclude = ctx.attr(m, "exclude", Boolean.class);
    if (exclude.written() != null) {
      reporter.error(exclude, Diagnostic.PRUNE_MEMBER, "exclude",
          "training configuration " + ctx.type().getSimpleName(), "exclude applies to a layer"
              + " field of the model; to train without pruning, remove @Prune.");
    }
    Attr<Double> initial = ctx.attr(m, "initialSparsity", Double.class);
    boolean initialOk = sparsity(reporter, initial, "initialSparsity");
    Attr<Double> target = ctx.attr(m, "finalSparsity", Double.class);
    boolean targetOk = false;
    if (target.written() == null) {
      reporter.error(ctx.type(), m, Diagnostic.PRUNE_NO_TARGET, ctx.type().getSimpleName());
    } else {
      targetOk = sparsity(reporter, target, "finalSparsity");
    }
    if (initialOk && targetOk && target.value() < initial.value()) {
      reporter.error(target, Diagnostic.PRUNE_SPARSITY_ORDER, target.value(), "",
          initial.value());
    }
    Attr<Integer> begin = ctx.attr(m, "beginStep", Integer.class);
    Attr<Integer> end = ctx.attr(m, "endStep", Integer.class);
    Fractions fractions = fractions(ctx, m, begin, end);
    if (fractions != null) {
      // in fractions of the run: the step members are not used
    } else if (begin.value() < 0) {
      reporter.error(begin, Diagnostic.PRUNE_STEPS, begin.value(), end.value(), "");
    } else if (end.written() == null) {
      reporter.error(ctx.type(), m, Diagnostic.PRUNE_STEPS, begin.value(), "(not given)",
          "; endStep, the step at which finalSparsity is reached, is required");
    } else if (end.value() < begin.value()) {
      reporter.error(end, Diagnostic.PRUNE_STEPS, begin.value(), end.value(), "");
    }
    Attr<Integer> frequency = ctx.attr(m, "frequency", Integer.class);
    if (frequency.value() < 1) {
      reporter.error(frequency, Diagnostic.PRUNE_FREQUENCY, frequency.value());
    }
    PruneScope scope = DslEnums.of(reporter, ctx.attr(m, "scope", String.class), "scope",
        PruneScope.class);
    PruneStructure structure = DslEnums.of(reporter, ctx.attr(m, "structure", String.class),
        "structure", PruneStructure.class);
    if (scope == null || structure == null) {
      return null;
    }
    if (structure == PruneStructure.NEURONS && !neuronsAllowed(ctx, m, network)) {
      return null;
    }
    Map<String, Double> overrides = new HashMap<>();
    Map<String, Boolean> excluded = new HashMap<>();
    fields(ctx, network, model, scope, structure, initialOk ? initial.value() : 0, overrides,
        excluded);
    if (reporter.errorCount() != before) {
      return null;
    }
    List<PrunedLayer> layers = new ArrayList<>();
    for (LayerSpec layer : network.layers()) {
      if (prunable(network, layer, structure) && !excluded.containsKey(layer.name())) {
        layers.add(new PrunedLayer(layer.name(),
            overrides.getOrDefault(layer.name(), Double.NaN)));
      }
    }
    if (layers.isEmpty()) {
      reporter.error(ctx.type(), m, Diagnostic.PRUNE_NOTHING, model.getSimpleName(),
          excluded.isEmpty() ? "no candidate layer" : "excluded: " + String.join(", ",
              excluded.keySet().stream().sorted().toList()),
          structure == PruneStructure.NEURONS ? " and, with structure = NEURONS, have another dense"
              + " or convolution layer after them" : "");
      return null;
    }
    return fractions == null
        ? new PruningSpec(initial.value(), target.value(), begin.value(), end.value(),
            frequency.value(), scope, structure, layers)
        : new PruningSpec(initial.value(), target.value(), -1, -1, frequency.value(), scope,
            structure, layers, fractions.begin(), fractions.end());
  }

  /** A schedule in fractions of the run. */
  private record Fractions(double begin, double end) {}

  /**
   * The schedule's fractions of the run, or null where neither is given (a schedule in steps) or
   * after reporting: a fraction outside [0, 1], {@code beginFraction > endFraction}, a fraction
   * beside a step member, or {@code beginFraction} without {@code endFraction}.
   */
  private static Fractions fractions(RuleContext ctx, AnnotationMirror m, Attr<Integer> begin,
      Attr<Integer> end) {
    Attr<Double> from = ctx.attr(m, "beginFraction", Double.class);
    Attr<Double> to = ctx.attr(m, "endFraction", Double.class);
    if (from.written() == null && to.written() == null) {
      return null;
    }
    Reporter reporter = ctx.reporter();
    int before = reporter.errorCount();
    for (Attr<Integer> step : List.of(begin, end)) {
      if (step.written() != null) {
        reporter.error(step, Diagnostic.PRUNE_STEPS_AND_FRACTIONS,
            step == begin ? "beginStep" : "endStep",
            from.written() != null ? "beginFraction" : "endFraction");
      }
    }
    double b = from.written() == null ? 0 : from.value();
    String text = from.written() == null ? "(not given: 0)" : String.valueOf(b);
    if (to.written() == null) {
      reporter.error(from, Diagnostic.PRUNE_FRACTIONS, text, "(not given)",
          "; endFraction, where finalSparsity is reached, is required with beginFraction");
    } else if (!(b >= 0 && b <= 1)) {
      reporter.error(from, Diagnostic.PRUNE_FRACTIONS, text, to.value(), "");
    } else if (!(to.value() >= b && to.value() <= 1)) {
      reporter.error(to, Diagnostic.PRUNE_FRACTIONS, text, to.value(), "");
    }
    return reporter.errorCount() != before ? new Fractions(Double.NaN, Double.NaN)
        : new Fractions(b, to.value());
  }

  /** Checks every {@code @Prune} on the model's fields; records targets and exclusions. */
  private static void fields(RuleContext ctx, NetworkSpec network, TypeElement model,
      PruneScope scope, PruneStructure structure, double initial, Map<String, Double> overrides,
      Map<String, Boolean> excluded) {
    Reporter reporter = ctx.reporter();
    Mirrors mirrors = ctx.mirrors();
    for (VariableElement field : ElementFilter.fieldsIn(model.getEnclosedElements())) {
      AnnotationMirror m = Mirrors.find(field, DslNames.PRUNE).orElse(null);
      if (m == null) {
        continue;
      }
      String name = field.getSimpleName().toString();
      int before = reporter.errorCount();
      for (String member : CONFIG_ONLY) {
        Attr<?> a = mirrors.attr(field, m, member, Object.class);
        if (a.written() != null) {
          reporter.error(a, Diagnostic.PRUNE_MEMBER, member, "layer field " + name,
              "only exclude and finalSparsity apply to one layer; the schedule is set by the"
                  + " training configuration's @Prune.");
        }
      }
      Attr<Boolean> exclude = mirrors.attr(field, m, "exclude", Boolean.class);
      Attr<Double> target = mirrors.attr(field, m, "finalSparsity", Double.class);
      if (exclude.value() && target.written() != null) {
        reporter.error(target, Diagnostic.PRUNE_MEMBER, "finalSparsity", "layer field " + name,
            "an excluded layer (exclude = true) has no target. Remove one of them.");
      }
      if (reporter.errorCount() != before) {
        continue;
      }
      LayerSpec layer = network.layers().stream().filter(l -> l.name().equals(name))
          .findFirst().orElse(null);
      String problem = layer == null ? "it is not a layer of the model"
          : !hasPrunedWeight(layer) ? "layer " + name + " has no @Dense, @Conv2d or"
              + " @SelfAttention weight"
          : layer.training().frozen() ? "layer " + name + " is @Frozen and never updated"
          : !exclude.value() && structure == PruneStructure.NEURONS && isOutput(network, layer)
              ? "with structure = NEURONS, the units of layer " + name + " are the network's"
                  + " outputs, which are never removed"
          : null;
      if (problem != null && !(exclude.value() && layer != null && hasPrunedWeight(layer))) {
        reporter.error(field, m, Diagnostic.PRUNE_LAYER, name, problem);
        continue;
      }
      if (exclude.value()) {
        excluded.put(name, true);
      } else if (target.written() != null && sparsity(reporter, target, "finalSparsity")) {
        if (scope == PruneScope.GLOBAL) {
          reporter.error(target, Diagnostic.PRUNE_LAYER_TARGET, target.value(), name);
        } else if (target.value() < initial) {
          reporter.error(target, Diagnostic.PRUNE_SPARSITY_ORDER, target.value(),
              " on layer " + name, initial);
        } else {
          overrides.put(name, target.value());
        }
      }
    }
  }

  /** A sparsity member in [0, 1); reports and returns false otherwise. */
  private static boolean sparsity(Reporter reporter, Attr<Double> value, String member) {
    if (value.value() >= 0 && value.value() < 1) {
      return true;
    }
    reporter.error(value, Diagnostic.PRUNE_SPARSITY, member, value.value());
    return false;
  }

  /**
   * Whether {@code layer} has a weight pruning acts on: a dense, convolution or attention-projection
   * weight (embedding tables are looked up, not multiplied, and are left alone).
   */
  static boolean hasPrunedWeight(LayerSpec layer) {
    return layer.has(DensePart.class) || layer.has(Conv2dPart.class)
        || layer.has(SelfAttentionPart.class);
  }

  /**
   * With {@code structure = NEURONS}: true where every layer is made of dense, convolution, batch
   * norm, activation, pooling and dropout parts, which is what {@code compact()} removes units
   * and channels from; otherwise (blocks, residual connections, sequences) reports {@link
   * Diagnostic#PRUNE_NEURONS} on the first other layer and returns false.
   */
  private static boolean neuronsAllowed(RuleContext ctx, AnnotationMirror m,
      NetworkSpec network) {
    for (LayerSpec layer : network.layers()) {
      boolean compactable = layer.parts().stream().allMatch(p -> p instanceof DensePart
          || p instanceof BatchNormPart || p instanceof ActivationPart
          || p instanceof DropoutPart || p instanceof Conv2dPart || p instanceof PoolPart
          || p instanceof GlobalAvgPoolPart);
      if (network.tokens() || !compactable) {
        Attr<String> structure = ctx.attr(m, "structure", String.class);
        ctx.reporter().error(structure, Diagnostic.PRUNE_NEURONS, layer.name(),
            network.target().sourceName(), layer.has(ResidualPart.class)
                ? "a residual connection" : layer.describe() + " on " + layer.input());
        return false;
      }
    }
    return true;
  }

  /** Whether {@code layer} is pruned unless excluded. */
  private static boolean prunable(NetworkSpec network, LayerSpec layer, PruneStructure structure) {
    return hasPrunedWeight(layer) && !layer.training().frozen()
        && !(structure == PruneStructure.NEURONS && isOutput(network, layer));
  }

  /**
   * Whether no dense or convolution layer follows {@code layer}: its units (or channels) reach
   * the network's outputs.
   */
  static boolean isOutput(NetworkSpec network, LayerSpec layer) {
    List<LayerSpec> layers = network.layers();
    for (int i = layers.indexOf(layer) + 1; i < layers.size(); i++) {
      if (layers.get(i).has(DensePart.class) || layers.get(i).has(Conv2dPart.class)) {
        return false;
      }
    }
    return true;
  }
}
