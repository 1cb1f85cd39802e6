package dev.kiln.processor.write;

import com.palantir.javapoet.CodeBlock;
import dev.kiln.processor.model.Part;
import dev.kiln.processor.model.RegularizationSpec;
import dev.kiln.processor.model.Specs.LayerSpec;
import dev.kiln.processor.model.Specs.NetworkSpec;
import dev.kiln.processor.model.Specs.TrainingSpec;
import java.lang.reflect.RecordComponent;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Checkpoint fingerprints as data: the architecture and hyper-parameters as ordered {@code key →
 * value} entries that the runtime's {@code Fingerprint} compares field by field. The model's
 * entries come from the layers' parts ({@link Part#settings}); the configuration's from its spec
 * records, component by component (so a new hyper-parameter is in the fingerprint without code
 * here). The prose form of earlier versions is {@link CheckpointCode#legacyFingerprint}, kept so
 * their checkpoints still load.
 */
final class Fingerprints {
  private Fingerprints() {}

  /** The model's entries: input shape, layer order, each layer's parts and their settings. */
  static Map<String, String> model(NetworkSpec network) {
    Map<String, String> f = new LinkedHashMap<>();
    f.put("inputs", network.input().toString());
    f.put("layers", network.layers().stream().map(LayerSpec::name)
        .collect(Collectors.joining(",")));
    for (LayerSpec layer : network.layers()) {
      String prefix = "layers." + layer.name() + ".";
      f.put(prefix + "parts", layer.parts().stream().map(Part::kind)
          .collect(Collectors.joining(",")));
      for (int i = 0; i < layer.parts().size(); i++) {
        Part part = layer.parts().get(i);
        String kind = part.kind().substring(0, 1).toLowerCase(Locale.ROOT)
            + part.kind().substring(1);
        part.settings(layer.inputOf(i)).forEach((k, v) -> f.put(prefix + kind + "." + k, v));
      }
    }
    return f;
  }

  /** The model's entries, then the configuration's. */
  static Map<String, String> training(TrainingSpec spec) {
    Map<String, String> f = model(spec.network());
    f.put("loss", spec.loss().name());
    f.put("loss.labelSmoothing", Double.toString(spec.labelSmoothing()));
    f.put("batchSize", Integer.toString(spec.batchSize()));
    flatten(f, "optimizer", (Record) spec.optimizer());
    flatten(f, "schedule", (Record) spec.schedule());
    flatten(f, "clipping", (Record) spec.clipping());
    flatten(f, "regularization", spec.regularization());
    for (LayerSpec layer : spec.network().layers()) {
      if (!layer.training().equals(RegularizationSpec.LayerOverride.NONE)) {
        flatten(f, "layers." + layer.name() + ".training", layer.training());
      }
    }
    if (spec.pruning() != null) {
      flatten(f, "pruning", spec.pruning());
    }
    if (spec.distillation() != null) {
      f.put("distillation.teacher", spec.distillation().teacher().target().qualifiedSourceName());
      f.put("distillation.temperature", Double.toString(spec.distillation().temperature()));
      f.put("distillation.alpha", Double.toString(spec.distillation().alpha()));
    }
    return f;
  }

  /**
   * A spec record as entries under {@code prefix}: for a variant of a sealed spec (an optimizer,
   * a schedule …) {@code prefix.kind} (the variant's name), then one entry per component; nested
   * records nest, lists become comma-separated values, nulls are left out.
   */
  private static void flatten(Map<String, String> f, String prefix, Record value) {
    if (java.util.Arrays.stream(value.getClass().getInterfaces()).anyMatch(Class::isSealed)) {
      f.put(prefix + ".kind", value.getClass().getSimpleName());
    }
    for (RecordComponent c : value.getClass().getRecordComponents()) {
      Object v;
      try {
        v = c.getAccessor().invoke(value);
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException("cannot read " + c, e);
      }
      String key = prefix + "." + c.getName();
      if (v == null) {
        continue;
      } else if (v instanceof Record r) {
        flatten(f, key, r);
      } else if (v instanceof List<?> list) {
        f.put(key, list.stream().map(Fingerprints::text).collect(Collectors.joining(",")));
      } else {
        f.put(key, text(v));
      }
    }
  }

  private static String text(Object v) {
    if (v instanceof Record r) {
      return java.util.Arrays.stream(r.getClass().getRecordComponents()).map(c -> {
        try {
          return text(c.getAccessor().invoke(r));
        } catch (ReflectiveOperationException e) {
          throw new IllegalStateException("cannot read " + c, e);
        }
      }).collect(Collectors.joining(":"));
    } else if (v instanceof Enum<?> e) {
      return e.name();
    }
    return String.valueOf(v);
  }

  /**
   * {@code Fingerprint.of("key", "value", …).withLegacy(…)}: the structured entries and, for
   * files written before them, the prose form.
   */
  static CodeBlock code(Map<String, String> entries, Map<String, String> legacy) {
    CodeBlock.Builder b = CodeBlock.builder().add("$T.of(", RuntimeNames.FINGERPRINT);
    pairs(b, entries);
    b.add(")\n.withLegacy(");
    pairs(b, legacy);
    return b.add(")").build();
  }

  private static void pairs(CodeBlock.Builder b, Map<String, String> entries) {
    boolean first = true;
    for (Map.Entry<String, String> e : entries.entrySet()) {
      b.add(first ? "\n$S, $S" : ",\n$S, $S", e.getKey(), e.getValue());
      first = false;
    }
  }
}
