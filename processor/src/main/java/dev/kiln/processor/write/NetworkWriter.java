package dev.kiln.processor.write;

import com.palantir.javapoet.AnnotationSpec;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.JavaFile;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterizedTypeName;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import dev.kiln.processor.model.ParamSpec;
import dev.kiln.processor.model.Specs.LayerSpec;
import dev.kiln.processor.model.Specs.NetworkSpec;
import dev.kiln.processor.write.Parameters.Param;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.lang.model.element.Element;
import javax.lang.model.element.Modifier;

/** Writes {@code <Model>Network}: parameters, seeded initialisation and eval-mode prediction. */
public final class NetworkWriter {
  private final NetworkLayout layout;

  public NetworkWriter(NetworkSpec spec) {
    this.layout = new NetworkLayout(spec);
  }

  /** The file, with {@code origin} (the {@code @Model} type) as its one originating element. */
  public JavaFile write(Element origin) {
    NetworkSpec spec = layout.spec();
    TypeSpec.Builder type = TypeSpec.classBuilder(spec.className())
        .addModifiers(Modifier.FINAL)
        .addAnnotation(AnnotationSpec.builder(RuntimeNames.KILN_GENERATED)
            .addMember("value", "$S", spec.target().qualifiedSourceName()).build())
        .addJavadoc(classJavadoc(spec))
        .addOriginatingElement(origin)
        .alwaysQualify(PackageNames.of(origin));
    if (spec.target().isPublic()) {
      type.addModifiers(Modifier.PUBLIC);
    }
    type.addField(FieldSpec.builder(int.class, "INPUTS", Modifier.PUBLIC, Modifier.STATIC,
        Modifier.FINAL).initializer("$L", spec.inputs())
        .addJavadoc("Input features per sample.\n").build());
    type.addField(FieldSpec.builder(RuntimeNames.FINGERPRINT, "MODEL_FINGERPRINT",
            Modifier.STATIC, Modifier.FINAL)
        .initializer(CheckpointCode.modelFingerprintCode(spec))
        .addJavadoc("The layers as data, as exports and checkpoints record them.\n").build());
    type.addField(FieldSpec.builder(int.class, "OUTPUTS", Modifier.PUBLIC, Modifier.STATIC,
        Modifier.FINAL).initializer("$L", spec.outputs())
        .addJavadoc("Outputs per sample: the last layer's units.\n").build());

    if (spec.tokens()) {
      type.addField(FieldSpec.builder(int.class, "VOCABULARY", Modifier.PUBLIC, Modifier.STATIC,
          Modifier.FINAL).initializer("$L", spec.vocabulary())
          .addJavadoc("Token ids are whole numbers in {@code [0, VOCABULARY)}.\n").build());
      type.addField(FieldSpec.builder(int.class, "CONTEXT", Modifier.PUBLIC, Modifier.STATIC,
          Modifier.FINAL).initializer("$L", spec.context())
          .addJavadoc("The longest sequence a forward pass takes.\n").build());
    }
    MethodSpec.Builder constructor = MethodSpec.constructorBuilder().addModifiers(Modifier.PRIVATE)
        .addStatement("$T<$T, $T> map = new $T<>()", Map.class, String.class,
            RuntimeNames.INDARRAY, LinkedHashMap.class);
    for (Param p : Parameters.of(spec)) {
      String field = layout.field(p);
      type.addField(FieldSpec.builder(RuntimeNames.TENSOR, field, Modifier.PUBLIC, Modifier.FINAL)
          .addJavadoc("{@code $L} $L, live (the tensor behind {@code parameters()}; public for"
              + " trainers in\nother packages).\n", p.key(), Literals.shape(p.shape())).build());
      constructor.addStatement("$N = $T.zeros($L)", field, RuntimeNames.TENSOR,
          Literals.shape(p.shape()).replace("[", "").replace("]", ""));
      constructor.addStatement("map.put($S, $N.array())", p.key(), field);
    }
    TypeName mapType = ParameterizedTypeName.get(ClassName.get(Map.class),
        ClassName.get(String.class), RuntimeNames.INDARRAY);
    type.addField(FieldSpec.builder(mapType, "parameters", Modifier.PRIVATE, Modifier.FINAL).build());
    constructor.addStatement("parameters = $T.unmodifiableMap(map)", Collections.class);
    for (LayerSpec layer : spec.layers()) {
      for (int i = 0; i < layer.parts().size(); i++) {
        PartCode.of(layer, i).networkMembers(type, constructor, layout);
      }
    }
    type.addMethod(constructor.build());
    type.addMethod(initialize(spec));
    type.addMethod(MethodSpec.methodBuilder("parameters").addModifiers(Modifier.PUBLIC)
        .returns(mapType)
        .addJavadoc("Live views of every parameter and running statistic, ordered by layer and"
            + " named\n{@code <layer>.weight} {@code [in, out]}, {@code <layer>.bias} {@code [out]},"
            + " {@code <layer>.gamma},\n{@code <layer>.beta}, {@code <layer>.runningMean},"
            + " {@code <layer>.runningVar} {@code [features]}.\nAssigning into a view changes the"
            + " network.\n")
        .addStatement("return parameters").build());
    type.addMethod(export(spec));
    type.addMethod(load(spec));
    type.addMethod(tensors(spec));
    if (spec.tokens()) {
      type.addMethod(predictTokens(spec));
    } else {
      type.addMethod(predict(spec));
      type.addMethod(predictInto(spec));
    }
    EvalCode.addMembers(type, layout);
    if (spec.tokens()) {
      GenerationCode.addMembers(type, layout);
    }
    return JavaFile.builder(spec.target().packageName(), type.build())
        .addFileComment("Generated by Kiln. Do not edit.").skipJavaLangImports(true).build();
  }

