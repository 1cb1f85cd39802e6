package dev.kiln.processor.write;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import dev.kiln.processor.model.DropoutPart;
import dev.kiln.processor.model.Specs.LayerSpec;

/**
 * {@code @Dropout}: the runtime's {@code DropoutKernel} with the trainer's {@code dropoutRandom};
 * a mask buffer per layer; nothing in eval mode or in {@code compact()}.
 */
final class DropoutCode extends PartCode {
  private final DropoutPart part;
  private String mask;

  DropoutCode(LayerSpec layer, int index, DropoutPart part) {
    super(layer, index);
    this.part = part;
  }

  @Override
  String allocate(Wiring wiring, String input) {
    String out = wiring.buffer("out", output, "output after activation and dropout");
    mask = wiring.buffer("mask", output, "dropout mask: 0 or 1/(1 - rate)");
    return out;
  }

  @Override
  void forward(MethodSpec.Builder m, Context c) {
    m.addStatement("$T.forward($N, $N, $N, $L, $L, dropoutRandom)", RuntimeNames.DROPOUT_KERNEL,
        in(), mask, out(), count(), Literals.of(part.rate()));
  }

  @Override
  void backward(MethodSpec.Builder m, Context c, String delta, String target) {
    m.addStatement("$T.backward($N, $N, $N, $L)", RuntimeNames.DROPOUT_KERNEL, delta, mask,
        target == null ? delta : target, count());
  }

  @Override
  boolean eval(MethodSpec.Builder m, NetworkLayout net, String in, String out) {
    return false;
  }

  @Override
  void compact(CodeBlock.Builder b, NetworkLayout net, String mask) {}
}
