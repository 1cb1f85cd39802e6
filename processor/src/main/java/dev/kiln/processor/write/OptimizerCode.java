package dev.kiln.processor.write;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeSpec;
import dev.kiln.processor.model.OptimizerSpec;
import dev.kiln.processor.model.Specs.TrainingSpec;
import dev.kiln.processor.write.Parameters.Param;
import java.util.List;
import java.util.stream.Collectors;
import javax.lang.model.element.Modifier;

/**
 * Generated code for the optimizer: the runtime object a trainer builds once (with the decoupled
 * decay of each parameter as the {@code WEIGHT_DECAY} constant), and gradient accumulation (the
 * {@code ACCUMULATION_STEPS} constant, the {@code accumulator} field).
 */
final class OptimizerCode {
  private OptimizerCode() {}


  /** Whether the trainer averages several batches per optimizer step. */
  static boolean accumulates(TrainingSpec spec) {
    return spec.optimizer().accumulationSteps() > 1;
  }

  /**
   * Adds {@code WEIGHT_DECAY} and {@code L2} where they apply, and with accumulation {@code
   * ACCUMULATION_STEPS}, its field and accessor.
   */
  static void addMembers(TypeSpec.Builder type, TrainingSpec spec) {
    double[] decay = RegularizationCode.decoupledDecay(spec.regularization(), spec.network());
    if (decay != null) {
      type.addField(coefficients("WEIGHT_DECAY", decay, spec,
          "Decoupled weight decay λ of each entry of {@code parameters} ($L): the"
              + " optimizer\napplies {@code w ← w − lr(t)·λ·w} before its step.\n"));
    }
    if (RegularizationCode.l2InOptimizer(spec)) {
      type.addField(coefficients("L2", RegularizationCode.coupledL2(spec), spec,
          "Coupled L2 λ of each entry of {@code parameters} ($L): the SGD update"
              + " steps along\n{@code g + λ·w} (after clipping), as PyTorch's {@code"
              + " SGD(weight_decay=λ)}; the gradients keep\nthe data-loss part.\n"));
    }
    if (!accumulates(spec)) {
      return;
    }
    type.addField(FieldSpec.builder(int.class, "ACCUMULATION_STEPS", Modifier.PUBLIC,
            Modifier.STATIC, Modifier.FINAL)
        .initializer("$L", spec.optimizer().accumulationSteps())
        .addJavadoc("Batches whose gradients are averaged into one optimizer step.\n").build());
    type.addField(FieldSpec.builder(RuntimeNames.GRADIENT_ACCUMULATOR, "accumulator", Modifier.PRIVATE,
            Modifier.FINAL)
        .addJavadoc("Running sums of the batch gradients until {@code ACCUMULATION_STEPS} are"
            + " in.\n").build());
    type.addMethod(MethodSpec.methodBuilder("accumulationSteps").addAnnotation(Override.class)
        .addModifiers(Modifier.PUBLIC).returns(int.class)
        .addJavadoc("Batches per optimizer step.\n")
        .addStatement("return ACCUMULATION_STEPS").build());
  }

  /**
   * A {@code private static final double[]} constant with one coefficient per updated parameter;
   * {@code javadoc}'s {@code $L} receives the parameters' names.
   */
  private static FieldSpec coefficients(String name, double[] values, TrainingSpec spec,
      String javadoc) {
    CodeBlock.Builder literal = CodeBlock.builder().add("{");
    for (int i = 0; i < values.length; i++) {
      literal.add(i == 0 ? "$L" : ", $L", Literals.of(values[i]));
    }
    List<Param> params = RegularizationCode.updated(spec.network());
    return FieldSpec.builder(ArrayTypeName.of(double.class), name, Modifier.PRIVATE,
            Modifier.STATIC, Modifier.FINAL)
        .initializer(literal.add("}").build())
        .addJavadoc(javadoc, params.stream().map(Param::key).collect(Collectors.joining(", ")))
        .build();
  }

