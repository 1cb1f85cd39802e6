package dev.kiln.processor.read;

import java.util.List;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.VariableElement;
import javax.lang.model.type.TypeMirror;

/** What the reader found in source, before validation: every value keeps its location. */
public final class Decls {
  private Decls() {}

  /**
   * A {@code @Model} type: {@code inputs} for a feature model, {@code vocabulary} and {@code
   * context} for a token model (0 where left out), and its fields.
   */
  public record ModelDecl(TypeElement type, AnnotationMirror mirror, Attr<int[]> inputs,
      Attr<Integer> vocabulary, Attr<Integer> context, BodyDecl body) {
    /** Whether the model declares a vocabulary or a context (a token model). */
    public boolean tokens() {
      return vocabulary.written() != null || context.written() != null;
    }
  }

  /**
   * The fields of a {@code @Model} or {@code @Block} type: its layer and block fields in order,
   * and the fields that are neither but carry their annotations.
   *
   * @param members {@code Layer} fields with parts and block-typed fields, in declaration order
   * @param annotatedNonLayers fields of another type that carry layer or block annotations
   * @param bareLayers {@code Layer} fields without any part
   * @param blockAnnotatedLayers {@code Layer} fields with {@code @Residual} or {@code @Repeat},
   *     with that annotation
   */
  public record BodyDecl(List<MemberDecl> members, List<VariableElement> annotatedNonLayers,
      List<VariableElement> bareLayers, List<Misplaced> blockAnnotatedLayers) {}

  /** An annotation on a field that cannot carry it. */
  public record Misplaced(VariableElement field, AnnotationMirror mirror) {}

  /** A member of a model or block: a {@code Layer} field or a field of a {@code @Block} type. */
  public sealed interface MemberDecl permits LayerDecl, BlockFieldDecl {
    /** The field. */
    VariableElement field();
  }

  /**
   * A field of a {@code @Block} type: {@code residual} and {@code repeatMirror} are null where
   * absent ({@code repeat} then holds 1).
   */
  public record BlockFieldDecl(VariableElement field, TypeElement block, AnnotationMirror residual,
      AnnotationMirror repeatMirror, Attr<Integer> repeat, LayerTrainingDecl training)
      implements MemberDecl {}

  /**
   * A {@code Layer} field with its part annotations in the fixed part order ({@link
   * PartReaders}). {@code training} holds the field's per-layer training annotations (never null).
   */
  public record LayerDecl(VariableElement field, List<PartDecl> parts,
      LayerTrainingDecl training) implements MemberDecl {
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
      permits DenseDecl, BatchNormDecl, ActivationDecl, DropoutDecl, EmbeddingDecl,
      PositionEmbeddingDecl, LayerNormDecl, SelfAttentionDecl, Conv2dDecl, PoolDecl,
      GlobalAvgPoolDecl {
    /** The annotation, for diagnostics. */
    AnnotationMirror mirror();
  }

  /**
   * {@code @L1}, {@code @L2}, {@code @WeightDecay}, {@code @Frozen} and {@code
   * @LearningRateScale} on a layer field, which override the training configuration for that
   * layer; absent ones are null.
   */
  public record LayerTrainingDecl(TermDecl l1, TermDecl l2, TermDecl weightDecay,
      AnnotationMirror frozen, Attr<Double> learningRateScale) {
    /** Without a learning-rate scale. */
    public LayerTrainingDecl(TermDecl l1, TermDecl l2, TermDecl weightDecay,
        AnnotationMirror frozen) {
      this(l1, l2, weightDecay, frozen, null);
    }

    /** Whether the field carries none of them. */
    public boolean isEmpty() {
      return l1 == null && l2 == null && weightDecay == null && frozen == null
          && learningRateScale == null;
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

  /** {@code @Embedding}. */
  public record EmbeddingDecl(AnnotationMirror mirror, Attr<Integer> width) implements PartDecl {}

  /** {@code @PositionEmbedding}. */
  public record PositionEmbeddingDecl(AnnotationMirror mirror) implements PartDecl {}

  /** {@code @LayerNorm}. */
  public record LayerNormDecl(AnnotationMirror mirror, Attr<Double> epsilon) implements PartDecl {}

  /** {@code @SelfAttention}. */
  public record SelfAttentionDecl(AnnotationMirror mirror, Attr<Integer> heads,
      Attr<Boolean> causal, Attr<Boolean> bias) implements PartDecl {}

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
