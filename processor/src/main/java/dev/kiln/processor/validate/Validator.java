package dev.kiln.processor.validate;

import dev.kiln.processor.model.ClippingSpec;
import dev.kiln.processor.model.OptimizerSpec;
import dev.kiln.processor.model.PruningSpec;
import dev.kiln.processor.model.RegularizationSpec;
import dev.kiln.processor.model.ScheduleSpec;
import dev.kiln.processor.model.LossKind;
import dev.kiln.processor.model.Part;
import dev.kiln.processor.model.Shape;
import dev.kiln.processor.model.Specs.LayerSpec;
import dev.kiln.processor.model.Specs.NetworkSpec;
import dev.kiln.processor.model.Specs.Target;
import dev.kiln.processor.model.Specs.TrainingSpec;
import dev.kiln.processor.read.Attr;
import dev.kiln.processor.read.Decls.ConfigDecl;
import dev.kiln.processor.read.Decls.LayerDecl;
import dev.kiln.processor.read.Decls.ModelDecl;
import dev.kiln.processor.read.Mirrors;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.PackageElement;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.VariableElement;
import javax.lang.model.type.DeclaredType;
import javax.lang.model.util.Elements;

/**
 * Checks declarations, reports every independent error of a type, and infers shapes. A spec is
 * returned only for a type without errors, so nothing is generated from a broken description.
 */
public final class Validator {
  private final Reporter reporter;
  private final Elements elements;
  private final Mirrors mirrors;

  public Validator(Reporter reporter, Elements elements) {
    this.reporter = reporter;
    this.elements = elements;
    this.mirrors = new Mirrors(elements);
  }

  /** The reporter this validator reports through. */
  public Reporter reporter() {
    return reporter;
  }

  /** Validates a model and infers each layer's shape. */
  public Optional<NetworkSpec> network(ModelDecl decl) {
    int before = reporter.errorCount();
    Shape shape = inputShape(decl.inputs());
    for (VariableElement field : decl.bareLayers()) {
      reporter.error(field, Diagnostic.BARE_LAYER, field.getSimpleName());
    }
    for (VariableElement field : decl.annotatedNonLayers()) {
      reporter.error(field, Diagnostic.LAYER_ANNOTATION_ON_NON_LAYER, field.getSimpleName(),
          field.asType());
    }
    if (decl.layers().isEmpty() && decl.bareLayers().isEmpty()) {
      reporter.error(decl.type(), decl.mirror(), Diagnostic.NO_LAYERS, decl.type().getSimpleName());
    }
    for (LayerDecl layer : decl.layers()) {
      if (layer.field().getModifiers().contains(Modifier.STATIC)) {
        reporter.error(layer.field(), Diagnostic.STATIC_LAYER, layer.field().getSimpleName());
      }
    }
    List<LayerSpec> layers = new ArrayList<>();
    Shape input = shape;
    for (LayerDecl layer : shape == null ? List.<LayerDecl>of() : decl.layers()) {
      LayerSpec spec = LayerRules.check(layer, shape, reporter);
      layers.add(spec);
      shape = spec.output();
    }
    if (reporter.errorCount() != before) {
      return Optional.empty();
    }
    return Optional.of(new NetworkSpec(target(decl.type()), decl.type().getSimpleName() + "Network",
        input, layers));
  }

  /**
   * {@code @Model(inputs)}: {@code [features]} or {@code [C, H, W]}, every dimension at least 1;
   * null after an error (reported): the layers' shapes are then not checked, which would only
   * repeat the mistake.
   */
  private Shape inputShape(Attr<int[]> inputs) {
    int[] dims = inputs.value();
    String text = WindowRules.text(dims);
    if (dims.length != 1 && dims.length != 3) {
      reporter.error(inputs, Diagnostic.INPUTS_RANK, text, dims.length);
      return null;
    }
    if (java.util.Arrays.stream(dims).anyMatch(d -> d < 1)) {
      reporter.error(inputs, Diagnostic.INPUTS_NOT_POSITIVE, text);
      return null;
    }
    return Shape.of(dims);
  }

