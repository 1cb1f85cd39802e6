package dev.kiln.processor.read;

import dev.kiln.processor.read.Decls.BlockFieldDecl;
import dev.kiln.processor.read.Decls.BodyDecl;
import dev.kiln.processor.read.Decls.ConfigDecl;
import dev.kiln.processor.read.Decls.MemberDecl;
import dev.kiln.processor.read.Decls.Misplaced;
import dev.kiln.processor.read.Decls.LayerDecl;
import dev.kiln.processor.read.Decls.PartDecl;
import dev.kiln.processor.read.Decls.LayerTrainingDecl;
import dev.kiln.processor.read.Decls.TermDecl;
import dev.kiln.processor.read.Decls.ModelDecl;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.lang.model.element.Element;
import javax.lang.model.type.DeclaredType;
import javax.lang.model.type.TypeKind;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.VariableElement;
import javax.lang.model.type.TypeMirror;

/** Reads {@code @Model} and {@code @TrainingConfig} types into declarations; reports nothing. */
public final class Reader {
  private final Mirrors mirrors;

  public Reader(Mirrors mirrors) {
    this.mirrors = mirrors;
  }

  /** Reads a type that carries {@code @Model}, with the layers of its superclasses first. */
  public ModelDecl readModel(TypeElement type) {
    AnnotationMirror model = Mirrors.find(type, DslNames.MODEL).orElseThrow();
    return new ModelDecl(type, model, mirrors.attr(type, model, "inputs", int[].class),
        mirrors.attr(type, model, "vocabulary", Integer.class),
        mirrors.attr(type, model, "context", Integer.class), readBody(type));
  }

  /**
   * The fields of a {@code @Model} or {@code @Block} type. A field whose type carries {@code
   * @Block} is a block instance; its block type's own fields are read when the validator reaches
   * it.
   */
  public BodyDecl readBody(TypeElement type) {
    List<MemberDecl> members = new ArrayList<>();
    List<VariableElement> annotatedNonLayers = new ArrayList<>();
    List<VariableElement> bareLayers = new ArrayList<>();
    List<Misplaced> blockAnnotatedLayers = new ArrayList<>();
    for (VariableElement field : Hierarchy.fields(type)) {
      boolean isLayer = field.asType().toString().equals(DslNames.LAYER);
      TypeElement block = blockType(field);
      Optional<AnnotationMirror> residual = Mirrors.find(field, DslNames.RESIDUAL);
      Optional<AnnotationMirror> repeat = Mirrors.find(field, DslNames.REPEAT);
      LayerDecl layer = readLayer(field);
      boolean hasParts = !layer.parts().isEmpty();
      if (block != null && !hasParts) {
        members.add(new BlockFieldDecl(field, block, residual.orElse(null),
            repeat.orElse(null), repeat.map(m -> mirrors.attr(field, m, "value", Integer.class))
                .orElse(null), layer.training()));
        continue;
      }
      if (isLayer) {
        residual.or(() -> repeat).ifPresent(m -> blockAnnotatedLayers.add(new Misplaced(field, m)));
      }
      if (isLayer && hasParts) {
        members.add(layer);
      } else if (isLayer) {
        bareLayers.add(field);
      } else if (hasParts || !layer.training().isEmpty() || residual.isPresent()
          || repeat.isPresent()) {
        annotatedNonLayers.add(field);
      }
    }
    return new BodyDecl(members, annotatedNonLayers, bareLayers, blockAnnotatedLayers);
  }

  /** The field's type where it is a class annotated {@code @Block}, else null. */
  private static TypeElement blockType(VariableElement field) {
    if (field.asType().getKind() != TypeKind.DECLARED) {
      return null;
    }
    Element e = ((DeclaredType) field.asType()).asElement();
    return e instanceof TypeElement t && Mirrors.find(t, DslNames.BLOCK).isPresent() ? t : null;
  }

  private LayerDecl readLayer(VariableElement field) {
    List<PartDecl> parts = new ArrayList<>();
    for (PartReaders.PartReader part : PartReaders.IN_ORDER) {
      Mirrors.find(field, part.annotation())
          .ifPresent(m -> parts.add(part.read().read(mirrors, field, m)));
    }
    return new LayerDecl(field, parts, readTraining(field));
  }

  /**
   * The per-layer {@code @L1}, {@code @L2}, {@code @WeightDecay}, {@code @Frozen} and {@code
   * @LearningRateScale}.
   */
  private LayerTrainingDecl readTraining(VariableElement field) {
    return new LayerTrainingDecl(readTerm(field, DslNames.L1), readTerm(field, DslNames.L2),
        readTerm(field, DslNames.WEIGHT_DECAY),
        Mirrors.find(field, DslNames.FROZEN).orElse(null),
        Mirrors.find(field, DslNames.LEARNING_RATE_SCALE)
            .map(m -> mirrors.attr(field, m, "value", Double.class)).orElse(null));
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
