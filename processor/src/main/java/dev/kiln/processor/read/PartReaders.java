package dev.kiln.processor.read;

import dev.kiln.processor.read.Decls.ActivationDecl;
import dev.kiln.processor.read.Decls.BatchNormDecl;
import dev.kiln.processor.read.Decls.DenseDecl;
import dev.kiln.processor.read.Decls.DropoutDecl;
import dev.kiln.processor.read.Decls.EmbeddingDecl;
import dev.kiln.processor.read.Decls.LayerNormDecl;
import dev.kiln.processor.read.Decls.PositionEmbeddingDecl;
import dev.kiln.processor.read.Decls.SelfAttentionDecl;
import dev.kiln.processor.read.Decls.PartDecl;
import java.util.List;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.VariableElement;

/**
 * The layer-part annotations and how each is read, in the fixed order parts apply within one
 * {@code Layer} field (DESIGN.md: core → {@code @BatchNorm} → {@code @Activation} → pooling →
 * {@code @Dropout}). A new part kind is one entry here, at its place in that order.
 */
public final class PartReaders {
  private PartReaders() {}

  /** Reads one part annotation found on a field. */
  @FunctionalInterface
  public interface Read {
    PartDecl read(Mirrors mirrors, VariableElement field, AnnotationMirror mirror);
  }

  /** A part annotation's qualified name and its reader. */
  public record PartReader(String annotation, Read read) {}

  /** Every part kind, in the order parts apply. */
  public static final List<PartReader> IN_ORDER = List.of(
      new PartReader(DslNames.DENSE, (mirrors, field, m) -> new DenseDecl(m,
          mirrors.attr(field, m, "value", Integer.class),
          mirrors.attr(field, m, "bias", Boolean.class),
          mirrors.attr(field, m, "init", String.class))),
      new PartReader(DslNames.EMBEDDING, (mirrors, field, m) -> new EmbeddingDecl(m,
          mirrors.attr(field, m, "value", Integer.class))),
      new PartReader(DslNames.POSITION_EMBEDDING, (mirrors, field, m) ->
          new PositionEmbeddingDecl(m)),
      new PartReader(DslNames.SELF_ATTENTION, (mirrors, field, m) -> new SelfAttentionDecl(m,
          mirrors.attr(field, m, "heads", Integer.class),
          mirrors.attr(field, m, "causal", Boolean.class),
          mirrors.attr(field, m, "bias", Boolean.class))),
      new PartReader(DslNames.LAYER_NORM, (mirrors, field, m) -> new LayerNormDecl(m,
          mirrors.attr(field, m, "epsilon", Double.class))),
      new PartReader(DslNames.CONV2D, Decls.Conv2dDecl::read),
      new PartReader(DslNames.BATCH_NORM, (mirrors, field, m) -> new BatchNormDecl(m,
          mirrors.attr(field, m, "momentum", Double.class),
          mirrors.attr(field, m, "epsilon", Double.class))),
      new PartReader(DslNames.ACTIVATION, (mirrors, field, m) -> new ActivationDecl(m,
          mirrors.attr(field, m, "value", String.class),
          mirrors.attr(field, m, "negativeSlope", Double.class))),
      new PartReader(DslNames.MAX_POOL, Decls.PoolDecl::readMax),
      new PartReader(DslNames.AVG_POOL, Decls.PoolDecl::readAvg),
      new PartReader(DslNames.GLOBAL_AVG_POOL, Decls.GlobalAvgPoolDecl::read),
      new PartReader(DslNames.DROPOUT, (mirrors, field, m) -> new DropoutDecl(m,
          mirrors.attr(field, m, "value", Double.class))));
}
