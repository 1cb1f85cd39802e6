package dev.kiln.processor.write;

import com.palantir.javapoet.MethodSpec;
import dev.kiln.processor.model.RegularizationSpec;
import dev.kiln.processor.model.Specs.NetworkSpec;
import dev.kiln.processor.write.Parameters.Param;

/** Generated code for coupled regularization gradients (added after clipping). */
final class RegularizationCode {
  private RegularizationCode() {}

  static void addStatements(MethodSpec.Builder m, RegularizationSpec spec, NetworkSpec network,
      NetworkLayout net, TrainerLayout layout) {
    if (spec.l2() <= 0) {
      return;
    }
    for (Param p : Parameters.trainable(network)) {
      if (p.isWeight() || spec.l2AllParameters()) {
        m.addStatement("$T.addL2(network.$N, $N, $L, $L)", RuntimeNames.REGULARIZATION,
            net.field(p), layout.grad(p), p.length(), Literals.of(spec.l2()));
      }
    }
  }

  /** One javadoc line, or null for none. */
  static String describe(RegularizationSpec spec) {
    return spec.l2() > 0 ? "L2: " + spec.l2() + " on "
        + (spec.l2AllParameters() ? "all parameters" : "weights") : null;
  }
}
