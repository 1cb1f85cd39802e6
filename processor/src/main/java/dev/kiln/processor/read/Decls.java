package dev.kiln.processor.read;

import java.util.List;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.VariableElement;
import javax.lang.model.type.TypeMirror;

/** What the reader found in source, before validation: every value keeps its location. */
public final class Decls {
  private Decls() {}

  /** A {@code @Model} type. */
  public record ModelDecl(TypeElement type, AnnotationMirror mirror, Attr<Integer> inputs,
      List<LayerDecl> layers, List<VariableElement> annotatedNonLayers,
      List<VariableElement> bareLayers) {}

  /** A {@code Layer} field with its parts; absent parts are null. */
  public record LayerDecl(VariableElement field, DenseDecl dense, BatchNormDecl batchNorm,
      ActivationDecl activation, DropoutDecl dropout) {}

  public record DenseDecl(AnnotationMirror mirror, Attr<Integer> units, Attr<Boolean> bias,
      Attr<String> init) {}

  public record BatchNormDecl(AnnotationMirror mirror, Attr<Double> momentum,
      Attr<Double> epsilon) {}

  public record ActivationDecl(AnnotationMirror mirror, Attr<String> function,
      Attr<Double> negativeSlope) {}

  public record DropoutDecl(AnnotationMirror mirror, Attr<Double> rate) {}

  /** A {@code @TrainingConfig} type; absent optional annotations are null. */
  public record ConfigDecl(TypeElement type, AnnotationMirror mirror, Attr<TypeMirror> model,
      Attr<String> loss, Attr<Integer> batchSize, Attr<Integer> epochs, Attr<Long> seed,
      Attr<Double> labelSmoothing) {}
}
