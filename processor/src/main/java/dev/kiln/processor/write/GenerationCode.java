package dev.kiln.processor.write;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeSpec;
import dev.kiln.processor.model.SelfAttentionPart;
import dev.kiln.processor.model.Specs.LayerSpec;
import dev.kiln.processor.model.Specs.NetworkSpec;
import java.util.ArrayList;
import java.util.List;
import javax.lang.model.element.Modifier;

/**
 * A token model's autoregressive sampling in the generated network: {@code generate} (nanoGPT's
 * loop: the last position's logits, temperature, top-k, one sampled id), the {@code Generation}
 * scratch it keeps (one sequence's {@code EvalBuffers}, a {@code KeyValueCache} per attention
 * layer, a {@code TokenSampler}), {@code forwardStep} (one position through the layers: the layer
 * eval methods with one row, and a step method for each layer with a positional part) and the
 * allocation-free {@code predict(tokens, output)}.
 *
 * <p>Contexts overflow as in nanoGPT: the sequence is cropped to its last {@code CONTEXT} tokens
 * and, since learned absolute positions move with the crop, that window runs again in full (the
 * caches are then bypassed). A model with non-causal attention has no valid cache (earlier
 * positions see later ones) and always runs the window.
 */
final class GenerationCode {
  private GenerationCode() {}

  static final String STATE = "Generation";

  /** Whether generation steps through key/value caches: every attention layer is causal. */
  static boolean cached(NetworkSpec spec) {
    return spec.layers().stream().flatMap(l -> l.parts().stream())
        .noneMatch(p -> p instanceof SelfAttentionPart a && !a.causal());
  }

  private static boolean positional(LayerSpec layer) {
    for (int i = 0; i < layer.parts().size(); i++) {
      if (PartCode.of(layer, i).positional()) {
        return true;
      }
    }
    return false;
  }

  /** Adds the members above to the network of a token model. */
  static void addMembers(TypeSpec.Builder type, NetworkLayout layout) {
    NetworkSpec spec = layout.spec();
    boolean cached = cached(spec);
    ClassName state = layout.className().nestedClass(STATE);
    type.addField(FieldSpec.builder(state, "generation", Modifier.PRIVATE)
        .addJavadoc("The scratch of {@link #generate}, made by its first call.\n").build());
    type.addType(stateType(layout, cached));
    type.addMethod(generateNew());
    type.addMethod(generateInto());
    type.addMethod(generate(layout, cached));
    type.addMethod(nextLogits(layout, cached));
    if (cached) {
      type.addMethod(forwardStep(layout));
      for (LayerSpec layer : spec.layers()) {
        if (positional(layer)) {
          type.addMethod(layerStep(layout, layer));
        }
      }
    }
    PredictCode.addMembers(type, layout);
  }

