package dev.kiln.processor.write;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.NameAllocator;
import com.palantir.javapoet.TypeSpec;
import dev.kiln.processor.model.Specs.LayerSpec;
import dev.kiln.processor.model.Specs.NetworkSpec;
import java.util.List;
import javax.lang.model.element.Modifier;

/**
 * The network's allocation-free eval-mode forward pass: a nested {@code EvalBuffers} class (one
 * {@code [maxBatch, width]} tensor per layer, made once by {@code evalBuffers(maxBatch)}) and
 * {@code forwardEval(input, n, output, buffers)}, one private method per layer. A distilling
 * trainer runs its teacher through it on every step, and {@code predict} runs it on buffers made
 * for the call (the one eval path).
 */
final class EvalCode {
  private EvalCode() {}

  static final String BUFFERS = "EvalBuffers";

  /** Adds {@code EvalBuffers}, {@code evalBuffers}, {@code forwardEval} and the layer methods. */
  static void addMembers(TypeSpec.Builder type, NetworkLayout layout) {
    NetworkSpec spec = layout.spec();
    ClassName buffersType = layout.className().nestedClass(BUFFERS);
    List<String> names = outputFields(spec);
    List<LayerSpec> layers = spec.layers();
    TypeSpec.Builder buffers = TypeSpec.classBuilder(BUFFERS)
        .addModifiers(Modifier.PUBLIC, Modifier.STATIC, Modifier.FINAL)
        .addJavadoc("Buffers of {@link #forwardEval} for batches of up to {@code maxBatch} rows,"
            + " one per layer; made\nonce by {@link #evalBuffers}. Not shared between threads.\n")
        .addField(FieldSpec.builder(int.class, "maxBatch", Modifier.FINAL).build());
    MethodSpec.Builder constructor = MethodSpec.constructorBuilder().addModifiers(Modifier.PRIVATE)
        .addParameter(int.class, "maxBatch").addStatement("this.maxBatch = maxBatch");
    for (int i = 0; i < layers.size() - 1; i++) {
      LayerSpec layer = layers.get(i);
      String field = names.get(i);
      buffers.addField(FieldSpec.builder(RuntimeNames.TENSOR, field, Modifier.FINAL)
          .addJavadoc("Output of layer {@code $L}, {@code [maxBatch, $L]}.\n", layer.name(),
              layer.output().size()).build());
      constructor.addStatement("this.$N = $T.zeros(maxBatch, $L)", field, RuntimeNames.TENSOR,
          layer.output().size());
    }
    for (LayerSpec layer : layers) {
      for (int i = 0; i < layer.parts().size(); i++) {
        PartCode.of(layer, i).evalBuffers(buffers, constructor, layout);
      }
      for (PartCode part : parts(layer)) {
        part.networkFields(type, layout);
        for (PartCode.EvalBuffer b : part.evalBuffers()) {
          String field = layout.field(layer, b.role());
          buffers.addField(FieldSpec.builder(b.type(), field, Modifier.FINAL)
              .addJavadoc("Layer {@code $L}: $L.\n", layer.name(), b.doc()).build());
          constructor.addStatement("this.$N = $L", field, b.init());
        }
      }
      java.util.Set<String> made = new java.util.HashSet<>();
      for (int i = 0; i < layer.parts().size(); i++) {
        if (scratch(layer, i) && made.add(scratchRole(layer, i))) {
          String field = layout.field(layer, scratchRole(layer, i));
          long size = layer.inputOf(i + 1).size();
          buffers.addField(FieldSpec.builder(RuntimeNames.TENSOR, field, Modifier.FINAL)
              .addJavadoc("Layer {@code $L}: output of its $L part, {@code [maxBatch, $L]}.\n",
                  layer.name(), layer.parts().get(i).kind(), size).build());
          constructor.addStatement("this.$N = $T.zeros(maxBatch, $L)", field, RuntimeNames.TENSOR,
              size);
        }
      }
    }
    buffers.addMethod(constructor.build());
    buffers.addMethod(MethodSpec.methodBuilder("maxBatch").addModifiers(Modifier.PUBLIC)
        .returns(int.class).addJavadoc("The most rows a forward pass with these buffers takes.\n")
        .addStatement("return maxBatch").build());
    type.addType(buffers.build());

    type.addMethod(MethodSpec.methodBuilder("evalBuffers").addModifiers(Modifier.PUBLIC)
        .returns(buffersType).addParameter(int.class, "maxBatch")
        .addJavadoc("New buffers for {@link #forwardEval} on up to {@code maxBatch} rows.\n\n"
            + "@throws IllegalArgumentException unless {@code maxBatch ≥ 1}\n")
        .beginControlFlow("if (maxBatch < 1)")
        .addStatement("throw new $T($S + maxBatch)", IllegalArgumentException.class,
            "maxBatch must be at least 1, got ")
        .endControlFlow()
        .addStatement("return new $T(maxBatch)", buffersType).build());

    MethodSpec.Builder forward;
    forward = MethodSpec.methodBuilder("forwardEval")
        .addModifiers(Modifier.PUBLIC)
        .addParameter(RuntimeNames.TENSOR, "input").addParameter(int.class, "n");
    if (spec.tokens()) {
      forward.addParameter(int.class, "length");
    }
    forward.addParameter(RuntimeNames.TENSOR, "output").addParameter(buffersType, "buffers")
        .addJavadoc("Eval-mode forward pass of the first {@code n} rows, allocating nothing:"
            + " batch norm uses its\nrunning statistics, dropout is off, and the network is not"
            + " changed. The same outputs as\n{@link #predict}.\n\n@param input {@code [rows,"
            + " $L]}$L with {@code rows ≥ n}; only the first {@code n} rows are read\n@param output"
            + " {@code [rows, $L]} with {@code rows ≥ n}; its first {@code n} rows are"
            + " overwritten\n@param buffers from {@link #evalBuffers}, with {@code maxBatch ≥"
            + " n}\n@throws IllegalArgumentException for {@code n} outside [1, {@code"
            + " buffers.maxBatch()}] or a tensor\n    of the wrong shape\n", spec.inputs(),
            spec.input().rank() == 3 ? " (or {@code [rows, " + spec.input().dim(0) + ", "
                + spec.input().dim(1) + ", " + spec.input().dim(2) + "]})" : "",
            spec.outputs())
        .beginControlFlow("if (n < 1 || n > buffers.maxBatch)")
        .addStatement("throw new $T($S + buffers.maxBatch + $S + n)",
            IllegalArgumentException.class, "rows: expected 1 <= n <= ", ", got ")
        .endControlFlow()
        ;
    if (spec.tokens()) {
      forward.beginControlFlow("if (length < 1 || length > CONTEXT)")
          .addStatement("throw new $T($S + length)", IllegalArgumentException.class,
              "length: expected 1 <= length <= " + spec.context() + ", got ")
          .endControlFlow();
    }
    boolean images = spec.input().rank() == 3;
    if (images) {
      // a trainer hands its batch on as it holds it: the caller's [n, C, H, W] array or rows
      forward.addStatement("checkEvalImages(input, n)");
    } else {
      forward.addStatement("checkEvalTensor($S, input, n, INPUTS)", "input");
    }
    forward.addStatement("checkEvalTensor($S, output, n, OUTPUTS)", "output");
    String in = "input";
    java.util.Map<String, String> outputs = new java.util.HashMap<>();
    for (int i = 0; i < layers.size(); i++) {
      LayerSpec layer = layers.get(i);
      String out = i == layers.size() - 1 ? "output" : "buffers." + names.get(i);
      outputs.put(layer.name(), out);
      forward.addStatement("$N($L)", layout.evalMethod(layer),
          String.join(", ", arguments(spec, layer, in, out, outputs)));
      in = out;
    }
    type.addMethod(forward.build());
    type.addMethod(MethodSpec.methodBuilder("checkEvalTensor")
        .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
        .addParameter(String.class, "what").addParameter(RuntimeNames.TENSOR, "t")
        .addParameter(int.class, "n").addParameter(int.class, "width")
        .addJavadoc("Checks that {@code t} is {@code [rows, width]} with {@code rows ≥ n}.\n")
        .beginControlFlow("if (t.rank() != 2 || t.size(1) != width || t.size(0) < n)")
        .addStatement("throw new $T(what + $S + n + $S + width + $S + t)",
            IllegalArgumentException.class, ": expected [rows >= ", ", ", "], got ")
        .endControlFlow().build());
    if (images) {
      type.addMethod(MethodSpec.methodBuilder("checkEvalImages")
          .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
          .addParameter(RuntimeNames.TENSOR, "input").addParameter(int.class, "n")
          .addJavadoc("Checks that {@code input} is {@code [rows, $L, $L, $L]} or {@code [rows,"
              + " INPUTS]} with {@code rows ≥ n}.\n", spec.input().dim(0), spec.input().dim(1),
              spec.input().dim(2))
          .beginControlFlow("if (input.rank() == 4 && (input.size(1) != $L || input.size(2) != $L"
              + " || input.size(3) != $L || input.size(0) < n))", spec.input().dim(0),
              spec.input().dim(1), spec.input().dim(2))
          .addStatement("throw new $T($S + n + $S + input)", IllegalArgumentException.class,
              "input: expected [rows >= ", ", " + spec.input().dim(0) + ", " + spec.input().dim(1)
                  + ", " + spec.input().dim(2) + "], got ")
          .endControlFlow()
          .beginControlFlow("if (input.rank() != 4)")
          .addStatement("checkEvalTensor($S, input, n, INPUTS)", "input")
          .endControlFlow().build());
    }
    for (LayerSpec layer : layers) {
      type.addMethod(layerEval(layout, layer));
    }
  }

