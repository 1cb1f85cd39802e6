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
import dev.kiln.processor.read.Reader;
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

  /** Validates a model and infers each layer's shape; blocks are flattened ({@link Blocks}). */
  public Optional<NetworkSpec> network(ModelDecl decl) {
    int before = reporter.errorCount();
    Shape shape;
    int vocabulary = 0;
    if (decl.tokens()) {
      int v = decl.vocabulary().value();
      int t = decl.context().value();
      if (v < 2 || t < 1 || decl.inputs().written() != null) {
        Attr<?> at = v < 2 ? decl.vocabulary() : t < 1 ? decl.context() : decl.inputs();
        reporter.error(at, Diagnostic.BAD_TOKEN_MODEL, v, t,
            WindowRules.text(decl.inputs().value()));
      }
      vocabulary = Math.max(2, v);
      shape = Shape.of(Math.max(1, t));
    } else {
      shape = inputShape(decl.inputs());
    }
    if (decl.body().members().isEmpty() && decl.body().bareLayers().isEmpty()
        && decl.body().annotatedNonLayers().isEmpty()) {
      reporter.error(decl.type(), decl.mirror(), Diagnostic.NO_LAYERS, decl.type().getSimpleName());
    }
    Shape input = shape;
    List<LayerSpec> layers = shape == null ? List.of()
        : new Blocks(reporter, new Reader(mirrors), vocabulary)
            .flatten(decl.type(), decl.body(), shape);
    if (vocabulary > 0 && !layers.isEmpty() && reporter.errorCount() == before) {
      LayerSpec last = layers.get(layers.size() - 1);
      Shape out = last.output();
      if (!out.isSequence() || out.last() != vocabulary) {
        reporter.error(decl.type(), decl.mirror(), Diagnostic.TOKEN_OUTPUT, vocabulary,
            last.name(), out, vocabulary);
      }
    }
    if (reporter.errorCount() != before || layers.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new NetworkSpec(target(decl.type()), GeneratedNames.network(decl.type()),
        input, layers, vocabulary));
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
    if (network.tokens() && (loss != LossKind.SOFTMAX_CROSS_ENTROPY || smoothing != 0
        || network.usesBatchStatistics())) {
      reporter.error(decl.loss(), Diagnostic.TOKEN_LOSS, loss);
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
    java.util.List<String> frozen = FreezeRules.check(ctx, network, pruning);
    if (reporter.errorCount() != before || !distillation.ok()) {
      return Optional.empty();
    }
    TrainingWarnings.check(ctx, decl, network, frozen);
    return Optional.of(new TrainingSpec(target(decl.type()),
        GeneratedNames.trainer(decl.type()), network, loss, decl.batchSize().value(),
        decl.epochs().value(), decl.seed().value(), smoothing, optimizer, schedule, clipping,
        regularization, pruning, distillation.spec(), frozen));
  }

  private Target target(TypeElement type) {
    PackageElement pkg = elements.getPackageOf(type);
    return new Target(pkg.isUnnamed() ? "" : pkg.getQualifiedName().toString(),
        type.getSimpleName().toString(), type.getQualifiedName().toString(),
        type.getModifiers().contains(Modifier.PUBLIC));
  }
}
