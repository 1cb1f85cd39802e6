package dev.kiln.processor.write;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import dev.kiln.processor.model.OptimizerSpec;

/** Generated code for the optimizer: the runtime object a trainer builds once. */
final class OptimizerCode {
  private OptimizerCode() {}

  static final ClassName SGD_OPTIMIZER = ClassName.get("dev.kiln.runtime", "SgdOptimizer");

  /** An expression building the optimizer over the trainer's {@code parameters} field. */
  static CodeBlock initializer(OptimizerSpec spec) {
    if (spec instanceof OptimizerSpec.Sgd sgd) {
      return CodeBlock.of("new $T(parameters, $L, $L, $L)", SGD_OPTIMIZER,
          Literals.of(sgd.momentum()), Literals.of(sgd.dampening()), sgd.nesterov());
    }
    throw new IllegalArgumentException("unknown optimizer " + spec);
  }

  /** One javadoc line describing the optimizer. */
  static String describe(OptimizerSpec spec) {
    if (spec instanceof OptimizerSpec.Sgd sgd) {
      return "SGD, learning rate " + sgd.learningRate() + ", momentum " + sgd.momentum()
          + ", dampening " + sgd.dampening() + ", nesterov " + sgd.nesterov();
    }
    return spec.toString();
  }
}
