package dev.kiln.processor.write;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterizedTypeName;
import com.palantir.javapoet.TypeSpec;
import dev.kiln.processor.model.Specs.LayerSpec;
import dev.kiln.processor.model.Specs.TrainingSpec;
import java.util.List;
import java.util.Map;
import javax.lang.model.element.Modifier;

/** The trainer's public entry points and accessors. */
final class TrainerMethods {
  private TrainerMethods() {}

  static MethodSpec step(TrainingSpec spec, ClassName network) {
    if (spec.network().tokens()) {
      return tokenStep(spec);
    }
    return MethodSpec.methodBuilder("step").addAnnotation(Override.class)
        .addModifiers(Modifier.PUBLIC).returns(float.class)
        .addParameter(RuntimeNames.INDARRAY, "features")
        .addParameter(RuntimeNames.INDARRAY, "labels")
        .addJavadoc("One optimizer step on a batch. Contiguous row-major features are read in"
            + " place during the\nstep (not copied, and not changed); other layouts and the"
            + " labels are copied into\n{@link #featureBuffer()} and {@link #labelBuffer()}.\n\n"
            + "@param features {@code $L} float32,"
            + " {@code 1 ≤ n ≤ $L}\n@param labels {@code [n, $L]} float32, one-hot or soft\n"
            + "@return the batch's mean data loss (without the regularization term)\n@throws"
            + " IllegalArgumentException for a wrong rank, shape, row count or dtype, before any"
            + " state\n    changes\n", NetworkWriter.featureShapes(spec.network()), spec.batchSize(),
            spec.network().outputs())
        .addStatement("int n = $L", InputChecks.featureRows(spec.network().input(),
            CodeBlock.of("$T.INPUTS", network), CodeBlock.of("BATCH_SIZE")))
        .beginControlFlow("if ($T.checkRows($S, labels, $T.OUTPUTS, BATCH_SIZE) != n)",
            RuntimeNames.BATCH_INPUT, "labels", network)
        .addStatement("throw new $T($S + n + $S + labels.size(0))",
            IllegalArgumentException.class, "labels: expected ", " rows to match features, got ")
        .endControlFlow()
        .addComment("Contiguous features are read in place (no copy); others, and features"
            + " sharing memory")
        .addComment("with what the step writes (writtenByStep), are copied into inputBuffer.")
        .addStatement("input = featuresInput.rowsOf(features, inputBuffer, n, $T.INPUTS,"
            + " writtenByStep)", network)
        .beginControlFlow("try")
        .addStatement("labelsInput.copy(labels, target, n, $T.OUTPUTS)", network)
        .addStatement("return stepBuffered(n)")
        .nextControlFlow("finally")
        .addStatement("input = inputBuffer")
        .endControlFlow().build();
  }