  private static TypeSpec stateType(NetworkLayout layout, boolean cached) {
    ClassName buffers = layout.className().nestedClass(EvalCode.BUFFERS);
    TypeSpec.Builder t = TypeSpec.classBuilder(STATE)
        .addModifiers(Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
        .addJavadoc("The scratch of {@link #generate} for one sequence: made once, reused by every"
            + " call. Not shared\nbetween threads.\n")
        .addField(FieldSpec.builder(buffers, "buffers", Modifier.FINAL)
            .addJavadoc("Buffers of the one-sequence forward passes.\n").build())
        .addField(FieldSpec.builder(RuntimeNames.TENSOR, "token", Modifier.FINAL)
            .addJavadoc("The id of a cached step's position, {@code [1, 1]}.\n").build())
        .addField(FieldSpec.builder(RuntimeNames.TENSOR, "window", Modifier.FINAL)
            .addJavadoc("The ids of a window forward, {@code [1, CONTEXT]}.\n").build())
        .addField(FieldSpec.builder(RuntimeNames.TENSOR, "logits", Modifier.FINAL)
            .addJavadoc("Logits of a step (its first {@code VOCABULARY}) or of a window, {@code [1,"
                + " CONTEXT·VOCABULARY]}.\n").build())
        .addField(FieldSpec.builder(float[].class, "next", Modifier.FINAL)
            .addJavadoc("The logits of the next token, {@code [VOCABULARY]}.\n").build())
        .addField(FieldSpec.builder(RuntimeNames.TOKEN_SAMPLER, "sampler", Modifier.FINAL).build())
        .addField(FieldSpec.builder(RuntimeNames.SPLIT_MIX, "random", Modifier.FINAL)
            .addJavadoc("Seeded by each call.\n").build());
    MethodSpec.Builder constructor = MethodSpec.constructorBuilder()
        .addStatement("this.buffers = new $T(1)", buffers)
        .addStatement("this.token = $T.zeros(1, 1)", RuntimeNames.TENSOR)
        .addStatement("this.window = $T.zeros(1, CONTEXT)", RuntimeNames.TENSOR)
        .addStatement("this.logits = $T.zeros(1, OUTPUTS)", RuntimeNames.TENSOR)
        .addStatement("this.next = new float[VOCABULARY]")
        .addStatement("this.sampler = new $T(VOCABULARY)", RuntimeNames.TOKEN_SAMPLER)
        .addStatement("this.random = new $T(0)", RuntimeNames.SPLIT_MIX);
    if (cached) {
      for (LayerSpec layer : layout.spec().layers()) {
        for (int i = 0; i < layer.parts().size(); i++) {
          if (PartCode.of(layer, i) instanceof SelfAttentionCode attention) {
            String field = layout.field(layer, "cache");
            t.addField(FieldSpec.builder(RuntimeNames.KEY_VALUE_CACHE, field, Modifier.FINAL)
                .addJavadoc("Layer {@code $L}: keys and values of the cached positions.\n",
                    layer.name()).build());
            constructor.addStatement("this.$N = $L", field, attention.cache());
          }
        }
      }
    }
    return t.addMethod(constructor.build()).build();
  }

  private static final String SETTINGS = "@param prompt token ids in {@code [0, VOCABULARY)}, at"
      + " least one\n@param maxNewTokens tokens to sample, {@code ≥ 0}\n@param temperature"
      + " divides the logits, finite and {@code ≥ 0}; {@code 0} is greedy decoding (the\n    id of"
      + " the largest logit, no random draw)\n@param topK sample among the {@code topK} largest"
      + " logits (ties with the last kept), {@code 0}\n    for the whole vocabulary, at most"
      + " {@code VOCABULARY}\n@param seed seeds the runtime's {@code SplitMix64}: the same seed,"
      + " prompt and weights give the\n    same tokens\n";

  private static MethodSpec generateNew() {
    return MethodSpec.methodBuilder("generate").addModifiers(Modifier.PUBLIC)
        .returns(int[].class)
        .addParameter(int[].class, "prompt").addParameter(int.class, "maxNewTokens")
        .addParameter(double.class, "temperature").addParameter(int.class, "topK")
        .addParameter(long.class, "seed")
        .addJavadoc("The prompt followed by {@code maxNewTokens} sampled tokens, in a new array:"
            + " {@link\n#generate(int[], int, double, int, long, int[], float[])}.\n\n" + SETTINGS
            + "@return a new array of {@code prompt.length + maxNewTokens} ids\n@throws"
            + " IllegalArgumentException for an argument outside its range, naming it\n")
        .addStatement("int[] output = new int[$T.checkPrompt(prompt, maxNewTokens, VOCABULARY)]",
            RuntimeNames.TOKEN_GENERATION)
        .addStatement("generate(prompt, maxNewTokens, temperature, topK, seed, output, null)")
        .addStatement("return output").build();
  }

  private static MethodSpec generateInto() {
    return MethodSpec.methodBuilder("generate").addModifiers(Modifier.PUBLIC)
        .returns(int.class)
        .addParameter(int[].class, "prompt").addParameter(int.class, "maxNewTokens")
        .addParameter(double.class, "temperature").addParameter(int.class, "topK")
        .addParameter(long.class, "seed").addParameter(int[].class, "output")
        .addJavadoc("Samples {@code maxNewTokens} tokens after {@code prompt} into a caller's array:"
            + " {@link\n#generate(int[], int, double, int, long, int[], float[])} without the"
            + " logits.\n\n" + SETTINGS + "@param output receives the prompt then the new tokens;"
            + " at least {@code prompt.length + maxNewTokens}\n    long\n@return the ids written,"
            + " {@code prompt.length + maxNewTokens}\n@throws IllegalArgumentException for an"
            + " argument outside its range, naming it, before anything\n    changes\n")
        .addStatement("return generate(prompt, maxNewTokens, temperature, topK, seed, output,"
            + " null)").build();
  }

  private static MethodSpec generate(NetworkLayout layout, boolean cached) {
    return MethodSpec.methodBuilder("generate").addModifiers(Modifier.PUBLIC)
        .returns(int.class)
        .addParameter(int[].class, "prompt").addParameter(int.class, "maxNewTokens")
        .addParameter(double.class, "temperature").addParameter(int.class, "topK")
        .addParameter(long.class, "seed").addParameter(int[].class, "output")
        .addParameter(float[].class, "logits")
        .addJavadoc("Autoregressive sampling as nanoGPT's {@code generate}: for each new token, the"
            + " logits of the\nlast position (eval mode: dropout off) are divided by {@code"
            + " temperature}, all but the {@code topK}\nlargest dropped, and one id is drawn from"
            + " their softmax with a {@code SplitMix64} seeded by\n{@code seed}; the id is appended"
            + " and the loop goes on.\n\n<p>$L\n\n<p>The first call makes the scratch (one"
            + " sequence's buffers$L); later calls allocate\nnothing, on the heap or off it. The"
            + " weights are read, never changed, and no training state is\ntouched; a network that"
            + " generates must not be trained or generate on another thread at the\nsame time.\n\n"
            + SETTINGS + "@param output receives the prompt then the new tokens; at least {@code"
            + " prompt.length +\n    maxNewTokens} long\n@param logits null, or at least {@code"
            + " maxNewTokens·VOCABULARY} floats: row {@code i} receives the\n    logits (before"
            + " temperature and top-k) that new token {@code i} was drawn from\n@return the ids"
            + " written, {@code prompt.length + maxNewTokens}\n@throws IllegalArgumentException"
            + " for a null or empty prompt, an id outside {@code [0,\n    VOCABULARY)}, {@code"
            + " maxNewTokens < 0}, a negative or non-finite temperature, {@code topK}\n    outside"
            + " {@code [0, VOCABULARY]} or an array too short (naming both lengths), before\n   "
            + " anything changes\n", overflowDoc(cached),
            cached ? " and a key/value cache per attention layer" : "")
        .addStatement("$T.check(prompt, maxNewTokens, temperature, topK, output, logits,"
            + " VOCABULARY)", RuntimeNames.TOKEN_GENERATION)
        .beginControlFlow("if (generation == null)")
        .addStatement("generation = new $T()", layout.className().nestedClass(STATE))
        .endControlFlow()
        .addStatement("$T g = generation", layout.className().nestedClass(STATE))
        .addStatement("$T.arraycopy(prompt, 0, output, 0, prompt.length)", System.class)
        .addStatement("g.random.setState(seed)")
        .addStatement("int length = prompt.length")
        .addStatement("int cached = 0")
        .beginControlFlow("for (int i = 0; i < maxNewTokens; i++)")
        .addStatement("cached = nextLogits(output, length, cached, g)")
        .beginControlFlow("if (logits != null)")
        .addStatement("$T.arraycopy(g.next, 0, logits, i * VOCABULARY, VOCABULARY)", System.class)
        .endControlFlow()
        .addStatement("output[length] = g.sampler.sample(g.next, temperature, topK, g.random)")
        .addStatement("length++")
        .endControlFlow()
        .addStatement("return length").build();
  }

  private static String overflowDoc(boolean cached) {
    String window = "Past {@code CONTEXT} tokens the sequence is cropped to its last {@code"
        + " CONTEXT}, as nanoGPT does;\nlearned absolute positions then move with every new"
        + " token, so that window runs through the\nnetwork in full for each token (exactly"
        + " nanoGPT's logits, at the cost of a whole forward pass\nper token).";
    return cached ? "While the sequence fits the context, every attention layer keeps the keys"
        + " and values of the\npositions seen ({@code [heads, CONTEXT, D/heads]} each): each"
        + " position runs through the\nnetwork once, alone ({@code forwardStep}), and the logits"
        + " equal a full forward pass of the\nsequence. " + window
        : "The model has non-causal attention (earlier positions see later ones), so there is"
            + " no\nkey/value cache: the last {@code CONTEXT} tokens (or all, when fewer) run"
            + " through the network\nin full for each new token, as in nanoGPT. " + window;
  }

  private static MethodSpec nextLogits(NetworkLayout layout, boolean cached) {
    MethodSpec.Builder m = MethodSpec.methodBuilder("nextLogits").addModifiers(Modifier.PRIVATE)
        .returns(int.class)
        .addParameter(int[].class, "tokens").addParameter(int.class, "length")
        .addParameter(int.class, "cached")
        .addParameter(layout.className().nestedClass(STATE), "g")
        .addJavadoc("The logits of the token after {@code tokens[0, length)} into {@code g.next}."
            + "\n\n@param cached how many positions of {@code tokens} the key/value caches hold\n"
            + "@return how many they hold now\n");
    if (cached) {
      m.beginControlFlow("if (length <= CONTEXT)")
          .addStatement("int position = cached")
          .beginControlFlow("for (; position < length; position++)")
          .addStatement("g.token.set(0, tokens[position])")
          .addStatement("forwardStep(g.token, position, g.logits, g)")
          .endControlFlow()
          .addStatement("g.logits.data().get(0, g.next, 0, VOCABULARY)")
          .addStatement("return length")
          .endControlFlow()
          .addComment("cropped to the last CONTEXT tokens (nanoGPT): every position moves, so the"
              + " window runs again");
    }
    return m.addStatement("int start = $T.max(0, length - CONTEXT)", Math.class)
        .addStatement("int window = length - start")
        .beginControlFlow("for (int p = 0; p < window; p++)")
        .addStatement("g.window.set(p, tokens[start + p])")
        .endControlFlow()
        .addStatement("forwardEval(g.window, 1, window, g.logits, g.buffers)")
        .addStatement("g.logits.data().get((window - 1) * VOCABULARY, g.next, 0, VOCABULARY)")
        .addStatement("return 0").build();
  }

  private static MethodSpec forwardStep(NetworkLayout layout) {
    NetworkSpec spec = layout.spec();
    ClassName state = layout.className().nestedClass(STATE);
    MethodSpec.Builder m = MethodSpec.methodBuilder("forwardStep").addModifiers(Modifier.PRIVATE)
        .addParameter(RuntimeNames.TENSOR, "input").addParameter(int.class, "position")
        .addParameter(RuntimeNames.TENSOR, "output").addParameter(state, "generation")
        .addJavadoc("One position of one sequence through the network in eval mode, with the"
            + " key/value caches:\nthe id {@code input[0]} at {@code position} ({@code < CONTEXT};"
            + " the caches hold the positions\nbefore it) into the logits {@code output[0,"
            + " VOCABULARY)}. Layers that treat every position alike\nrun their eval method on one"
            + " row.\n")
        .addStatement("$T buffers = generation.buffers",
            layout.className().nestedClass(EvalCode.BUFFERS));
    List<String> fields = EvalCode.outputFields(spec);
    java.util.Map<String, String> outputs = new java.util.HashMap<>();
    String in = "input";
    for (int i = 0; i < spec.layers().size(); i++) {
      LayerSpec layer = spec.layers().get(i);
      String out = i == spec.layers().size() - 1 ? "output" : "buffers." + fields.get(i);
      outputs.put(layer.name(), out);
      List<String> args = new ArrayList<>(List.of(in));
      boolean step = positional(layer);
      args.add(step ? "position" : "1, 1");
      args.add(out);
      args.add("buffers");
      if (step) {
        args.add("generation");
      }
      if (EvalCode.residualEnd(layer) != null) {
        args.add(outputs.get(EvalCode.residualEnd(layer).partner()));
      }
      m.addStatement("$N($L)", step ? stepMethod(layout, layer) : layout.evalMethod(layer),
          String.join(", ", args));
      in = out;
    }
    return m.build();
  }

  private static String stepMethod(NetworkLayout layout, LayerSpec layer) {
    return layout.field(layer, "step");
  }

  /** Whether a part of the layer that is not positional writes eval code (using n, length). */
  private static boolean rowwiseCode(NetworkLayout layout, LayerSpec layer) {
    for (int i = 0; i < layer.parts().size(); i++) {
      PartCode part = PartCode.of(layer, i);
      MethodSpec.Builder probe = MethodSpec.methodBuilder("probe");
      if (!part.positional()) {
        part.step(probe, layout, "input", "output");
        if (!probe.build().code().isEmpty()) {
          return true;
        }
      }
    }
    return false;
  }

  private static MethodSpec layerStep(NetworkLayout layout, LayerSpec layer) {
    MethodSpec.Builder m = MethodSpec.methodBuilder(stepMethod(layout, layer))
        .addModifiers(Modifier.PRIVATE)
        .addParameter(RuntimeNames.TENSOR, "input").addParameter(int.class, "position")
        .addParameter(RuntimeNames.TENSOR, "output")
        .addParameter(layout.className().nestedClass(EvalCode.BUFFERS), "buffers")
        .addParameter(layout.className().nestedClass(STATE), "generation");
    if (EvalCode.residualEnd(layer) != null) {
      m.addParameter(RuntimeNames.TENSOR, "skip");
    }
    m.addJavadoc("Layer {@code $L} for one position in eval mode into {@code output}: $L.\n",
        layer.name(), layer.describe());
    if (rowwiseCode(layout, layer)) {
      m.addComment("one sequence, one position, for the parts that run as in eval mode")
          .addStatement("int n = 1")
          .addStatement("int length = 1");
    }
    String current = "input";
    for (int i = 0; i < layer.parts().size(); i++) {
      String target = EvalCode.scratch(layer, i)
          ? "buffers." + layout.field(layer, EvalCode.scratchRole(layer, i)) : "output";
      if (PartCode.of(layer, i).step(m, layout, current, target)) {
        current = target;
      }
    }
    return m.build();
  }
}
