package dev.kiln.processor.write;

import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeSpec;
import javax.lang.model.element.Modifier;

/**
 * A token model's {@code predict(tokens, output)}: logits into a caller's array through {@code
 * forwardEval} on buffers the network keeps (made for the largest batch seen), so repeated calls
 * allocate nothing.
 */
final class PredictCode {
  private PredictCode() {}

  static void addMembers(TypeSpec.Builder type, NetworkLayout layout) {
    type.addField(FieldSpec.builder(layout.className().nestedClass(EvalCode.BUFFERS),
            "predictBuffers", Modifier.PRIVATE)
        .addJavadoc("Buffers of {@code predict(tokens, output)} for the largest batch so far.\n")
        .build());
    type.addField(FieldSpec.builder(RuntimeNames.TENSOR, "predictInput", Modifier.PRIVATE)
        .addJavadoc("Token ids of {@code predict(tokens, output)}, {@code [maxBatch, CONTEXT]}.\n")
        .build());
    type.addField(FieldSpec.builder(RuntimeNames.TENSOR, "predictLogits", Modifier.PRIVATE)
        .addJavadoc("Logits of {@code predict(tokens, output)}, {@code [maxBatch, OUTPUTS]}.\n")
        .build());
    type.addMethod(MethodSpec.methodBuilder("predict").addModifiers(Modifier.PUBLIC)
        .addParameter(RuntimeNames.INDARRAY, "tokens")
        .addParameter(RuntimeNames.INDARRAY, "output")
        .addJavadoc("Eval-mode forward pass of a batch of sequences (dropout off) into a caller's"
            + " array: the same\nlogits as {@link #predict(org.nd4j.linalg.api.ndarray.INDArray)}."
            + " The network keeps buffers for the\nlargest {@code n} it has seen, so calls with"
            + " at most that many sequences allocate nothing.\nNot safe for use by two threads at"
            + " once.\n\n@param tokens token ids {@code [n, t]}, {@code t ≤ CONTEXT}, whole"
            + " numbers in {@code [0,\n    VOCABULARY)}\n@param output float32 {@code [n, t,"
            + " VOCABULARY]}, overwritten with the logits\n@throws IllegalArgumentException for"
            + " a wrong shape or dtype or an id out of range, before\n    anything is written\n")
        .addStatement("int n = $T.checkShape($S, tokens, CONTEXT, $T.MAX_VALUE)",
            RuntimeNames.TOKEN_INPUT, "tokens", Integer.class)
        .addStatement("$T.checkIds($S, tokens, VOCABULARY)", RuntimeNames.TOKEN_INPUT, "tokens")
        .addStatement("int length = (int) tokens.size(1)")
        .addStatement("$T.checkLogits($S, output, n, length, VOCABULARY)",
            RuntimeNames.TOKEN_GENERATION, "output")
        .beginControlFlow("if (predictBuffers == null || predictBuffers.maxBatch < n)")
        .addStatement("predictBuffers = evalBuffers(n)")
        .addStatement("predictInput = $T.zeros(n, CONTEXT)", RuntimeNames.TENSOR)
        .addStatement("predictLogits = $T.zeros(n, OUTPUTS)", RuntimeNames.TENSOR)
        .endControlFlow()
        .addStatement("$T.copy(tokens, predictInput)", RuntimeNames.TOKEN_INPUT)
        .addStatement("forwardEval(predictInput, n, length, predictLogits, predictBuffers)")
        .addStatement("$T.copyLogits(predictLogits, output)", RuntimeNames.TOKEN_GENERATION)
        .build());
  }
}
