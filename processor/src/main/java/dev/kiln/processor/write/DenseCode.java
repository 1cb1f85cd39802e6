package dev.kiln.processor.write;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import dev.kiln.processor.model.DensePart;
import dev.kiln.processor.model.Specs.LayerSpec;

/** {@code @Dense}: the runtime's {@code Dense.forward} and {@code Dense.backward}. */
final class DenseCode extends PartCode {
  private final DensePart part;

  DenseCode(LayerSpec layer, int index, DensePart part) {
    super(layer, index);
    this.part = part;
  }

  @Override
  String allocate(Wiring wiring, String input) {
    return wiring.buffer("pre", output, "output of the dense / batch-norm part");
  }

  @Override
  void forward(MethodSpec.Builder m, Context c) {
    m.addStatement("$T.forward($N, $L, $L, network.$N, $L, $L, $N)", RuntimeNames.DENSE, in(),
        rows(input), DensePart.inputsPerRow(input), c.field("weight"), bias(c.net(), "network."),
        part.units(), out());
  }

  @Override
  void backward(MethodSpec.Builder m, Context c, String delta, String target) {
    backward(m, c, part, rows(input), DensePart.inputsPerRow(input), delta, target, in());
  }

  /** {@code Dense.backward} of a layer's dense part; shared with the fused op. */
  static void backward(MethodSpec.Builder m, Context c, DensePart part, String rows, long inputs,
      String delta, String target, String in) {
    m.addStatement("$T.backward($N, $N, $L, $L, network.$N, $L, $N, $L, $L)", RuntimeNames.DENSE,
        in, delta, rows, inputs, c.field("weight"), part.units(), c.grad("weight"),
        part.bias() ? c.grad("bias") : "null", target == null ? "null" : target);
  }

  /** The bias argument: {@code <prefix><field>} or {@code null}. */
  String bias(NetworkLayout net, String prefix) {
    return part.bias() ? prefix + net.field(layer, "bias") : "null";
  }

  @Override
  boolean eval(MethodSpec.Builder m, NetworkLayout net, String in, String out) {
    m.addStatement("$T.forward($L, $L, $L, $N, $L, $L, $L)", RuntimeNames.DENSE, in, rows(input),
        DensePart.inputsPerRow(input), net.field(layer, "weight"), bias(net, ""), part.units(), out);
    return true;
  }

  @Override
  void compact(CodeBlock.Builder b, NetworkLayout net, String mask) {
    b.add("\n.dense(network.$N, $L, $L)", net.field(layer, "weight"), bias(net, "network."),
        mask == null ? "null" : mask);
  }
}