  /**
   * The {@code EvalBuffers} field holding each layer's output, by layer index (all but the last
   * layer, which writes the caller's output).
   */
  static List<String> outputFields(NetworkSpec spec) {
    NameAllocator names = new NameAllocator();
    names.newName("maxBatch", "reserved:maxBatch");
    List<String> fields = new java.util.ArrayList<>();
    for (int i = 0; i < spec.layers().size() - 1; i++) {
      fields.add(names.newName(spec.layers().get(i).name(), i));
    }
    return fields;
  }

  /** Whether layer eval methods take the {@code EvalBuffers} (some part keeps scratch there). */
  private static boolean scratch(NetworkSpec spec) {
    return spec.tokens() || spec.layers().stream().anyMatch(l -> l.parts().stream().anyMatch(
        p -> p instanceof dev.kiln.processor.model.LayerNormPart
            || p instanceof dev.kiln.processor.model.SelfAttentionPart));
  }

  /** The residual end part of a layer, or null. */
  static dev.kiln.processor.model.ResidualPart residualEnd(LayerSpec layer) {
    return layer.part(dev.kiln.processor.model.ResidualPart.class).filter(p -> !p.start())
        .orElse(null);
  }

  /**
   * The arguments of a layer's eval call: {@code input, n[, length], output[, buffers][, skip]};
   * a residual end's {@code skip} is its start layer's output (the block's input).
   */
  private static List<String> arguments(NetworkSpec spec, LayerSpec layer, String in, String out,
      java.util.Map<String, String> outputs) {
    List<String> a = new java.util.ArrayList<>(List.of(in, "n"));
    if (spec.tokens()) {
      a.add("length");
    }
    a.add(out);
    if (scratch(spec) || usesBuffers(layer)) {
      a.add("buffers");
    }
    dev.kiln.processor.model.ResidualPart end = residualEnd(layer);
    if (end != null) {
      a.add(outputs.get(end.partner()));
    }
    return a;
  }