  private static CodeBlock classJavadoc(NetworkSpec spec) {
    CodeBlock.Builder doc = CodeBlock.builder()
        .add("The network declared by {@code $L}, generated by Kiln.\n\n", spec.target().sourceName())
        .add("<p>Activations are row vectors: a layer computes {@code y = x·W + b} with {@code W}"
            + " {@code [in, out]}.\n")
        .add(spec.input().rank() == 3 ? "Images are {@code [n, C, H, W]} (NCHW, as PyTorch);"
            + " a convolution's weight is {@code [out, in, kh, kw]},\nand {@code @Dense} after"
            + " an image layer flattens it as {@code torch.flatten(x, 1)}.\n" : "")
        .add("\n<pre>\n")
        .add(String.format("%-16s %-16s %s%n", "layer", "output", "parameters"))
        .add(String.format("%-16s %-16s %s%n", "(input)", Literals.batchShape(spec.input()),
            "-"));
    for (LayerSpec layer : spec.layers()) {
      doc.add(String.format("%-16s %-16s %,d  %s%n", layer.name(),
          Literals.batchShape(layer.output()), layer.parameterCount(), layer.describe()));
    }
    doc.add(String.format("total trainable parameters: %,d%n", spec.parameterCount()));
    return doc.add("</pre>\n").build();
  }

  private MethodSpec initialize(NetworkSpec spec) {
    MethodSpec.Builder m = MethodSpec.methodBuilder("initialize")
        .addModifiers(Modifier.PUBLIC, Modifier.STATIC)
        .returns(layout.className())
        .addParameter(long.class, "seed")
        .addJavadoc("A new network with seeded weights (He-uniform for ReLU-family layers,"
            + " Xavier-uniform otherwise,\nunless a layer names its init), zero biases, batch-norm"
            + " gamma 1, beta 0, running mean 0 and\nrunning variance 1. The same seed gives the"
            + " same network.\n")
        .addStatement("$T network = new $T()", layout.className(), layout.className())
        .addStatement("$T rng = new $T(seed)", RuntimeNames.SPLIT_MIX, RuntimeNames.SPLIT_MIX);
    for (Param p : Parameters.of(spec)) {
      ParamSpec a = p.spec();
      String field = layout.field(p);
      switch (a.init()) {
        case HE_UNIFORM -> m.addStatement("$T.heUniform(network.$N, $L, rng)",
            RuntimeNames.INITIALIZERS, field, a.fanIn());
        case HE_NORMAL -> m.addStatement("$T.heNormal(network.$N, $L, rng)",
            RuntimeNames.INITIALIZERS, field, a.fanIn());
        case XAVIER_UNIFORM -> m.addStatement("$T.xavierUniform(network.$N, $L, $L, rng)",
            RuntimeNames.INITIALIZERS, field, a.fanIn(), a.fanOut());
        case XAVIER_NORMAL -> m.addStatement("$T.xavierNormal(network.$N, $L, $L, rng)",
            RuntimeNames.INITIALIZERS, field, a.fanIn(), a.fanOut());
        case ONES -> m.addStatement("network.$N.fill(1f)", field);
        case ZEROS -> { } // Tensor.zeros made it
      }
    }
    return m.addStatement("return network").build();
  }

