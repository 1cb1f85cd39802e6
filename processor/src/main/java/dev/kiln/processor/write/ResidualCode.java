package dev.kiln.processor.write;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import dev.kiln.processor.model.ResidualPart;
import dev.kiln.processor.model.Specs.LayerSpec;

/**
 * The two ends of a {@code @Residual} block. The start passes its input on unchanged (no buffer)
 * and, backward, hands the layer before it the sum of its own gradient (through the block) and the
 * end's (through the skip). The end writes {@code x + block(x)} with {@code x} the start's input,
 * and hands its gradient to the block's last layer. The end's gradient buffer is written by the
 * layer after the block and not changed after the end's backward, so the start reads it intact.
 */
final class ResidualCode extends PartCode {
  private final ResidualPart part;

  ResidualCode(LayerSpec layer, int index, ResidualPart part) {
    super(layer, index);
    this.part = part;
  }

  /** Whether the block's output is this part's (the end). */
  boolean isEnd() {
    return !part.start();
  }

  /** The layer holding the other end. */
  String partner() {
    return part.partner();
  }

  @Override
  String allocate(Wiring wiring, String input) {
    return part.start() ? input : wiring.buffer("sum", output, "x + block(x)");
  }

  @Override
  void forward(MethodSpec.Builder m, Context c) {
    if (part.start()) {
      m.addComment("the block's input $N is kept for the sum at $L", in(), part.partner());
      return;
    }
    m.addStatement("$T.add($N, $N, $N, $L)", RuntimeNames.RESIDUALS, in(),
        c.layout().of(part.partner()).in(), out(), count());
  }

  @Override
  void backward(MethodSpec.Builder m, Context c, String delta, String target) {
    if (target == null) {
      return;
    }
    if (part.start()) {
      m.addStatement("$T.add($N, $N, $N, $L)", RuntimeNames.RESIDUALS, delta,
          c.layout().of(part.partner()).delta(), target, count());
    } else {
      m.addStatement("$T.copy($N, $N, $L)", RuntimeNames.RESIDUALS, delta, target, count());
    }
  }

  @Override
  boolean eval(MethodSpec.Builder m, NetworkLayout net, String in, String out) {
    if (part.start()) {
      return false; // the identity: the layer's eval copies its input
    }
    m.addStatement("$T.add($L, skip, $L, $L)", RuntimeNames.RESIDUALS, in, out, count());
    return true;
  }

  @Override
  void compact(CodeBlock.Builder b, NetworkLayout net, String mask) {
    throw new UnsupportedOperationException("compact() has no residual block");
  }
}
