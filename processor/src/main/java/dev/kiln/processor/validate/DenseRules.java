package dev.kiln.processor.validate;

import dev.kiln.processor.model.ActivationFunction;
import dev.kiln.processor.model.DensePart;
import dev.kiln.processor.model.Shape;
import dev.kiln.processor.model.WeightInit;
import dev.kiln.processor.read.Attr;
import dev.kiln.processor.read.Decls.ActivationDecl;
import dev.kiln.processor.read.Decls.DenseDecl;
import dev.kiln.processor.read.Decls.LayerDecl;

/**
 * {@code @Dense(units, bias, init)}: units at least 1, the weight {@code [in, units]} within an
 * {@code int} of entries; {@code init = AUTO} resolved from the layer's activation (He for the
 * ReLU family, Xavier otherwise).
 */
final class DenseRules {
  private DenseRules() {}

  static DensePart check(DenseDecl dense, Shape input, LayerDecl layer, Reporter reporter) {
    Attr<Integer> units = dense.units();
    long inputs = input.size();
    if (units.value() < 1) {
      reporter.error(units, Diagnostic.UNITS_NOT_POSITIVE, units.value());
    } else if (inputs * units.value() > Integer.MAX_VALUE) {
      reporter.error(units, Diagnostic.LAYER_TOO_LARGE, units.value(), inputs,
          inputs * units.value());
    }
    WeightInit init = init(dense.init(), layer, reporter);
    return new DensePart(Math.max(1, units.value()), dense.bias().value(),
        init == null ? WeightInit.XAVIER_UNIFORM : init);
  }

  /** A weight's {@code init}, with {@code AUTO} resolved from the layer's activation. */
  static WeightInit init(Attr<String> initAttr, LayerDecl layer, Reporter reporter) {
    if (!initAttr.value().equals("AUTO")) {
      return DslEnums.of(reporter, initAttr, "init", WeightInit.class);
    }
    ActivationDecl activation = layer.part(ActivationDecl.class);
    // An unknown function is reported by ActivationRules; here it only picks the default.
    ActivationFunction function = activation == null ? ActivationFunction.IDENTITY
        : DslEnums.quiet(activation.function().value(), ActivationFunction.class);
    return function != null && function.reluFamily() ? WeightInit.HE_UNIFORM
        : WeightInit.XAVIER_UNIFORM;
  }
}
