package dev.kiln.processor.write;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeSpec;
import dev.kiln.processor.model.Specs.LayerSpec;
import dev.kiln.processor.model.Specs.NetworkSpec;
import dev.kiln.processor.model.Specs.TrainingSpec;
import dev.kiln.processor.write.Parameters.Param;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.lang.model.element.Modifier;

/**
 * Generated code for checkpoints: the trainer's {@code TrainingState} (every tensor and counter
 * a bit-exact resume needs, registered once) and the fingerprint a checkpoint must match; the
 * network's inference export.
 */
final class CheckpointCode {
  private CheckpointCode() {}

  static final ClassName TRAINING_STATE =
      ClassName.get("dev.kiln.runtime.checkpoint", "TrainingState");
  static final ClassName NETWORK_EXPORT =
      ClassName.get("dev.kiln.runtime.checkpoint", "NetworkExport");

  /** The model's description in fingerprints: every layer with its shape and parts. */
  static String modelFingerprint(NetworkSpec network) {
    StringBuilder b = new StringBuilder("inputs ").append(network.inputs());
    for (LayerSpec layer : network.layers()) {
      b.append("; ").append(layer.name()).append(' ').append(NetworkWriter.describe(layer));
      if (layer.batchNorm() != null) {
        b.append(" (momentum ").append(layer.batchNorm().momentum()).append(", epsilon ")
            .append(layer.batchNorm().epsilon()).append(')');
      }
    }
    return b.toString();
  }

  /** Fingerprint entries of a training configuration. */
  static Map<String, String> fingerprint(TrainingSpec spec) {
    Map<String, String> f = new LinkedHashMap<>();
    f.put("model", modelFingerprint(spec.network()));
    f.put("loss", spec.loss() + (spec.labelSmoothing() > 0
        ? " (label smoothing " + spec.labelSmoothing() + ")" : ""));
    f.put("batchSize", Integer.toString(spec.batchSize()));
    f.put("optimizer", OptimizerCode.describe(spec.optimizer()));
    f.put("schedule", ScheduleCode.describe(spec.schedule()));
    String clipping = ClippingCode.describe(spec.clipping());
    f.put("clipping", clipping == null ? "none" : clipping);
    java.util.List<String> regularization =
        RegularizationCode.describe(spec.regularization(), spec.network());
    f.put("regularization", regularization.isEmpty() ? "none"
        : String.join("; ", regularization).replace("{@code ", "").replace("}", ""));
    if (spec.pruning() != null) {
      f.put("pruning", spec.pruning().describe());
    }
    if (spec.distillation() != null) {
      f.put("distillation", spec.distillation().describe());
    }
    return f;
  }

  /** Adds the {@code trainingState} field and accessor. */
  static void addMembers(TypeSpec.Builder type) {
    type.addField(FieldSpec.builder(TRAINING_STATE, "trainingState", Modifier.PRIVATE,
        Modifier.FINAL).addJavadoc("What {@code save} writes and {@code restore} reads.\n")
        .build());
    type.addMethod(MethodSpec.methodBuilder("trainingState").addAnnotation(Override.class)
        .addModifiers(Modifier.PUBLIC).returns(TRAINING_STATE)
        .addJavadoc("The whole training state, registered once; see {@code save} and {@code"
            + " restore}.\n")
        .addStatement("return trainingState").build());
  }

  /** Constructor statements building the state; run after the optimizer exists. */
  static void addConstructorStatements(MethodSpec.Builder m, TrainingSpec spec,
      NetworkLayout net) {
    CodeBlock.Builder fingerprint = CodeBlock.builder().add("$T.ofEntries(", Map.class);
    boolean first = true;
    for (Map.Entry<String, String> e : fingerprint(spec).entrySet()) {
      fingerprint.add(first ? "\n$T.entry($S, $S)" : ",\n$T.entry($S, $S)", Map.class,
          e.getKey(), e.getValue());
      first = false;
    }
    fingerprint.add(")");
    m.addStatement("this.trainingState = new $T($L)", TRAINING_STATE, fingerprint.build());
    for (Param p : Parameters.of(spec.network())) {
      m.addStatement("trainingState.array($S, network.$N)", p.key(), net.field(p));
    }
    m.addStatement("trainingState.arrays($S, optimizer.state())", "optimizer/");
    PruningCode.addCheckpointStatements(m, spec);
    m.addStatement("trainingState.counter($S, () -> iteration, v -> iteration = v)", "iteration");
    m.addStatement("trainingState.counter($S, optimizer::steps, optimizer::restoreSteps)",
        "optimizer.steps");
    if (spec.network().hasDropout()) {
      m.addStatement("trainingState.counter($S, dropoutRandom::state, dropoutRandom::setState)",
          "dropoutRandom");
    }
    m.addStatement("trainingState.doubles($S, this::scheduleState, this::restoreScheduleState)",
        "schedule");
    if (OptimizerCode.accumulates(spec)) {
      m.addStatement("trainingState.arrays($S, accumulator.state())", "accumulator/");
      m.addStatement("trainingState.counter($S, accumulator::pending, v -> accumulator"
          + ".restorePending((int) v))", "accumulator.pending");
    }
    if (spec.clipping().onNonFinite().equals("SKIP_STEP")) {
      m.addStatement("trainingState.counter($S, () -> skippedSteps, v -> skippedSteps = v)",
          "skippedSteps");
    }
  }

  /** The schedule's state as doubles: base rate, planned run, then the schedule's own numbers. */
  static void addScheduleStateMethods(TypeSpec.Builder type, boolean planned) {
    MethodSpec.Builder get = MethodSpec.methodBuilder("scheduleState")
        .addModifiers(Modifier.PRIVATE).returns(double[].class)
        .addJavadoc("Base rate, planned run and the schedule's own state, for checkpoints.\n")
        .addStatement("double[] own = schedule.state()")
        .addStatement("double[] all = new double[3 + own.length]")
        .addStatement("all[0] = baseLearningRate");
    if (planned) {
      get.addStatement("all[1] = plannedSteps").addStatement("all[2] = plannedStepsPerEpoch");
    } else {
      get.addStatement("all[1] = -1");
    }
    get.addStatement("System.arraycopy(own, 0, all, 3, own.length)").addStatement("return all");
    MethodSpec.Builder set = MethodSpec.methodBuilder("restoreScheduleState")
        .addModifiers(Modifier.PRIVATE).addParameter(double[].class, "all")
        .addJavadoc("Inverse of {@link #scheduleState}.\n")
        .addStatement("setBaseLearningRate(all[0])");
    if (planned) {
      set.beginControlFlow("if (all[1] >= 0)")
          .addStatement("planRun((long) all[1], (int) all[2])")
          .endControlFlow();
    }
    set.addStatement("schedule.restoreState($T.copyOfRange(all, 3, all.length))",
        java.util.Arrays.class);
    type.addMethod(get.build()).addMethod(set.build());
  }
}
