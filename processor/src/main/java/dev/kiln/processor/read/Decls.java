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
  public record ModelDecl(TypeElement type, AnnotationMirror mirror, Attr<int[]> inputs,
      List<LayerDecl> layers, List<VariableElement> annotatedNonLayers,
      List<VariableElement> bareLayers) {}

  /**
   * A {@code Layer} field with its part annotations in the fixed part order ({@link
   * PartReaders}). {@code training} holds the field's per-layer training annotations (never null).
   */
  public record LayerDecl(VariableElement field, List<PartDecl> parts,
      LayerTrainingDecl training) {
    public LayerDecl {
      parts = List.copyOf(parts);
    }

    /** The part declaration of a kind, or null. */
    public <D extends PartDecl> D part(Class<D> kind) {
      return parts.stream().filter(kind::isInstance).map(kind::cast).findFirst().orElse(null);
    }
  }

  /** One layer-part annotation on a field, as read; each kind has its record below. */
  public sealed interface PartDecl
      permits DenseDecl, BatchNormDecl, ActivationDecl, DropoutDecl, Conv2dDecl, PoolDecl,
      GlobalAvgPoolDecl {
    /** The annotation, for diagnostics. */
    AnnotationMirror mirror();
  }

  /**
   * {@code @L1}, {@code @L2}, {@code @WeightDecay} and {@code @Frozen} on a layer field, which
   * override the training configuration for that layer; absent ones are null.
   */
  public record LayerTrainingDecl(TermDecl l1, TermDecl l2, TermDecl weightDecay,
      AnnotationMirror frozen) {
    /** Whether the field carries none of them. */
    public boolean isEmpty() {
      return l1 == null && l2 == null && weightDecay == null && frozen == null;
    }
  }

  /** A regularization annotation ({@code @L1}, {@code @L2}, {@code @WeightDecay}). */
  public record TermDecl(AnnotationMirror mirror, Attr<Double> value, Attr<String> applyTo) {}

  /** {@code @Dense}. */
  public record DenseDecl(AnnotationMirror mirror, Attr<Integer> units, Attr<Boolean> bias,
      Attr<String> init) implements PartDecl {}

  /** {@code @BatchNorm}. */
  public record BatchNormDecl(AnnotationMirror mirror, Attr<Double> momentum,
      Attr<Double> epsilon) implements PartDecl {}

  /** {@code @Activation}. */
  public record ActivationDecl(AnnotationMirror mirror, Attr<String> function,
      Attr<Double> negativeSlope) implements PartDecl {}

  /** {@code @Dropout}. */
  public record DropoutDecl(AnnotationMirror mirror, Attr<Double> rate) implements PartDecl {}

  /** {@code @Conv2d}; kernel, stride and padding as written (one or two values). */
  public record Conv2dDecl(AnnotationMirror mirror, Attr<Integer> filters, Attr<int[]> kernel,
      Attr<int[]> stride, Attr<int[]> padding, Attr<String> paddingMode, Attr<Boolean> bias,
      Attr<String> init) implements PartDecl {
    static Conv2dDecl read(Mirrors mirrors, VariableElement field, AnnotationMirror m) {
      return new Conv2dDecl(m, mirrors.attr(field, m, "filters", Integer.class),
          mirrors.attr(field, m, "kernel", int[].class),
          mirrors.attr(field, m, "stride", int[].class),
          mirrors.attr(field, m, "padding", int[].class),
          mirrors.attr(field, m, "paddingMode", String.class),
          mirrors.attr(field, m, "bias", Boolean.class),
          mirrors.attr(field, m, "init", String.class));
    }
  }

  /**
   * {@code @MaxPool} ({@code max} true) or {@code @AvgPool}; an empty stride means the window
   * size.
   */
  public record PoolDecl(AnnotationMirror mirror, boolean max, Attr<int[]> size,
      Attr<int[]> stride, Attr<int[]> padding) implements PartDecl {
    static PoolDecl readMax(Mirrors mirrors, VariableElement field, AnnotationMirror m) {
      return read(mirrors, field, m, true);
    }

    static PoolDecl readAvg(Mirrors mirrors, VariableElement field, AnnotationMirror m) {
      return read(mirrors, field, m, false);
    }

    private static PoolDecl read(Mirrors mirrors, VariableElement field, AnnotationMirror m,
        boolean max) {
      return new PoolDecl(m, max, mirrors.attr(field, m, "size", int[].class),
          mirrors.attr(field, m, "stride", int[].class),
          mirrors.attr(field, m, "padding", int[].class));
    }

    /** The annotation's name, {@code MaxPool} or {@code AvgPool}. */
    public String name() {
      return max ? "MaxPool" : "AvgPool";
    }
  }

  /** {@code @GlobalAvgPool}. */
  public record GlobalAvgPoolDecl(AnnotationMirror mirror) implements PartDecl {
    static GlobalAvgPoolDecl read(Mirrors mirrors, VariableElement field, AnnotationMirror m) {
      return new GlobalAvgPoolDecl(m);
    }
  }

  /** A {@code @TrainingConfig} type; absent optional annotations are null. */
  public record ConfigDecl(TypeElement type, AnnotationMirror mirror, Attr<TypeMirror> model,
      Attr<String> loss, Attr<Integer> batchSize, Attr<Integer> epochs, Attr<Long> seed,
      Attr<Double> labelSmoothing) {}
}