  /** Builds the optimizer and, with accumulation, the accumulator, over {@code parameters}. */
  static void addConstructorStatements(MethodSpec.Builder m, TrainingSpec spec) {
    m.addStatement("this.optimizer = $L", initializer(spec));
    if (accumulates(spec)) {
      m.addStatement("this.accumulator = new $T(parameters, ACCUMULATION_STEPS)",
          RuntimeNames.GRADIENT_ACCUMULATOR);
    }
  }

  /** An expression building the optimizer over the trainer's {@code parameters} field. */
  static CodeBlock initializer(TrainingSpec training) {
    OptimizerSpec spec = training.optimizer();
    boolean decays =
        RegularizationCode.decoupledDecay(training.regularization(), training.network()) != null;
    String decay = decays ? "WEIGHT_DECAY" : "null";
    if (spec instanceof OptimizerSpec.Sgd sgd && RegularizationCode.l2InOptimizer(training)) {
      return CodeBlock.of("new $T(parameters, $L, $L, $L, $L, L2)", RuntimeNames.SGD_OPTIMIZER,
          Literals.of(sgd.momentum()), Literals.of(sgd.dampening()), sgd.nesterov(), decay);
    }
    if (spec instanceof OptimizerSpec.Sgd sgd) {
      return decays
          ? CodeBlock.of("new $T(parameters, $L, $L, $L, $L)", RuntimeNames.SGD_OPTIMIZER,
              Literals.of(sgd.momentum()), Literals.of(sgd.dampening()), sgd.nesterov(), decay)
          : CodeBlock.of("new $T(parameters, $L, $L, $L)", RuntimeNames.SGD_OPTIMIZER,
              Literals.of(sgd.momentum()), Literals.of(sgd.dampening()), sgd.nesterov());
    }
    if (spec instanceof OptimizerSpec.Adam adam) {
      return CodeBlock.of("new $T(parameters, $L, $L, $L, $L, $L)", RuntimeNames.ADAM_OPTIMIZER,
          Literals.of(adam.beta1()), Literals.of(adam.beta2()), Literals.of(adam.epsilon()),
          adam.amsgrad(), decay);
    }
    if (spec instanceof OptimizerSpec.RmsProp rms) {
      return CodeBlock.of("new $T(parameters, $L, $L, $L, $L, $L)", RuntimeNames.RMS_PROP_OPTIMIZER,
          Literals.of(rms.alpha()), Literals.of(rms.epsilon()), Literals.of(rms.momentum()),
          rms.centered(), decay);
    }
    throw new IllegalArgumentException("unknown optimizer " + spec);
  }

  /** One javadoc line describing the optimizer. */
  static String describe(OptimizerSpec spec) {
    String accumulation = spec.accumulationSteps() > 1
        ? "; gradients of " + spec.accumulationSteps() + " batches averaged per step" : "";
    if (spec instanceof OptimizerSpec.Sgd sgd) {
      return "SGD, learning rate " + sgd.learningRate() + ", momentum " + sgd.momentum()
          + ", dampening " + sgd.dampening() + ", nesterov " + sgd.nesterov() + accumulation;
    }
    if (spec instanceof OptimizerSpec.Adam adam) {
      return spec.annotation() + ", learning rate " + adam.learningRate() + ", betas ("
          + adam.beta1() + ", " + adam.beta2() + "), epsilon " + adam.epsilon()
          + (adam.amsgrad() ? ", AMSGrad" : "") + accumulation;
    }
    if (spec instanceof OptimizerSpec.RmsProp rms) {
      return "RMSprop, learning rate " + rms.learningRate() + ", alpha " + rms.alpha()
          + ", epsilon " + rms.epsilon() + ", momentum " + rms.momentum()
          + (rms.centered() ? ", centered" : "") + accumulation;
    }
    return spec.toString();
  }
}
