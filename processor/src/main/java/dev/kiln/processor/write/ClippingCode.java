package dev.kiln.processor.write;

import com.palantir.javapoet.CodeBlock;
import dev.kiln.processor.model.ClippingSpec;

/** Generated code for gradient clipping. */
final class ClippingCode {
  private ClippingCode() {}

  /** A statement that clips {@code parameters}' gradients and sets {@code lastGradientNorm}. */
  static CodeBlock statement(ClippingSpec spec) {
    if (spec instanceof ClippingSpec.GlobalNorm g) {
      return CodeBlock.of("lastGradientNorm = $T.clipByGlobalNorm(parameters.gradients(), $L, $L)",
          RuntimeNames.CLIPPING, Literals.of(g.maxNorm()), Literals.of(g.normType()));
    }
    return CodeBlock.of("lastGradientNorm = $T.globalNorm(parameters.gradients(), 2.0)",
        RuntimeNames.CLIPPING);
  }

  /** One javadoc line, or null for no clipping. */
  static String describe(ClippingSpec spec) {
    if (spec instanceof ClippingSpec.GlobalNorm g) {
      return "clipping: global norm (type " + Literals.of(g.normType()) + ") at most "
          + g.maxNorm();
    }
    return null;
  }
}
