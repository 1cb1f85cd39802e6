package dev.kiln.processor.validate;

import dev.kiln.processor.model.RegularizationSpec.LayerOverride;
import dev.kiln.processor.model.ResidualPart;
import dev.kiln.processor.model.Shape;
import dev.kiln.processor.model.Specs.LayerSpec;
import dev.kiln.processor.read.Decls.BlockFieldDecl;
import dev.kiln.processor.read.Decls.BodyDecl;
import dev.kiln.processor.read.Decls.LayerDecl;
import dev.kiln.processor.read.Decls.MemberDecl;
import dev.kiln.processor.read.Decls.Misplaced;
import dev.kiln.processor.read.Mirrors;
import dev.kiln.processor.read.Reader;
import dev.kiln.processor.read.DslNames;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.VariableElement;

/**
 * Flattens a model's fields into its layers in order, checking each layer with {@link
 * LayerRules}: a field of a {@code @Block} type contributes its block's layers (recursively),
 * named by their path ({@code blocks.2.attention.norm}, with the copy's index where the field
 * carries {@code @Repeat}); a {@code @Residual} copy is framed by a start layer and an end layer
 * ({@link ResidualPart}) whose shapes must agree. A block field's {@code @L1}, {@code @L2},
 * {@code @WeightDecay} and {@code @Frozen} apply to every layer inside it unless a layer (or an
 * inner block field) gives its own.
 *
 * <p>Errors: {@code [KilnResidualShape]}, {@code [KilnBadRepeat]}, {@code [KilnEmptyBlock]} (once
 * per block type), {@code [KilnCyclicBlock]}, {@code [KilnResidualOnLayer]}, and the body checks
 * of a model ({@code [KilnBareLayer]}, {@code [KilnNotALayerField]}, {@code [KilnStaticLayer]}).
 */
final class Blocks {
  private final Reporter reporter;
  private final Reader reader;
  private final int vocabulary;
  private final Deque<TypeElement> open = new ArrayDeque<>();
  private final Set<TypeElement> reportedEmpty = new HashSet<>();
  private final List<LayerSpec> out = new ArrayList<>();

  Blocks(Reporter reporter, Reader reader, int vocabulary) {
    this.reporter = reporter;
    this.reader = reader;
    this.vocabulary = vocabulary;
  }

  /** The layers of {@code type} (a model) with body {@code body}, from {@code input}. */
  List<LayerSpec> flatten(TypeElement type, BodyDecl body, Shape input) {
    open.push(type);
    body(body, "", input, LayerOverride.NONE);
    open.pop();
    return out;
  }

  private Shape body(BodyDecl body, String prefix, Shape shape, LayerOverride inherited) {
    for (VariableElement field : body.bareLayers()) {
      reporter.error(field, Diagnostic.BARE_LAYER, field.getSimpleName());
    }
    for (VariableElement field : body.annotatedNonLayers()) {
      reporter.error(field, Diagnostic.LAYER_ANNOTATION_ON_NON_LAYER, field.getSimpleName(),
          field.asType());
    }
    for (Misplaced m : body.blockAnnotatedLayers()) {
      String name = m.mirror().getAnnotationType().asElement().getSimpleName().toString();
      reporter.error(m.field(), m.mirror(), Diagnostic.RESIDUAL_ON_LAYER, name,
          m.field().getSimpleName());
    }
    for (MemberDecl member : body.members()) {
      if (member.field().getModifiers().contains(Modifier.STATIC)) {
        reporter.error(member.field(), Diagnostic.STATIC_LAYER, member.field().getSimpleName());
      }
      String name = prefix + member.field().getSimpleName();
      if (member instanceof LayerDecl layer) {
        boolean tokens = vocabulary > 0 && out.isEmpty();
        LayerSpec spec = LayerRules.check(layer, shape,
            new LayerRules.Place(name, tokens, vocabulary, inherited), reporter);
        out.add(spec);
        shape = spec.output();
      } else if (member instanceof BlockFieldDecl block) {
        shape = block(block, name, shape, inherited);
      }
    }
    return shape;
  }

  private Shape block(BlockFieldDecl field, String name, Shape shape, LayerOverride inherited) {
    TypeElement type = field.block();
    if (open.contains(type)) {
      String path = open.stream().map(t -> t.getSimpleName().toString())
          .collect(Collectors.joining(" -> ")) + " -> " + type.getSimpleName();
      reporter.error(field.field(), Diagnostic.CYCLIC_BLOCK, field.field().getSimpleName(),
          type.getSimpleName(), path);
      return shape;
    }
    BodyDecl body = reader.readBody(type);
    if (body.members().isEmpty()) {
      if (reportedEmpty.add(type)) {
        reporter.error(type, Mirrors.find(type, DslNames.BLOCK).orElseThrow(),
            Diagnostic.EMPTY_BLOCK, type.getSimpleName());
      }
      return shape;
    }
    int copies = 1;
    if (field.repeat() != null) {
      copies = field.repeat().value();
      if (copies < 1) {
        reporter.error(field.repeat(), Diagnostic.REPEAT_NOT_POSITIVE, copies);
        return shape;
      }
    }
    LayerOverride within = LayerRules.merge(RegularizationRules.layer(reporter,
        field.training()), inherited);
    open.push(type);
    for (int i = 0; i < copies; i++) {
      String path = field.repeat() != null ? name + "." + i : name;
      int errors = reporter.errorCount();
      if (field.residual() == null) {
        shape = body(body, path + ".", shape, within);
      } else {
        String start = path + ".residual";
        String end = path + ".sum";
        out.add(new LayerSpec(start, shape, List.of(new ResidualPart(true, end)), within));
        Shape result = body(body, path + ".", shape, within);
        if (!result.equals(shape) && reporter.errorCount() == errors) {
          reporter.error(field.field(), field.residual(), Diagnostic.RESIDUAL_SHAPE,
              field.field().getSimpleName(), result, shape);
        }
        out.add(new LayerSpec(end, result, List.of(new ResidualPart(false, start)), within));
      }
      if (reporter.errorCount() != errors) {
        break; // one copy's errors, not n
      }
    }
    open.pop();
    return shape;
  }
}
