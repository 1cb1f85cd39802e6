package dev.kiln.processor.write;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import dev.kiln.processor.model.PositionEmbeddingPart;
import dev.kiln.processor.model.Specs.LayerSpec;

/**
 * {@code @PositionEmbedding}: the runtime's {@code Embedding.addPositions} (in place on the
 * embedding's output, or on a copy of the layer's input) and {@code positionsBackward}; the input
 * gradient is the output gradient.
 */
final class PositionEmbeddingCode extends PartCode {
  PositionEmbeddingCode(LayerSpec layer, int index, PositionEmbeddingPart part) {
    super(layer, index);
  }

  @Override
  String allocate(Wiring wiring, String input) {
    return wiring.buffer("embedded", output, "token (and position) embeddings");
  }

  @Override
  void forward(MethodSpec.Builder m, Context c) {
    add(m, in(), out(), "network." + c.field("positions"));
  }

  private void add(MethodSpec.Builder m, String in, String out, String table) {
    if (!in.equals(out)) {
      m.addStatement("$T.copy($L, $L, $L)", RuntimeNames.RESIDUALS, in, out, count());
    }
    m.addStatement("$T.addPositions($L, $L, n, length, $L, $L)", RuntimeNames.EMBEDDING, table,
        input.dim(0), input.last(), out);
  }

  @Override
  void backward(MethodSpec.Builder m, Context c, String delta, String target) {
    m.addStatement("$T.positionsBackward($N, n, length, $L, $N, $L)", RuntimeNames.EMBEDDING,
        delta, input.last(), c.grad("positions"), input.dim(0));
    if (target != null && !target.equals(delta)) {
      m.addStatement("$T.copy($N, $N, $L)", RuntimeNames.RESIDUALS, delta, target, count());
    }
  }

  @Override
  boolean eval(MethodSpec.Builder m, NetworkLayout net, String in, String out) {
    add(m, in, out, net.field(layer, "positions"));
    return true;
  }

  @Override
  boolean step(MethodSpec.Builder m, NetworkLayout net, String in, String out) {
    if (!in.equals(out)) {
      m.addStatement("$T.copy($L, $L, $L)", RuntimeNames.RESIDUALS, in, out, input.last());
    }
    m.addStatement("$T.addPosition($N, $L, position, $L, $L)", RuntimeNames.EMBEDDING,
        net.field(layer, "positions"), input.dim(0), input.last(), out);
    return true;
  }

  @Override
  boolean positional() {
    return true;
  }

  @Override
  void compact(CodeBlock.Builder b, NetworkLayout net, String mask) {
    throw new UnsupportedOperationException("compact() has no position embedding");
  }
}