  private MethodSpec export(NetworkSpec spec) {
    return MethodSpec.methodBuilder("save").addModifiers(Modifier.PUBLIC)
        .addParameter(java.nio.file.Path.class, "file")
        .addException(java.io.IOException.class)
        .addJavadoc("Writes this network's parameters and batch-norm statistics (no optimizer"
            + " state) to {@code file},\natomically, as an inference export that {@link #load}"
            + " reads.\n\n@throws java.io.IOException if writing fails; a previous file is then"
            + " intact\n")
        .addStatement("$T.save(file, MODEL_FINGERPRINT, tensors())", RuntimeNames.NETWORK_EXPORT)
        .build();
  }

  private MethodSpec load(NetworkSpec spec) {
    return MethodSpec.methodBuilder("load").addModifiers(Modifier.PUBLIC, Modifier.STATIC)
        .returns(layout.className())
        .addParameter(java.nio.file.Path.class, "file")
        .addException(java.io.IOException.class)
        .addJavadoc("A network read from an inference export ({@link #save}) or a training"
            + " checkpoint.\n\n@throws dev.kiln.runtime.checkpoint.CheckpointException if the"
            + " file is unusable or was written for\n    another model\n")
        .addStatement("$T network = new $T()", layout.className(), layout.className())
        .addStatement("$T.load(file, MODEL_FINGERPRINT, network.tensors())",
            RuntimeNames.NETWORK_EXPORT)
        .addStatement("return network").build();
  }

  private MethodSpec tensors(NetworkSpec spec) {
    MethodSpec.Builder m = MethodSpec.methodBuilder("tensors")
        .returns(ParameterizedTypeName.get(ClassName.get(Map.class), ClassName.get(String.class),
            RuntimeNames.TENSOR))
        .addJavadoc("Every array by name, as the tensors themselves.\n")
        .addStatement("$T<$T, $T> map = new $T<>()", Map.class, String.class,
            RuntimeNames.TENSOR, LinkedHashMap.class);
    for (Param p : Parameters.of(spec)) {
      m.addStatement("map.put($S, $N)", p.key(), layout.field(p));
    }
    return m.addStatement("return map").build();
  }

  /** {@code [n, 784]}, or for images {@code [n, 1, 28, 28]} (or [n, 784]). */
  static String featureShapes(NetworkSpec spec) {
    return spec.input().rank() == 1 ? "[n, " + spec.inputs() + "]"
        : Literals.batchShape(spec.input()) + "} (or {@code [n, " + spec.inputs() + "]}";
  }

  private MethodSpec predict(NetworkSpec spec) {
    return MethodSpec.methodBuilder("predict").addModifiers(Modifier.PUBLIC)
        .returns(RuntimeNames.INDARRAY)
        .addParameter(RuntimeNames.INDARRAY, "features")
        .addJavadoc("Eval-mode forward pass: batch norm uses its running statistics, dropout is"
            + " off.\n\n@param features {@code $L} float32, any {@code n ≥ 1}\n@return a new"
            + " {@code [n, $L]} float32 array of outputs (logits for a softmax loss)\n@throws"
            + " IllegalArgumentException for a wrong shape or dtype\n", featureShapes(spec),
            spec.outputs())
        .addStatement("int n = $L", InputChecks.featureRows(spec.input(),
            CodeBlock.of("INPUTS"), CodeBlock.of("$T.MAX_VALUE", Integer.class)))
        .addStatement("$T output = $T.create($T.FLOAT, n, OUTPUTS)", RuntimeNames.INDARRAY,
            RuntimeNames.ND4J, RuntimeNames.DATA_TYPE)
        .addStatement("predict(features, output)")
        .addStatement("return output").build();
  }

