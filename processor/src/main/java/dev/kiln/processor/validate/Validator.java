package dev.kiln.processor.validate;

import dev.kiln.processor.model.Specs.ActivationSpec;
import dev.kiln.processor.model.Specs.BatchNormSpec;
import dev.kiln.processor.model.Specs.ClipSpec;
import dev.kiln.processor.model.Specs.CosineSpec;
import dev.kiln.processor.model.Specs.DenseSpec;
import dev.kiln.processor.model.Specs.L2Spec;
import dev.kiln.processor.model.Specs.LayerSpec;
import dev.kiln.processor.model.Specs.NetworkSpec;
import dev.kiln.processor.model.Specs.SgdSpec;
import dev.kiln.processor.model.Specs.Target;
import dev.kiln.processor.model.Specs.TrainingSpec;
import dev.kiln.processor.read.Attr;
import dev.kiln.processor.read.Decls.ConfigDecl;
import dev.kiln.processor.read.Decls.LayerDecl;
import dev.kiln.processor.read.Decls.ModelDecl;
import dev.kiln.processor.read.Decls.SgdDecl;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.PackageElement;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.VariableElement;
import javax.lang.model.util.Elements;

/**
 * Checks declarations, reports every independent error of a type, and infers shapes. A spec is
 * returned only for a type without errors, so nothing is generated from a broken description.
 */
public final class Validator {
  private final Reporter reporter;
  private final Elements elements;

  public Validator(Reporter reporter, Elements elements) {
    this.reporter = reporter;
    this.elements = elements;
  }

  /** Validates a model and infers each layer's shape. */
  public Optional<NetworkSpec> network(ModelDecl decl) {
    int before = reporter.errorCount();
    int inputs = decl.inputs().value();
    if (inputs < 1) {
      reporter.error(decl.inputs(), Diagnostic.INPUTS_NOT_POSITIVE, inputs);
    }
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
    List<LayerSpec> layers = new ArrayList<>();
    int width = inputs;
    for (LayerDecl layer : decl.layers()) {
      LayerSpec spec = layer(layer, width);
      layers.add(spec);
      width = spec.outputs();
    }
    if (reporter.errorCount() != before) {
      return Optional.empty();
    }
    return Optional.of(new NetworkSpec(target(decl.type()), decl.type().getSimpleName() + "Network",
        inputs, layers));
  }

  private LayerSpec layer(LayerDecl layer, int inputs) {
    int outputs = inputs;
    DenseSpec dense = null;
    if (layer.dense() != null) {
      Attr<Integer> units = layer.dense().units();
      if (units.value() < 1) {
        reporter.error(units, Diagnostic.UNITS_NOT_POSITIVE, units.value());
      }
      outputs = Math.max(1, units.value());
      dense = new DenseSpec(layer.dense().bias().value(), resolveInit(layer));
    }
    BatchNormSpec batchNorm = null;
    if (layer.batchNorm() != null) {
      Attr<Double> momentum = layer.batchNorm().momentum();
      if (!(momentum.value() > 0 && momentum.value() <= 1)) {
        reporter.error(momentum, Diagnostic.BATCH_NORM_MOMENTUM_RANGE, momentum.value());
      }
      Attr<Double> epsilon = layer.batchNorm().epsilon();
      if (!(epsilon.value() > 0 && Double.isFinite(epsilon.value()))) {
        reporter.error(epsilon, Diagnostic.BATCH_NORM_EPSILON_RANGE, epsilon.value());
      }
      batchNorm = new BatchNormSpec(momentum.value(), epsilon.value());
    }
    ActivationSpec activation = null;
    if (layer.activation() != null) {
      Attr<Double> slope = layer.activation().negativeSlope();
      if (!(slope.value() >= 0 && Double.isFinite(slope.value()))) {
        reporter.error(slope, Diagnostic.LEAKY_SLOPE_RANGE, slope.value());
      }
      String function = layer.activation().function().value();
      if (!function.equals("IDENTITY")) {
        activation = new ActivationSpec(function, slope.value());
      }
    }
    Double dropout = null;
    if (layer.dropout() != null) {
      Attr<Double> rate = layer.dropout().rate();
      if (!(rate.value() >= 0 && rate.value() < 1)) {
        reporter.error(rate, Diagnostic.DROPOUT_RANGE, rate.value());
      }
      dropout = rate.value() > 0 ? rate.value() : null;
    }
    return new LayerSpec(layer.field().getSimpleName().toString(), inputs, outputs, dense,
        batchNorm, activation, dropout);
  }

