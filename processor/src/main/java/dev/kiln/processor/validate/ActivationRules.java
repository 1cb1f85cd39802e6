package dev.kiln.processor.validate;

import dev.kiln.processor.model.ActivationFunction;
import dev.kiln.processor.model.ActivationPart;
import dev.kiln.processor.read.Attr;
import dev.kiln.processor.read.Decls.ActivationDecl;

/**
 * {@code @Activation(function, negativeSlope)}: the slope finite and at least 0, and written only
 * for {@code LEAKY_RELU}; {@code IDENTITY} is no part.
 */
final class ActivationRules {
  private ActivationRules() {}

  static ActivationPart check(ActivationDecl activation, Reporter reporter) {
    Attr<Double> slope = activation.negativeSlope();
    if (!(slope.value() >= 0 && Double.isFinite(slope.value()))) {
      reporter.error(slope, Diagnostic.LEAKY_SLOPE_RANGE, slope.value());
    }
    ActivationFunction function = DslEnums.of(reporter, activation.function(), "value",
        ActivationFunction.class);
    if (function == null) {
      return null;
    }
    if (slope.written() != null && function != ActivationFunction.LEAKY_RELU) {
      reporter.error(slope, Diagnostic.NEGATIVE_SLOPE_UNUSED, function, slope.value());
    }
    return function == ActivationFunction.IDENTITY ? null
        : new ActivationPart(function, slope.value());
  }
}
