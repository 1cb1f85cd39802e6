package dev.kiln.processor.validate;

import dev.kiln.processor.model.BatchNormPart;
import dev.kiln.processor.model.Shape;
import dev.kiln.processor.read.Attr;
import dev.kiln.processor.read.Decls.BatchNormDecl;

/** {@code @BatchNorm(momentum, epsilon)}: momentum in (0, 1], epsilon positive and finite. */
final class BatchNormRules {
  private BatchNormRules() {}

  static BatchNormPart check(BatchNormDecl batchNorm, Shape input, Reporter reporter) {
    Attr<Double> momentum = batchNorm.momentum();
    if (!(momentum.value() > 0 && momentum.value() <= 1)) {
      reporter.error(momentum, Diagnostic.BATCH_NORM_MOMENTUM_RANGE, momentum.value());
    }
    Attr<Double> epsilon = batchNorm.epsilon();
    if (!(epsilon.value() > 0 && Double.isFinite(epsilon.value()))) {
      reporter.error(epsilon, Diagnostic.BATCH_NORM_EPSILON_RANGE, epsilon.value());
    }
    return new BatchNormPart(momentum.value(), epsilon.value());
  }
}
