package dev.kiln.processor.validate;

import dev.kiln.processor.model.DropoutPart;
import dev.kiln.processor.read.Attr;
import dev.kiln.processor.read.Decls.DropoutDecl;

/** {@code @Dropout(rate)}: the rate in [0, 1); a rate of 0 is no part. */
final class DropoutRules {
  private DropoutRules() {}

  static DropoutPart check(DropoutDecl dropout, Reporter reporter) {
    Attr<Double> rate = dropout.rate();
    if (!(rate.value() >= 0 && rate.value() < 1)) {
      reporter.error(rate, Diagnostic.DROPOUT_RANGE, rate.value());
    }
    return rate.value() > 0 ? new DropoutPart(rate.value()) : null;
  }
}
