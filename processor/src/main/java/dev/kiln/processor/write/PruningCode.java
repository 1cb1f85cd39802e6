package dev.kiln.processor.write;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterizedTypeName;
import com.palantir.javapoet.TypeSpec;
import dev.kiln.processor.model.ActivationPart;
import dev.kiln.processor.model.BatchNormPart;
import dev.kiln.processor.model.Conv2dPart;
import dev.kiln.processor.model.DensePart;
import dev.kiln.processor.model.DropoutPart;
import dev.kiln.processor.model.ParamKind;
import dev.kiln.processor.model.GlobalAvgPoolPart;
import dev.kiln.processor.model.ParamSpec;
import dev.kiln.processor.model.Part;
import dev.kiln.processor.model.PoolPart;
import dev.kiln.processor.model.PruningSpec;
import dev.kiln.processor.model.PruningSpec.PrunedLayer;
import dev.kiln.processor.model.SelfAttentionPart;
import dev.kiln.processor.model.Specs.LayerSpec;
import dev.kiln.processor.model.Specs.NetworkSpec;
import dev.kiln.processor.model.Specs.TrainingSpec;
import dev.kiln.processor.write.Parameters.Param;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.lang.model.element.Modifier;

/**
 * Generated code for {@code @Prune}: the trainer's {@code pruner} (runtime {@code
 * MagnitudePruner}, masks preallocated), its two calls in the step (gradients masked after
 * backward; masks updated and re-applied after the optimizer update, DESIGN.md step 6), the masks
 * in checkpoints ({@code mask/<parameter>}, such as {@code mask/conv1.weight}), and the accessors
 * {@code sparsity()}, {@code overallSparsity()}, {@code masks()} and, for networks of dense layers
 * on flat features, {@code compact()}. Dense, convolution and attention-projection weights are
 * pruned; a convolution is added with its bias, which {@code NEURONS} would prune with the filter.
 */
final class PruningCode {
  private PruningCode() {}

  private static final ClassName PRUNER = RuntimeNames.MAGNITUDE_PRUNER;
  private static final ClassName SCHEDULE = RuntimeNames.PRUNING_SCHEDULE;
  private static final ClassName COMPACT = RuntimeNames.COMPACT_NETWORK;

  /** Adds the {@code pruner} field and the accessors. */
  static void addMembers(TypeSpec.Builder type, TrainingSpec spec, NetworkLayout net) {
    PruningSpec p = spec.pruning();
    if (p == null) {
      return;
    }
    type.addField(FieldSpec.builder(PRUNER, "pruner", Modifier.PRIVATE, Modifier.FINAL)
        .addJavadoc("Pruning masks and schedule: $L.\n", p.describe()).build());
    type.addMethod(MethodSpec.methodBuilder("sparsity").addAnnotation(Override.class)
        .addModifiers(Modifier.PUBLIC)
        .returns(ParameterizedTypeName.get(Map.class, String.class, Double.class))
        .addJavadoc("The fraction of each pruned layer's weights its mask prunes, by layer name in"
            + " network order\n(a new map).\n")
        .addStatement("return pruner.sparsity()").build());
    type.addMethod(MethodSpec.methodBuilder("overallSparsity").addAnnotation(Override.class)
        .addModifiers(Modifier.PUBLIC).returns(double.class)
        .addJavadoc("The fraction of pruned entries over all pruned weights together.\n")
        .addStatement("return pruner.overallSparsity()").build());
    type.addMethod(MethodSpec.methodBuilder("pruningSchedules").addAnnotation(Override.class)
        .addModifiers(Modifier.PUBLIC)
        .returns(ParameterizedTypeName.get(ClassName.get(Map.class), ClassName.get(String.class),
            RuntimeNames.PRUNING_SCHEDULE))
        .addJavadoc("Each pruned layer's schedule, by layer name in network order.\n")
        .addStatement("return pruner.schedules()").build());
    type.addMethod(MethodSpec.methodBuilder("masks").addModifiers(Modifier.PUBLIC)
        .returns(ParameterizedTypeName.get(ClassName.get(Map.class), ClassName.get(String.class),
            RuntimeNames.TENSOR))
        .addJavadoc("The live pruning masks (1 = kept, 0 = pruned) by parameter name, each shaped"
            + " as its weight.\n")
        .addStatement("return pruner.masks()").build());
    if (compactable(spec.network())) {
      type.addMethod(compact(spec, net));
    }
    if (p.inFractions()) {
      type.addMethod(MethodSpec.methodBuilder("plansParts").addAnnotation(Override.class)
          .addModifiers(Modifier.PROTECTED).returns(boolean.class)
          .addJavadoc("True: the pruning schedule is in fractions of the run.\n")
          .addStatement("return true").build());
      type.addMethod(MethodSpec.methodBuilder("planParts").addAnnotation(Override.class)
          .addModifiers(Modifier.PROTECTED).addParameter(long.class, "totalSteps")
          .addParameter(int.class, "stepsPerEpoch")
          .addJavadoc("Fixes the pruning schedule's steps for a run of {@code totalSteps}"
              + " optimizer steps.\n")
          .addStatement("pruner.planRun(totalSteps)").build());
    }
  }

