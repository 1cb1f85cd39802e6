package dev.kiln.processor.write;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import dev.kiln.processor.model.GlobalAvgPoolPart;
import dev.kiln.processor.model.Specs.LayerSpec;

/**
 * {@code @GlobalAvgPool}: the runtime's static {@code GlobalAvgPool} kernels, {@code [n, C, H, W]}
 * into {@code [n, C]}; backward writes the input's gradient into a buffer of its own ({@code
 * poolDelta}).
 */
final class GlobalAvgPoolCode extends PartCode {
  private String inputGradient;

  GlobalAvgPoolCode(LayerSpec layer, int index, GlobalAvgPoolPart part) {
    super(layer, index);
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
  void forward(MethodSpec.Builder m, Context c) {
    m.addStatement(call("forward", in(), out()));
  }

  @Override
  void backward(MethodSpec.Builder m, Context c, String delta, String target) {
    if (target != null) {
      m.addStatement(call("backward", delta, target));
    }
  }

  private CodeBlock call(String method, String from, String to) {
    return CodeBlock.of("$T.$L($L, n, $L, $L, $L, $L)", RuntimeNames.GLOBAL_AVG_POOL, method, from,
        input.dim(0), input.dim(1), input.dim(2), to);
  }

  @Override
  boolean eval(MethodSpec.Builder m, NetworkLayout net, String in, String out) {
    m.addStatement(call("forward", in, out));
    return true;
  }

  @Override
  void compact(CodeBlock.Builder b, NetworkLayout net, String mask) {
    b.add("\n.globalAvgPool()");
  }
}