  /** A token model's step: ids {@code [n, t]} in, packed into the trainer's buffers. */
  private static MethodSpec tokenStep(TrainingSpec spec) {
    int v = spec.network().vocabulary();
    int context = spec.network().context();
    return MethodSpec.methodBuilder("step").addAnnotation(Override.class)
        .addModifiers(Modifier.PUBLIC).returns(float.class)
        .addParameter(RuntimeNames.INDARRAY, "tokens")
        .addParameter(RuntimeNames.INDARRAY, "targets")
        .addJavadoc("One optimizer step on a batch of sequences: next-token prediction with"
            + " softmax cross-entropy\naveraged over all {@code n·t} positions. Ids are copied"
            + " packed into {@link #featureBuffer()}\nand {@link #labelBuffer()}; nothing is"
            + " allocated.\n\n@param tokens token ids {@code [n, t]}, {@code 1 ≤ n ≤ $L}, {@code"
            + " 1 ≤ t ≤ $L}: whole numbers in\n    {@code [0, $L)} in any numeric dtype\n@param"
            + " targets the next-token ids {@code [n, t]}, the same shape\n@return the batch's"
            + " mean data loss (without the regularization term)\n@throws"
            + " IllegalArgumentException for a wrong shape or an id out of range (naming its"
            + " sample and\n    position), before any state changes\n", spec.batchSize(),
            context, v)
        .addStatement("int n = $T.checkShape($S, tokens, $L, BATCH_SIZE)",
            RuntimeNames.TOKEN_INPUT, "tokens", context)
        .beginControlFlow("if ($T.checkShape($S, targets, $L, BATCH_SIZE) != n"
            + " || targets.size(1) != tokens.size(1))", RuntimeNames.TOKEN_INPUT, "targets",
            context)
        .addStatement("throw new $T($S + tokens.size(0) + $S + tokens.size(1) + $S"
            + " + targets.size(0) + $S + targets.size(1) + $S)", IllegalArgumentException.class,
            "targets: expected the shape of tokens [", ", ", "], got [", ", ", "]")
        .endControlFlow()
        .addStatement("$T.checkIds($S, tokens, $L)", RuntimeNames.TOKEN_INPUT, "tokens", v)
        .addStatement("$T.checkIds($S, targets, $L)", RuntimeNames.TOKEN_INPUT, "targets", v)
        .addStatement("$T.copy(tokens, inputBuffer)", RuntimeNames.TOKEN_INPUT)
        .addStatement("$T.copy(targets, target)", RuntimeNames.TOKEN_INPUT)
        .addStatement("length = (int) tokens.size(1)")
        .beginControlFlow("try")
        .addStatement("return stepBuffered(n)")
        .nextControlFlow("finally")
        .addComment("fit fills whole sequences")
        .addStatement("length = $L", context)
        .endControlFlow().build();
  }

  /**
   * The accessors specific to this trainer: its network, buffers, outputs and parameters (the
   * counters and the configuration's constants are {@code AbstractTrainer}'s).
   */
  static void accessors(TypeSpec.Builder type, TrainingSpec spec, ClassName network,
      TrainerLayout layout) {
    List<LayerSpec> layers = spec.network().layers();
    type.addMethod(getter("network", network, "network", "The network this trainer updates."))
        .addMethod(override("featureBuffer", RuntimeNames.TENSOR, "inputBuffer",
            "This trainer's feature buffer {@code [BATCH_SIZE, INPUTS]}."))
        .addMethod(override("labelBuffer", RuntimeNames.TENSOR, "target",
            "This trainer's label buffer {@code [BATCH_SIZE, OUTPUTS]}."))
        .addMethod(override("outputBuffer", RuntimeNames.TENSOR,
            layout.of(layers.get(layers.size() - 1)).out(),
            "The network outputs of the last step, {@code [BATCH_SIZE, OUTPUTS]}."))
        .addMethod(MethodSpec.methodBuilder("predict").addAnnotation(Override.class)
            .addModifiers(Modifier.PUBLIC).returns(RuntimeNames.INDARRAY)
            .addParameter(RuntimeNames.INDARRAY, "features")
            .addJavadoc("The network's eval-mode outputs {@code [n, OUTPUTS]}.\n")
            .addStatement("return network.predict(features)").build())
        .addMethod(MethodSpec.methodBuilder("parameters").addAnnotation(Override.class)
            .addModifiers(Modifier.PUBLIC)
            .returns(ParameterizedTypeName.get(ClassName.get(Map.class),
                ClassName.get(String.class), RuntimeNames.INDARRAY))
            .addJavadoc("The network's parameters and batch-norm statistics, live views by"
                + " name.\n")
            .addStatement("return network.parameters()").build());
  }

  private static MethodSpec getter(String name, ClassName type, String field, String doc) {
    return MethodSpec.methodBuilder(name).addModifiers(Modifier.PUBLIC).returns(type)
        .addJavadoc(doc + "\n").addStatement("return $L", field).build();
  }

  private static MethodSpec override(String name, ClassName type, String field, String doc) {
    return MethodSpec.methodBuilder(name).addAnnotation(Override.class)
        .addModifiers(Modifier.PUBLIC).returns(type).addJavadoc(doc + "\n")
        .addStatement("return $L", field).build();
  }
}