  /**
   * Whether the trainer gets {@code compact()}: the runtime's {@code CompactNetwork} holds dense
   * layers and convolution layers (with batch norm, activation, pooling and dropout); a model with
   * blocks, residual connections or sequences is pruned by its masks only.
   */
  static boolean compactable(NetworkSpec network) {
    return !network.tokens() && network.layers().stream().allMatch(l -> l.parts().stream()
        .allMatch(p -> p instanceof DensePart || p instanceof BatchNormPart
            || p instanceof ActivationPart || p instanceof DropoutPart
            || p instanceof Conv2dPart || p instanceof PoolPart
            || p instanceof GlobalAvgPoolPart));
  }

  /**
   * The weights pruning acts on in {@code layer}, in parameter order: dense, convolution and
   * attention-projection weights (not embedding tables, which are looked up, not multiplied).
   */
  static List<Param> prunedWeights(LayerSpec layer) {
    List<Param> out = new ArrayList<>();
    for (int i = 0; i < layer.parts().size(); i++) {
      Part part = layer.parts().get(i);
      if (part instanceof DensePart || part instanceof Conv2dPart
          || part instanceof SelfAttentionPart) {
        for (ParamSpec p : part.parameters(layer.inputOf(i))) {
          if (p.kind() == ParamKind.WEIGHT) {
            out.add(new Param(layer, p));
          }
        }
      }
    }
    return out;
  }

  /** Builds the pruner; after the optimizer exists (its buffers are masked too). */
  static void addConstructorStatements(MethodSpec.Builder m, TrainingSpec spec,
      NetworkLayout net, TrainerLayout layout) {
    PruningSpec p = spec.pruning();
    if (p == null) {
      return;
    }
    CodeBlock schedule = p.inFractions()
        ? CodeBlock.of("$T.ofRun($L, $L, $L, $L, $L)", SCHEDULE, Literals.of(p.initialSparsity()),
            Literals.of(p.finalSparsity()), Literals.of(p.beginFraction()),
            Literals.of(p.endFraction()), p.frequency())
        : CodeBlock.of("new $T($L, $L, $L, $L, $L)", SCHEDULE, Literals.of(p.initialSparsity()),
            Literals.of(p.finalSparsity()), p.beginStep(), p.endStep(), p.frequency());
    CodeBlock.Builder b = CodeBlock.builder().add("$T.builder($L, $T.$L, $T.$L)", PRUNER, schedule,
        PRUNER.nestedClass("Scope"), p.scope(), PRUNER.nestedClass("Structure"), p.structure());
    for (PrunedLayer pl : p.layers()) {
      LayerSpec layer = layer(spec, pl.name());
      for (Param w : prunedWeights(layer)) {
        String grad = layout.grad(w);
        if (layer.has(Conv2dPart.class)) {
          boolean bias = layer.part(Conv2dPart.class).orElseThrow().bias();
          Param biasParam = bias ? Parameters.of(layer, "bias") : null;
          b.add("\n.addConvolution($S, $S, network.$N, $N, $S, $L, $L, $L)", pl.name(), w.key(),
              net.field(w), grad, bias ? biasParam.key() : null,
              bias ? "network." + net.field(biasParam) : "null",
              bias ? layout.grad(biasParam) : "null",
              pl.overrides() ? Literals.of(pl.finalSparsity()) : "Double.NaN");
        } else if (pl.overrides()) {
          b.add("\n.add($S, $S, network.$N, $N, $L)", pl.name(), w.key(), net.field(w), grad,
              Literals.of(pl.finalSparsity()));
        } else {
          b.add("\n.add($S, $S, network.$N, $N)", pl.name(), w.key(), net.field(w), grad);
        }
      }
    }
    b.add("\n.optimizerState(optimizer.state())\n.build()");
    m.addStatement("this.pruner = $L", b.build());
  }

  /**
   * Before a step changes anything: a schedule in fractions of the run must have been planned
   * ({@code fit} or {@code planRun}); nothing for a schedule in steps.
   */
  static void beforeStep(MethodSpec.Builder m, TrainingSpec spec) {
    if (spec.pruning() != null && spec.pruning().inFractions()) {
      m.addStatement("pruner.checkPlanned()");
    }
  }

