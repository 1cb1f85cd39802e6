package dev.kiln.processor.write;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeSpec;
import dev.kiln.processor.model.BatchNormPart;
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


  /**
   * The model's prose description, as checkpoints recorded it before fingerprints were structured
   * ({@link Fingerprints}): kept word for word so that those files still load. Do not reword.
   */
  static String legacyModelFingerprint(NetworkSpec network) {
    StringBuilder b = new StringBuilder("inputs ").append(network.inputs());
    for (LayerSpec layer : network.layers()) {
      b.append("; ").append(layer.name()).append(' ').append(layer.describe());
      layer.part(BatchNormPart.class).ifPresent(bn -> b.append(" (momentum ")
          .append(bn.momentum()).append(", epsilon ").append(bn.epsilon()).append(')'));
    }
    return b.toString();
  }

  /**
   * The prose fingerprint of a training configuration, as checkpoints recorded it before
   * fingerprints were structured; kept word for word so that those files still load (it built on
   * the javadoc descriptions, hence "clipping: clipping: …"). Do not reword.
   */
  static Map<String, String> legacyFingerprint(TrainingSpec spec) {
    Map<String, String> f = new LinkedHashMap<>();
    f.put("model", legacyModelFingerprint(spec.network()));
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

  /** The trainer's fingerprint expression, for the base's config. */
  static CodeBlock fingerprintCode(TrainingSpec spec) {
    return Fingerprints.code(Fingerprints.training(spec), legacyFingerprint(spec));
  }

  /** The network's fingerprint expression ({@code MODEL_FINGERPRINT}). */
  static CodeBlock modelFingerprintCode(NetworkSpec network) {
    return Fingerprints.code(Fingerprints.model(network),
        Map.of("model", legacyModelFingerprint(network)));
  }

  /**
   * Constructor statements registering every array and counter in the base's {@code
   * trainingState}; run after the optimizer exists.
   */
  static void addConstructorStatements(MethodSpec.Builder m, TrainingSpec spec,
      NetworkLayout net) {
    for (Param p : Parameters.of(spec.network())) {
      m.addStatement("trainingState.array($S, network.$N)", p.key(), net.field(p));
    }
    m.addStatement("trainingState.arrays($S, optimizer.state())", "optimizer/");
    PruningCode.addCheckpointStatements(m, spec);
    m.addStatement("trainingState.counter($S, () -> iteration, v -> iteration = v)", "iteration");
    m.addStatement("trainingState.counter($S, optimizer::steps, optimizer::restoreSteps)",
        "optimizer.steps");
    if (spec.network().usesRandom()) {
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
    if (spec.clipping().onNonFinite() == dev.kiln.processor.model.NonFinitePolicy.SKIP_STEP) {
      m.addStatement("trainingState.counter($S, () -> skippedSteps, v -> skippedSteps = v)",
          "skippedSteps");
    }
  }
}
