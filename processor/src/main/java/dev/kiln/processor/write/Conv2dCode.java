package dev.kiln.processor.write;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeSpec;
import dev.kiln.processor.model.Conv2dPart;
import dev.kiln.processor.model.Specs.LayerSpec;
import dev.kiln.processor.model.Window;
import java.util.List;
import javax.lang.model.element.Modifier;

/**
 * {@code @Conv2d}: the runtime's {@code Conv2d} (im2col and one matrix product per group of
 * samples), an immutable kernel object per layer (its geometry) and a workspace for the lowered
 * input, in the trainer sized for {@code BATCH_SIZE} and in the network's {@code EvalBuffers} for
 * {@code maxBatch}. Writes the layer's {@code pre} buffer, which batch norm then normalises in
 * place.
 */
final class Conv2dCode extends PartCode {
  private final Conv2dPart part;

  Conv2dCode(LayerSpec layer, int index, Conv2dPart part) {
    super(layer, index);
    this.part = part;
  }

  /** {@code new Conv2d(C, H, W, filters, kh, kw, sh, sw, ph, pw)}. */
  private CodeBlock newKernel() {
    Window w = part.window();
    return CodeBlock.of("new $T($L, $L, $L, $L, $L, $L, $L, $L, $L, $L)", RuntimeNames.CONV2D,
        input.dim(0), input.dim(1), input.dim(2), part.filters(), w.kernelH(), w.kernelW(),
        w.strideH(), w.strideW(), w.padH(), w.padW());
  }

  @Override
  String allocate(Wiring wiring, String input) {
    return wiring.buffer("pre", output, "output of the convolution / batch-norm part");
  }

  @Override
  void fields(TypeSpec.Builder type, Context c) {
    type.addField(FieldSpec.builder(RuntimeNames.CONV2D, c.member("conv"), Modifier.PRIVATE,
        Modifier.FINAL).initializer(newKernel())
        .addJavadoc("Layer {@code $L}: $L.\n", layer.name(), part.describe(input)).build());
    type.addField(FieldSpec.builder(RuntimeNames.TENSOR, c.member("workspace"), Modifier.PRIVATE,
        Modifier.FINAL).initializer("$T.alignedZeros($N.workspaceElements(BATCH_SIZE))",
            RuntimeNames.TENSOR, c.member("conv"))
        .addJavadoc("Layer {@code $L}: the convolution's lowered input (scratch).\n", layer.name())
        .build());
  }

  @Override
  void forward(MethodSpec.Builder m, Context c) {
    m.addStatement("$N.forward($N, n, network.$N, $L, $N, $N)", c.member("conv"), in(),
        c.field("weight"), bias(c.net(), "network."), out(), c.member("workspace"));
  }

  @Override
  void backward(MethodSpec.Builder m, Context c, String delta, String target) {
    m.addStatement("$N.backward($N, $N, n, network.$N, $N, $L, $L, $N)", c.member("conv"), in(),
        delta, c.field("weight"), c.grad("weight"), part.bias() ? c.grad("bias") : "null",
        target == null ? "null" : target, c.member("workspace"));
  }

  private String bias(NetworkLayout net, String prefix) {
    return part.bias() ? prefix + net.field(layer, "bias") : "null";
  }

  @Override
  void networkFields(TypeSpec.Builder type, NetworkLayout net) {
    type.addField(FieldSpec.builder(RuntimeNames.CONV2D, net.field(layer, "conv"),
        Modifier.PRIVATE, Modifier.FINAL).initializer(newKernel())
        .addJavadoc("Layer {@code $L}: $L.\n", layer.name(), part.describe(input)).build());
  }

  @Override
  List<EvalBuffer> evalBuffers() {
    Window w = part.window();
    return List.of(new EvalBuffer("workspace", RuntimeNames.TENSOR,
        CodeBlock.of("$T.alignedZeros($T.workspaceElements(maxBatch, $L, $L, $L, $L, $L, $L, $L,"
                + " $L, $L, $L))", RuntimeNames.TENSOR, RuntimeNames.CONV2D, input.dim(0),
            input.dim(1), input.dim(2), part.filters(), w.kernelH(), w.kernelW(), w.strideH(),
            w.strideW(), w.padH(), w.padW()),
        "the convolution's lowered input (scratch)"));
  }

  @Override
  boolean eval(MethodSpec.Builder m, NetworkLayout net, String in, String out) {
    m.addStatement("$N.forward($L, n, $N, $L, $L, $L)", net.field(layer, "conv"), in,
        net.field(layer, "weight"), bias(net, ""), out, evalBuffer(net, "workspace"));
    return true;
  }

  @Override
  void compact(CodeBlock.Builder b, NetworkLayout net, String mask) {
    Window w = part.window();
    b.add("\n.conv2d(network.$N, $L, $L, $L, $L, $L, $L, $L, $L)", net.field(layer, "weight"),
        bias(net, "network."), mask == null ? "null" : mask, w.kernelH(), w.kernelW(),
        w.strideH(), w.strideW(), w.padH(), w.padW());
  }
}