  private static String resolveInit(LayerDecl layer) {
    String init = layer.dense().init().value();
    if (!init.equals("AUTO")) {
      return init;
    }
    String function = layer.activation() == null ? "IDENTITY"
        : layer.activation().function().value();
    return switch (function) {
      case "RELU", "LEAKY_RELU", "GELU" -> "HE_UNIFORM";
      default -> "XAVIER_UNIFORM";
    };
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
    String loss = decl.loss().value();
    double smoothing = decl.labelSmoothing().value();
    if (!(smoothing >= 0 && smoothing < 1)) {
      reporter.error(decl.labelSmoothing(), Diagnostic.LABEL_SMOOTHING_RANGE, smoothing);
    } else if (smoothing > 0 && !loss.equals("SOFTMAX_CROSS_ENTROPY")) {
      reporter.error(decl.labelSmoothing(), Diagnostic.LABEL_SMOOTHING_LOSS, smoothing, loss);
    }
    if (loss.equals("SOFTMAX_CROSS_ENTROPY") && network.outputs() < 2) {
      reporter.error(decl.loss(), Diagnostic.LOSS_OUTPUT_MISMATCH, network.outputs());
    }
    SgdSpec sgd = null;
    if (decl.sgd() == null) {
      reporter.error(decl.type(), decl.mirror(), Diagnostic.NO_OPTIMIZER, decl.type().getSimpleName());
    } else {
      sgd = sgd(decl.sgd());
    }
    double baseRate = sgd == null ? Double.NaN : sgd.learningRate();
    CosineSpec cosine = null;
    if (decl.cosineDecay() != null) {
      Attr<Integer> steps = decl.cosineDecay().steps();
      if (steps.value() < 1) {
        reporter.error(steps, Diagnostic.COSINE_STEPS_NOT_POSITIVE, steps.value());
      }
      Attr<Double> minimum = decl.cosineDecay().minimum();
      if (!(minimum.value() >= 0) || (sgd != null && !(minimum.value() < baseRate))) {
        reporter.error(minimum, Diagnostic.COSINE_MINIMUM_RANGE, minimum.value(), baseRate);
      }
      cosine = new CosineSpec(steps.value(), minimum.value(), decl.cosineDecay().periodic().value());
    }
    ClipSpec clip = null;
    if (decl.clipGradNorm() != null) {
      Attr<Double> maxNorm = decl.clipGradNorm().maxNorm();
      if (!(maxNorm.value() > 0 && Double.isFinite(maxNorm.value()))) {
        reporter.error(maxNorm, Diagnostic.MAX_NORM_NOT_POSITIVE, maxNorm.value());
      }
      Attr<Double> normType = decl.clipGradNorm().normType();
      double p = normType.value();
      if (p != 1 && p != 2 && p != Double.POSITIVE_INFINITY) {
        reporter.error(normType, Diagnostic.NORM_TYPE, p);
      }
      clip = new ClipSpec(maxNorm.value(), p);
    }
    L2Spec l2 = null;
    if (decl.l2() != null) {
      Attr<Double> value = decl.l2().value();
      if (!(value.value() >= 0 && Double.isFinite(value.value()))) {
        reporter.error(value, Diagnostic.L2_NEGATIVE, value.value());
      }
      l2 = new L2Spec(value.value(), decl.l2().applyTo().value().equals("ALL"));
    }
    if (reporter.errorCount() != before) {
      return Optional.empty();
    }
    return Optional.of(new TrainingSpec(target(decl.type()),
        decl.type().getSimpleName() + "Trainer", network, loss, decl.batchSize().value(),
        decl.epochs().value(), decl.seed().value(), smoothing, sgd, cosine, clip, l2));
  }

  private SgdSpec sgd(SgdDecl decl) {
    double lr = decl.learningRate().value();
    if (!(lr > 0 && Double.isFinite(lr))) {
      reporter.error(decl.learningRate(), Diagnostic.LEARNING_RATE_NOT_POSITIVE, lr);
    }
    double momentum = decl.momentum().value();
    if (!(momentum >= 0 && Double.isFinite(momentum))) {
      reporter.error(decl.momentum(), Diagnostic.MOMENTUM_NEGATIVE, momentum);
    }
    double dampening = decl.dampening().value();
    if (!(dampening >= 0 && dampening <= 1)) {
      reporter.error(decl.dampening(), Diagnostic.DAMPENING_RANGE, dampening);
    }
    boolean nesterov = decl.nesterov().value();
    if (nesterov && (momentum <= 0 || dampening != 0)) {
      reporter.error(decl.nesterov(), Diagnostic.NESTEROV_WITHOUT_MOMENTUM, momentum, dampening);
    }
    return new SgdSpec(lr, momentum, dampening, nesterov);
  }

  private Target target(TypeElement type) {
    PackageElement pkg = elements.getPackageOf(type);
    return new Target(pkg.isUnnamed() ? "" : pkg.getQualifiedName().toString(),
        type.getSimpleName().toString(), type.getQualifiedName().toString(),
        type.getModifiers().contains(Modifier.PUBLIC));
  }
}