  /** After backward: the gradients of pruned weights become 0, as in PyTorch's pruned modules. */
  static void afterBackward(MethodSpec.Builder m, TrainingSpec spec) {
    if (spec.pruning() != null) {
      m.addStatement("pruner.maskGradients(iteration)");
    }
  }

  /** After the optimizer update: masks recomputed on schedule and re-applied (step 6). */
  static void afterUpdate(MethodSpec.Builder m, TrainingSpec spec) {
    if (spec.pruning() != null) {
      m.addStatement("pruner.afterUpdate(iteration)");
    }
  }

  /** Registers the masks in the training state as {@code mask/<layer>.weight}. */
  static void addCheckpointStatements(MethodSpec.Builder m, TrainingSpec spec) {
    if (spec.pruning() != null) {
      m.addStatement("trainingState.arrays($S, pruner.masks())", "mask/");
    }
  }

  /** Javadoc lines for the class comment (empty without pruning). */
  static List<String> describe(TrainingSpec spec) {
    return spec.pruning() == null ? List.of() : List.of("pruning: " + spec.pruning().describe());
  }

  /** A class-javadoc paragraph on what pruning adds to the step (empty without pruning). */
  static CodeBlock stepJavadoc(TrainingSpec spec) {
    PruningSpec p = spec.pruning();
    if (p == null) {
      return CodeBlock.of("");
    }
    if (p.inFractions()) {
      return CodeBlock.of("\n<p>Pruning: after backward the gradients of pruned weights are set"
          + " to 0; after each optimizer\nupdate from $L of the planned run on the masks are"
          + " applied to the weights, and every $L steps\nup to $L of the run they are first"
          + " recomputed (the optimizer's buffers of newly pruned weights\nare zeroed). The"
          + " fractions become steps when the run is planned ({@code fit}, {@code planRun}).\n",
          p.beginFraction(), p.frequency(), p.endFraction());
    }
    return CodeBlock.of("\n<p>Pruning: after backward the gradients of pruned weights are set to"
        + " 0; after each optimizer\nupdate from step $L on the masks are applied to the"
        + " weights, and every $L steps up to step $L\nthey are first recomputed (the optimizer's"
        + " buffers of newly pruned weights are zeroed).\n", p.beginStep(), p.frequency(),
        p.endStep());
  }

  private static MethodSpec compact(TrainingSpec spec, NetworkLayout net) {
    PruningSpec p = spec.pruning();
    dev.kiln.processor.model.Shape input = spec.network().input();
    CodeBlock.Builder b = input.rank() == 3
        ? CodeBlock.builder().add("$T.builder($L, $L, $L)", COMPACT, input.dim(0), input.dim(1),
            input.dim(2))
        : CodeBlock.builder().add("$T.builder($L)", COMPACT, spec.network().inputs());
    for (LayerSpec layer : spec.network().layers()) {
      b.add("\n.layer($S, $L)", layer.name(), layer.output().size());
      int mask = indexOf(p, layer.name());
      for (int i = 0; i < layer.parts().size(); i++) {
        PartCode.of(layer, i).compact(b, net, mask < 0 ? null : "pruner.mask(" + mask + ")");
      }
    }
    b.add("\n.build()");
    return MethodSpec.methodBuilder("compact").addModifiers(Modifier.PUBLIC).returns(COMPACT)
        .addJavadoc(input.rank() == 3
            ? "The trained network in eval mode with every unit removed whose weights are pruned"
                + " whole\n({@code structure = NEURONS}): dense units, and convolution output"
                + " channels with the matching\nchannels of their batch norm and the input"
                + " channels (or flattened inputs) of the next layer;\ntheir constant output is"
                + " folded into the next layer's bias. The same outputs as\n{@code"
                + " network().predict} up to float rounding, from physically smaller layers. A"
                + " copy: later\ntraining does not change it.\n\n@throws IllegalStateException"
                + " if a pruned weight is not zero (for example after parameters\n    were"
                + " restored without their masks)\n"
            : "The trained network in eval mode with every unit removed whose weight column"
            + " is pruned whole\n({@code structure = NEURONS}), its constant output folded into"
            + " the next layer's bias: the same\noutputs as {@code network().predict} up to float"
            + " rounding, from physically smaller layers. A\ncopy: later training does not change"
            + " it.\n\n@throws IllegalStateException if a pruned weight is not zero (for example"
            + " after parameters\n    were restored without their masks)\n")
        .addStatement("return $L", b.build()).build();
  }

  private static int indexOf(PruningSpec p, String layer) {
    for (int i = 0; i < p.layers().size(); i++) {
      if (p.layers().get(i).name().equals(layer)) {
        return i;
      }
    }
    return -1;
  }

  private static LayerSpec layer(TrainingSpec spec, String name) {
    return spec.network().layers().stream().filter(l -> l.name().equals(name)).findFirst()
        .orElseThrow();
  }
}