  private MethodSpec predictTokens(NetworkSpec spec) {
    return MethodSpec.methodBuilder("predict").addModifiers(Modifier.PUBLIC)
        .returns(RuntimeNames.INDARRAY)
        .addParameter(RuntimeNames.INDARRAY, "tokens")
        .addJavadoc("Eval-mode forward pass of a batch of sequences (dropout off).\n\n@param"
            + " tokens token ids {@code [n, t]}, {@code t ≤ CONTEXT}, whole numbers in {@code [0,"
            + " VOCABULARY)}\n@return a new {@code [n, t, VOCABULARY]} float32 array of logits\n"
            + "@throws IllegalArgumentException for a wrong shape or an id out of range\n")
        .addStatement("int n = $T.checkShape($S, tokens, CONTEXT, $T.MAX_VALUE)",
            RuntimeNames.TOKEN_INPUT, "tokens", Integer.class)
        .addStatement("$T.checkIds($S, tokens, VOCABULARY)", RuntimeNames.TOKEN_INPUT, "tokens")
        .addStatement("int length = (int) tokens.size(1)")
        .addStatement("$T input = $T.zeros(n, CONTEXT)", RuntimeNames.TENSOR, RuntimeNames.TENSOR)
        .addStatement("$T.copy(tokens, input)", RuntimeNames.TOKEN_INPUT)
        .addStatement("$T result = $T.zeros(n, OUTPUTS)", RuntimeNames.TENSOR,
            RuntimeNames.TENSOR)
        .addStatement("forwardEval(input, n, length, result, evalBuffers(n))")
        .addComment("the logits are packed [n, length, VOCABULARY] at the start of result")
        .addStatement("return result.array().reshape((long) n * OUTPUTS).get($T.interval(0,"
            + " (long) n * length * VOCABULARY)).dup().reshape(n, length, VOCABULARY)",
            RuntimeNames.ND_ARRAY_INDEX).build();
  }

  private MethodSpec predictInto(NetworkSpec spec) {
    return MethodSpec.methodBuilder("predict").addModifiers(Modifier.PUBLIC)
        .addParameter(RuntimeNames.INDARRAY, "features")
        .addParameter(RuntimeNames.INDARRAY, "output")
        .addJavadoc("Eval-mode forward pass into a caller's array, through {@link #forwardEval} on"
            + " buffers made for\nthe call.\n\n@param features {@code [n,"
            + " $L]} float32\n@param output {@code [n, $L]} float32, overwritten\n@throws"
            + " IllegalArgumentException for a wrong shape or dtype of either array\n",
            featureShapes(spec).substring(4, featureShapes(spec).length() - 1), spec.outputs())
        .addStatement("int n = $L", InputChecks.featureRows(spec.input(),
            CodeBlock.of("INPUTS"), CodeBlock.of("$T.MAX_VALUE", Integer.class)))
        .beginControlFlow("if ($T.checkRows($S, output, OUTPUTS, n) != n)",
            RuntimeNames.BATCH_INPUT, "output")
        .addStatement("throw new $T($S + n + $S + output.size(0))",
            IllegalArgumentException.class, "output: expected ", " rows to match features, got ")
        .endControlFlow()
        .addStatement("$T input = $T.zeros(n, INPUTS)", RuntimeNames.TENSOR, RuntimeNames.TENSOR)
        .addStatement("new $T().copy(features, input, n, INPUTS)", RuntimeNames.BATCH_INPUT)
        .addStatement("$T result = $T.zeros(n, OUTPUTS)", RuntimeNames.TENSOR,
            RuntimeNames.TENSOR)
        .addStatement("forwardEval(input, n, result, evalBuffers(n))")
        .addStatement("output.assign(result.array())").build();
  }
}