  /** Validates a training configuration against its (already checked) network. */
  public Optional<TrainingSpec> training(ConfigDecl decl, NetworkSpec network) {
    int before = reporter.errorCount();
    if (decl.batchSize().value() < 1) {
      reporter.error(decl.batchSize(), Diagnostic.BATCH_SIZE_NOT_POSITIVE, decl.batchSize().value());
    }
    if (decl.epochs().value() < 1) {
      reporter.error(decl.epochs(), Diagnostic.EPOCHS_NOT_POSITIVE, decl.epochs().value());
    }
    LossKind loss = DslEnums.of(reporter, decl.loss(), "loss", LossKind.class);
    if (loss == null) {
      return Optional.empty();
    }
    double smoothing = decl.labelSmoothing().value();
    if (!(smoothing >= 0 && smoothing < 1)) {
      reporter.error(decl.labelSmoothing(), Diagnostic.LABEL_SMOOTHING_RANGE, smoothing);
    } else if (smoothing > 0 && loss != LossKind.SOFTMAX_CROSS_ENTROPY) {
      reporter.error(decl.labelSmoothing(), Diagnostic.LABEL_SMOOTHING_LOSS, smoothing, loss);
    }
    if (loss == LossKind.SOFTMAX_CROSS_ENTROPY && network.outputs() < 2) {
      reporter.error(decl.loss(), Diagnostic.LOSS_OUTPUT_MISMATCH, network.outputs());
    }
    Attr<Boolean> multiLabel = mirrors.attr(decl.type(), decl.mirror(), "multiLabel",
        Boolean.class);
    boolean binary = loss == LossKind.SIGMOID_BINARY_CROSS_ENTROPY;
    if (multiLabel.value() && !binary) {
      reporter.error(multiLabel, Diagnostic.MULTI_LABEL_LOSS, loss);
    } else if (binary && network.outputs() > 1 && !multiLabel.value()) {
      reporter.error(decl.loss(), Diagnostic.BINARY_LOSS_OUTPUTS, network.outputs(),
          network.outputs());
    }
    if (network.parameterCount() == 0) {
      reporter.error(decl.model(), Diagnostic.NO_PARAMETERS, network.target().sourceName());
    }
    if (decl.batchSize().value() == 1 && network.usesBatchStatistics()) {
      String layer = network.layers().stream()
          .filter(l -> l.parts().stream().anyMatch(Part::usesBatchStatistics)).findFirst()
          .orElseThrow().name();
      reporter.error(decl.batchSize(), Diagnostic.BATCH_NORM_NEEDS_TWO, 1, layer);
    }
    RuleContext ctx = new RuleContext(decl.type(), mirrors, reporter);
    OptimizerSpec optimizer = OptimizerRules.check(ctx, decl.mirror());
    ScheduleSpec schedule = ScheduleRules.check(ctx, optimizer);
    ClippingSpec clipping = ClippingRules.check(ctx);
    RegularizationSpec regularization = RegularizationRules.check(ctx);
    PruningSpec pruning = PruningRules.check(ctx, network,
        (TypeElement) ((DeclaredType) decl.model().value()).asElement());
    DistillationRules.Result distillation = DistillationRules.check(ctx, elements, loss, network);
    if (reporter.errorCount() != before || !distillation.ok()) {
      return Optional.empty();
    }
    return Optional.of(new TrainingSpec(target(decl.type()),
        decl.type().getSimpleName() + "Trainer", network, loss, decl.batchSize().value(),
        decl.epochs().value(), decl.seed().value(), smoothing, optimizer, schedule, clipping,
        regularization, pruning, distillation.spec()));
  }

  private Target target(TypeElement type) {
    PackageElement pkg = elements.getPackageOf(type);
    return new Target(pkg.isUnnamed() ? "" : pkg.getQualifiedName().toString(),
        type.getSimpleName().toString(), type.getQualifiedName().toString(),
        type.getModifiers().contains(Modifier.PUBLIC));
  }
}
