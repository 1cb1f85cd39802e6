package dev.kiln.processor.write;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import dev.kiln.processor.model.PoolPart;
import dev.kiln.processor.model.Specs.LayerSpec;
import dev.kiln.processor.model.Window;
import java.util.List;
import javax.lang.model.element.Modifier;

/**
 * {@code @MaxPool} and {@code @AvgPool}: the runtime's {@code MaxPool2d} / {@code AvgPool2d}, an
 * immutable kernel object per layer; max pooling keeps where each maximum was ({@code argmax},
 * an {@code int[]} sized for {@code BATCH_SIZE}). The output is smaller than the input, so
 * backward writes the input's gradient into a buffer of its own ({@code poolDelta}).
 */
final class PoolCode extends PartCode {
  private final PoolPart part;
  private String inputGradient;

  PoolCode(LayerSpec layer, int index, PoolPart part) {
    super(layer, index);
    this.part = part;
  }

  private CodeBlock newKernel() {
    Window w = part.window();
    return CodeBlock.of("new $T($L, $L, $L, $L, $L, $L, $L, $L, $L)",
        part.max() ? RuntimeNames.MAX_POOL_2D : RuntimeNames.AVG_POOL_2D, input.dim(0),
        input.dim(1), input.dim(2), w.kernelH(), w.kernelW(), w.strideH(), w.strideW(), w.padH(),
        w.padW());
  }

  private String kernelRole() {
    return part.max() ? "maxPool" : "avgPool";
  }

  @Override
  String allocate(Wiring wiring, String input) {
    inputGradient = wiring.buffer("poolDelta", this.input,
        "gradient of the loss w.r.t. the pooling input");
    return wiring.buffer("pooled", output, "output of the pooling part");
  }

  @Override
  String inputGradient(String delta) {
    return inputGradient;
  }

  @Override
  void fields(TypeSpec.Builder type, Context c) {
    type.addField(FieldSpec.builder(part.max() ? RuntimeNames.MAX_POOL_2D
            : RuntimeNames.AVG_POOL_2D, c.member(kernelRole()), Modifier.PRIVATE, Modifier.FINAL)
        .initializer(newKernel())
        .addJavadoc("Layer {@code $L}: $L.\n", layer.name(), part.describe(input)).build());
    if (part.max()) {
      type.addField(FieldSpec.builder(ArrayTypeName.of(TypeName.INT), c.member("argmax"),
              Modifier.PRIVATE, Modifier.FINAL)
          .initializer("new int[BATCH_SIZE * $L]", output.size())
          .addJavadoc("Layer {@code $L}: where each maximum was, per output element.\n",
              layer.name()).build());
    }
  }

  @Override
  void forward(MethodSpec.Builder m, Context c) {
    if (part.max()) {
      m.addStatement("$N.forward($N, n, $N, $N)", c.member(kernelRole()), in(), out(),
          c.member("argmax"));
    } else {
      m.addStatement("$N.forward($N, n, $N)", c.member(kernelRole()), in(), out());
    }
  }

  @Override
  void backward(MethodSpec.Builder m, Context c, String delta, String target) {
    if (target == null) {
      return; // the network's input needs no gradient, and pooling has no parameters
    }
    if (part.max()) {
      m.addStatement("$N.backward($N, n, $N, $N)", c.member(kernelRole()), delta,
          c.member("argmax"), target);
    } else {
      m.addStatement("$N.backward($N, n, $N)", c.member(kernelRole()), delta, target);
    }
  }

  @Override
  void networkFields(TypeSpec.Builder type, NetworkLayout net) {
    type.addField(FieldSpec.builder(part.max() ? RuntimeNames.MAX_POOL_2D
            : RuntimeNames.AVG_POOL_2D, net.field(layer, kernelRole()), Modifier.PRIVATE,
            Modifier.FINAL).initializer(newKernel())
        .addJavadoc("Layer {@code $L}: $L.\n", layer.name(), part.describe(input)).build());
  }

  @Override
  List<EvalBuffer> evalBuffers() {
    return part.max() ? List.of(new EvalBuffer("argmax", ArrayTypeName.of(TypeName.INT),
        CodeBlock.of("new int[maxBatch * $L]", output.size()),
        "where each maximum was (unused in eval mode; the kernel records it)"))
        : List.of();
  }

  @Override
  boolean eval(MethodSpec.Builder m, NetworkLayout net, String in, String out) {
    if (part.max()) {
      m.addStatement("$N.forward($L, n, $L, $L)", net.field(layer, kernelRole()), in, out,
          evalBuffer(net, "argmax"));
    } else {
      m.addStatement("$N.forward($L, n, $L)", net.field(layer, kernelRole()), in, out);
    }
    return true;
  }

  @Override
  void compact(CodeBlock.Builder b, NetworkLayout net, String mask) {
    Window w = part.window();
    b.add("\n.$L($L, $L, $L, $L, $L, $L)", part.max() ? "maxPool" : "avgPool", w.kernelH(),
        w.kernelW(), w.strideH(), w.strideW(), w.padH(), w.padW());
  }
}