  private static MethodSpec layerEval(NetworkLayout layout, LayerSpec layer) {
    NetworkSpec spec = layout.spec();
    MethodSpec.Builder m = MethodSpec.methodBuilder(layout.evalMethod(layer))
        .addModifiers(Modifier.PRIVATE)
        .addParameter(RuntimeNames.TENSOR, "input").addParameter(int.class, "n");
    if (spec.tokens()) {
      m.addParameter(int.class, "length");
    }
    m.addParameter(RuntimeNames.TENSOR, "output");
    if (scratch(spec) || usesBuffers(layer)) {
      m.addParameter(layout.className().nestedClass(BUFFERS), "buffers");
    }
    if (residualEnd(layer) != null) {
      m.addParameter(RuntimeNames.TENSOR, "skip");
    }
    m
        .addJavadoc("Layer {@code $L} in eval mode into {@code output}: $L.\n", layer.name(),
            layer.describe());
    String current = "input";
    for (int i = 0; i < layer.parts().size(); i++) {
      String target = scratch(layer, i)
          ? "buffers." + layout.field(layer, scratchRole(layer, i)) : "output";
      if (PartCode.of(layer, i).eval(m, layout, current, target)) {
        current = target;
      }
    }
    if (current.equals("input")) {
      m.addComment("the identity in eval mode")
          .addStatement("output.data().put(0, input.data(), 0, $L)",
              PartCode.count(layer.output()));
    }
    return m.build();
  }

  private static List<PartCode> parts(LayerSpec layer) {
    List<PartCode> codes = new java.util.ArrayList<>();
    for (int i = 0; i < layer.parts().size(); i++) {
      codes.add(PartCode.of(layer, i));
    }
    return codes;
  }

  /**
   * Whether part {@code i} writes a scratch buffer in eval mode: a later part of the layer
   * changes the shape (pooling after a convolution), so {@code output} is too small for it.
   * Parts after it that keep the shape work in place in the same buffer.
   */
  static boolean scratch(LayerSpec layer, int i) {
    for (int j = i + 1; j < layer.parts().size(); j++) {
      if (layer.inputOf(j + 1).size() != layer.inputOf(j).size()) {
        return true;
      }
    }
    return false;
  }

  /** The scratch buffer part {@code i} writes: that of the shape-changing part it follows. */
  static String scratchRole(LayerSpec layer, int i) {
    int owner = i;
    while (owner > 0 && layer.inputOf(owner).size() == layer.inputOf(owner + 1).size()) {
      owner--;
    }
    return layer.parts().get(owner).kind().toLowerCase(java.util.Locale.ROOT) + "Out";
  }

  /** Whether the layer's eval method takes the {@code EvalBuffers}. */
  private static boolean usesBuffers(LayerSpec layer) {
    for (int i = 0; i < layer.parts().size(); i++) {
      if (scratch(layer, i) || !PartCode.of(layer, i).evalBuffers().isEmpty()) {
        return true;
      }
    }
    return false;
  }
}
