package dev.kiln.processor.read;

import dev.kiln.processor.read.Decls.ConfigDecl;
import dev.kiln.processor.read.Decls.LayerDecl;
import dev.kiln.processor.read.Decls.PartDecl;
import dev.kiln.processor.read.Decls.LayerTrainingDecl;
import dev.kiln.processor.read.Decls.TermDecl;
import dev.kiln.processor.read.Decls.ModelDecl;
import java.util.ArrayList;
import java.util.List;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.VariableElement;
import javax.lang.model.type.TypeMirror;
import javax.lang.model.util.ElementFilter;

/** Reads {@code @Model} and {@code @TrainingConfig} types into declarations; reports nothing. */
public final class Reader {
  private final Mirrors mirrors;

  public Reader(Mirrors mirrors) {
    this.mirrors = mirrors;
  }

  /** Reads a type that carries {@code @Model}. */
  public ModelDecl readModel(TypeElement type) {
    AnnotationMirror model = Mirrors.find(type, DslNames.MODEL).orElseThrow();
    List<LayerDecl> layers = new ArrayList<>();
    List<VariableElement> annotatedNonLayers = new ArrayList<>();
    List<VariableElement> bareLayers = new ArrayList<>();
    for (VariableElement field : ElementFilter.fieldsIn(type.getEnclosedElements())) {
      boolean isLayer = field.asType().toString().equals(DslNames.LAYER);
      LayerDecl layer = readLayer(field);
      boolean hasParts = !layer.parts().isEmpty();
      if (isLayer && hasParts) {
        layers.add(layer);
      } else if (isLayer) {
        bareLayers.add(field);
      } else if (hasParts || !layer.training().isEmpty()) {
        annotatedNonLayers.add(field);
      }
    }
    return new ModelDecl(type, model, mirrors.attr(type, model, "inputs", int[].class), layers,
        annotatedNonLayers, bareLayers);
  }

  private LayerDecl readLayer(VariableElement field) {
    List<PartDecl> parts = new ArrayList<>();
    for (PartReaders.PartReader part : PartReaders.IN_ORDER) {
      Mirrors.find(field, part.annotation())
          .ifPresent(m -> parts.add(part.read().read(mirrors, field, m)));
    }
    return new LayerDecl(field, parts, readTraining(field));
  }

  /** The per-layer {@code @L1}, {@code @L2}, {@code @WeightDecay} and {@code @Frozen}. */
  private LayerTrainingDecl readTraining(VariableElement field) {
    return new LayerTrainingDecl(readTerm(field, DslNames.L1), readTerm(field, DslNames.L2),
        readTerm(field, DslNames.WEIGHT_DECAY),
        Mirrors.find(field, DslNames.FROZEN).orElse(null));
  }

  /** A regularization annotation ({@code value}, {@code applyTo}) on a field, or null. */
  private TermDecl readTerm(VariableElement element, String annotation) {
    return Mirrors.find(element, annotation).map(m -> new TermDecl(m,
        mirrors.attr(element, m, "value", Double.class),
        mirrors.attr(element, m, "applyTo", String.class))).orElse(null);
  }

  /**
   * Reads a type that carries {@code @TrainingConfig}: its own members. The optimizer, schedule,
   * clipping and regularization annotations beside it are read by their rules classes.
   */
  public ConfigDecl readConfig(TypeElement type) {
    AnnotationMirror c = Mirrors.find(type, DslNames.TRAINING_CONFIG).orElseThrow();
    return new ConfigDecl(type, c, mirrors.attr(type, c, "model", TypeMirror.class),
        mirrors.attr(type, c, "loss", String.class),
        mirrors.attr(type, c, "batchSize", Integer.class),
        mirrors.attr(type, c, "epochs", Integer.class),
        mirrors.attr(type, c, "seed", Long.class),
        mirrors.attr(type, c, "labelSmoothing", Double.class));
  }
}
