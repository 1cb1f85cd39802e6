package dev.kiln.processor.write;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeSpec;
import dev.kiln.processor.model.LayerNormPart;
import dev.kiln.processor.model.Shape;
import dev.kiln.processor.model.Specs.LayerSpec;
import javax.lang.model.element.Modifier;

/**
 * {@code @LayerNorm}: a runtime {@code LayerNorm} kernel per layer, normalising every position
 * into the layer's {@code normed} buffer and keeping each row's mean and reciprocal deviation
 * ({@code [BATCH_SIZE, T]}) for backward; in eval mode the same kernel on scratch of {@code
 * EvalBuffers}.
 */
final class LayerNormCode extends PartCode {
  private final LayerNormPart part;
  private String mean;
  private String rstd;

  LayerNormCode(LayerSpec layer, int index, LayerNormPart part) {
    super(layer, index);
    this.part = part;
  }

  /** Positions per sample: {@code T} of a sequence, 1 of a vector. */
  private int positions() {
    return input.isSequence() ? input.dim(0) : 1;
  }

  @Override
  String allocate(Wiring wiring, String input) {
    mean = wiring.buffer("mean", Shape.of(positions()), "layer norm's row means");
    rstd = wiring.buffer("rstd", Shape.of(positions()), "layer norm's 1/sqrt(var + eps) per row");
    return wiring.buffer("normed", output, "layer norm's output");
  }

  @Override
  void fields(TypeSpec.Builder type, Context c) {
    type.addField(FieldSpec.builder(RuntimeNames.LAYER_NORM, c.member("layerNorm"),
        Modifier.PRIVATE, Modifier.FINAL).initializer("new $T($L, $L)", RuntimeNames.LAYER_NORM,
            input.last(), Literals.of(part.epsilon())).build());
  }

  @Override
  void forward(MethodSpec.Builder m, Context c) {
    m.addStatement("$N.forward($N, $L, network.$N, network.$N, $N, $N, $N)",
        c.member("layerNorm"), in(), rows(input), c.field("gamma"), c.field("beta"), mean, rstd,
        out());
  }

  @Override
  void backward(MethodSpec.Builder m, Context c, String delta, String target) {
    m.addStatement("$N.backward($N, $N, $L, network.$N, $N, $N, $L, $N, $N)",
        c.member("layerNorm"), in(), delta, rows(input), c.field("gamma"), mean, rstd,
        target == null ? "null" : target, c.grad("gamma"), c.grad("beta"));
  }

  private String scratch(NetworkLayout net) {
    return net.field(layer, "layerNorm");
  }

  @Override
  void evalBuffers(TypeSpec.Builder buffers, MethodSpec.Builder constructor, NetworkLayout net) {
    String s = scratch(net);
    buffers.addField(FieldSpec.builder(RuntimeNames.LAYER_NORM, s, Modifier.FINAL).build());
    buffers.addField(FieldSpec.builder(RuntimeNames.TENSOR, s + "Mean", Modifier.FINAL).build());
    buffers.addField(FieldSpec.builder(RuntimeNames.TENSOR, s + "Rstd", Modifier.FINAL).build());
    constructor.addStatement("this.$N = new $T($L, $L)", s, RuntimeNames.LAYER_NORM, input.last(),
        Literals.of(part.epsilon()));
    constructor.addStatement("this.$N = $T.zeros(maxBatch, $L)", s + "Mean", RuntimeNames.TENSOR,
        positions());
    constructor.addStatement("this.$N = $T.zeros(maxBatch, $L)", s + "Rstd", RuntimeNames.TENSOR,
        positions());
  }

  @Override
  boolean eval(MethodSpec.Builder m, NetworkLayout net, String in, String out) {
    String s = "buffers." + scratch(net);
    m.addStatement("$L.forward($L, $L, $N, $N, $L, $L, $L)", s, in, rows(input),
        net.field(layer, "gamma"), net.field(layer, "beta"), s + "Mean", s + "Rstd", out);
    return true;
  }

  @Override
  void compact(CodeBlock.Builder b, NetworkLayout net, String mask) {
    throw new UnsupportedOperationException("compact() has no layer norm");
  }
}
