package dev.kiln.processor.write;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeSpec;
import dev.kiln.processor.model.SelfAttentionPart;
import dev.kiln.processor.model.Specs.LayerSpec;
import javax.lang.model.element.Modifier;

/**
 * {@code @SelfAttention}: a runtime {@code SelfAttention} per layer (its {@code q, k, v},
 * probabilities and their gradients, sized {@code [BATCH_SIZE, T, D]}) with the network's
 * projections as one {@code SelfAttention.Parameters} (a network member) and the trainer's
 * gradients as another; in eval mode a second {@code SelfAttention} in {@code EvalBuffers}.
 */
final class SelfAttentionCode extends PartCode {
  private final SelfAttentionPart part;

  SelfAttentionCode(LayerSpec layer, int index, SelfAttentionPart part) {
    super(layer, index);
    this.part = part;
  }

  @Override
  String allocate(Wiring wiring, String input) {
    return wiring.buffer("attended", output, "self-attention output");
  }

  /** {@code new SelfAttention.Parameters(...)} of the four projections named by {@code name}. */
  private CodeBlock parameters(java.util.function.Function<String, String> name) {
    CodeBlock.Builder b = CodeBlock.builder().add("new $T(", RuntimeNames.SELF_ATTENTION_PARAMETERS);
    String sep = "";
    for (String p : SelfAttentionPart.PROJECTIONS) {
      b.add(sep + "$N, $L", name.apply(p + ".weight"),
          part.bias() ? name.apply(p + ".bias") : "null");
      sep = ", ";
    }
    return b.add(")").build();
  }

  private String kernel(Shape4 size, String batch) {
    return "new " + "$T(" + batch + ", " + size + ")";
  }

  /** {@code context, width, heads, causal} of the kernel's constructor. */
  private record Shape4(int context, int width, int heads, boolean causal) {
    @Override
    public String toString() {
      return context + ", " + width + ", " + heads + ", " + causal;
    }
  }

  private Shape4 size() {
    return new Shape4(input.dim(0), input.last(), part.heads(), part.causal());
  }

  @Override
  void networkMembers(TypeSpec.Builder type, MethodSpec.Builder constructor, NetworkLayout net) {
    String name = net.field(layer, "projections");
    type.addField(FieldSpec.builder(RuntimeNames.SELF_ATTENTION_PARAMETERS, name, Modifier.PUBLIC,
        Modifier.FINAL).addJavadoc("Layer {@code $L}'s projections, as the attention kernel takes"
            + " them.\n", layer.name()).build());
    constructor.addStatement("$N = $L", name, parameters(role -> net.field(layer, role)));
  }

  @Override
  void fields(TypeSpec.Builder type, Context c) {
    type.addField(FieldSpec.builder(RuntimeNames.SELF_ATTENTION, c.member("attention"),
        Modifier.PRIVATE, Modifier.FINAL)
        .initializer(kernel(size(), "BATCH_SIZE"), RuntimeNames.SELF_ATTENTION).build());
    type.addField(FieldSpec.builder(RuntimeNames.SELF_ATTENTION_PARAMETERS,
        c.member("attentionGrads"), Modifier.PRIVATE, Modifier.FINAL)
        .initializer(parameters(role -> c.grad(role))).build());
  }

  @Override
  void forward(MethodSpec.Builder m, Context c) {
    m.addStatement("$N.forward($N, n, length, network.$N, $N)", c.member("attention"), in(),
        c.field("projections"), out());
  }

  @Override
  void backward(MethodSpec.Builder m, Context c, String delta, String target) {
    m.addStatement("$N.backward($N, $N, n, length, network.$N, $N, $L)", c.member("attention"),
        in(), delta, c.field("projections"), c.member("attentionGrads"),
        target == null ? "null" : target);
  }

  @Override
  void evalBuffers(TypeSpec.Builder buffers, MethodSpec.Builder constructor, NetworkLayout net) {
    String s = net.field(layer, "attention");
    buffers.addField(FieldSpec.builder(RuntimeNames.SELF_ATTENTION, s, Modifier.FINAL).build());
    constructor.addStatement("this.$N = " + kernel(size(), "maxBatch"), s,
        RuntimeNames.SELF_ATTENTION);
  }

  @Override
  boolean eval(MethodSpec.Builder m, NetworkLayout net, String in, String out) {
    m.addStatement("buffers.$N.forward($L, n, length, $N, $L)", net.field(layer, "attention"), in,
        net.field(layer, "projections"), out);
    return true;
  }

  /**
   * Through the layer's key/value cache when the mask is causal; a non-causal model has no
   * cached step (its generation runs the whole window), so this is never called for one.
   */
  @Override
  boolean step(MethodSpec.Builder m, NetworkLayout net, String in, String out) {
    if (!part.causal()) {
      throw new IllegalStateException("no cached step for non-causal attention");
    }
    m.addStatement("generation.$N.forward($L, position, $N, $L)", net.field(layer, "cache"), in,
        net.field(layer, "projections"), out);
    return true;
  }

  @Override
  boolean positional() {
    return true;
  }

  /** {@code new KeyValueCache(context, width, heads)} for the layer. */
  CodeBlock cache() {
    return CodeBlock.of("new $T($L, $L, $L)", RuntimeNames.KEY_VALUE_CACHE, input.dim(0),
        input.last(), part.heads());
  }

  @Override
  void compact(CodeBlock.Builder b, NetworkLayout net, String mask) {
    throw new UnsupportedOperationException("compact() has no self-attention");
  }
}
