package dev.kiln.processor.write;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import dev.kiln.processor.model.EmbeddingPart;
import dev.kiln.processor.model.Specs.LayerSpec;

/**
 * {@code @Embedding}: the runtime's {@code Embedding.forward} (a row of the table per token id,
 * every id checked before anything is written) and {@code Embedding.backward} (the table's
 * gradient; repeated ids accumulate). The first part of a token model: no input gradient.
 */
final class EmbeddingCode extends PartCode {
  private final EmbeddingPart part;

  EmbeddingCode(LayerSpec layer, int index, EmbeddingPart part) {
    super(layer, index);
    this.part = part;
  }

  @Override
  String allocate(Wiring wiring, String input) {
    return wiring.buffer("embedded", output, "token (and position) embeddings");
  }

  @Override
  void forward(MethodSpec.Builder m, Context c) {
    m.addStatement("$T.forward($N, n * length, length, network.$N, $L, $L, $N)",
        RuntimeNames.EMBEDDING, in(), c.field("weight"), part.vocabulary(), part.width(), out());
  }

  @Override
  void backward(MethodSpec.Builder m, Context c, String delta, String target) {
    m.addStatement("$T.backward($N, n * length, length, $N, $L, $L, $N)", RuntimeNames.EMBEDDING,
        in(), delta, part.vocabulary(), part.width(), c.grad("weight"));
  }

  @Override
  boolean eval(MethodSpec.Builder m, NetworkLayout net, String in, String out) {
    m.addStatement("$T.forward($L, n * length, length, $N, $L, $L, $L)", RuntimeNames.EMBEDDING,
        in, net.field(layer, "weight"), part.vocabulary(), part.width(), out);
    return true;
  }

  @Override
  void compact(CodeBlock.Builder b, NetworkLayout net, String mask) {
    throw new UnsupportedOperationException("compact() has no embedding layer");
  }
}
