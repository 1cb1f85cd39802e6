package dev.kiln.processor.write;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeSpec;
import dev.kiln.processor.model.ClippingSpec;
import dev.kiln.processor.model.NonFinitePolicy;
import dev.kiln.processor.model.ParamKind;
import dev.kiln.processor.model.Specs.TrainingSpec;
import javax.lang.model.element.Modifier;

/**
 * Generated code for gradient clipping and the non-finite policy: the {@code clipper} field (a
 * runtime {@code GradientClipper} that measures the pre-clip norm and clips), and for the {@code
 * ERROR} and {@code SKIP_STEP} policies the batch-norm statistics snapshot, the skipped-step count
 * and {@code rejectBatch}, which undoes what the forward pass changed.
 */
final class ClippingCode {
  private ClippingCode() {}

  /**
   * The optimizer update of the step: {@code optimizer.update(rate)} under {@code PROPAGATE};
   * under {@code ERROR} and {@code SKIP_STEP} {@code updateChecked}, whose refusal of an update
   * that would write a non-finite value goes to {@code rejectUpdate}.
   */
  static void update(MethodSpec.Builder m, TrainingSpec spec) {
    if (!spec.clipping().checksFinite()) {
      m.addStatement("optimizer.update($L)", ScheduleCode.rateForStep());
      return;
    }
    double[] terms = RegularizationCode.gradientTermMaxima(spec);
    m.beginControlFlow("try")
        .addStatement("optimizer.updateChecked($L, lastGradientNorm, $L, $L)",
            ScheduleCode.rateForStep(), Literals.of(terms[0]), Literals.of(terms[1]))
        .nextControlFlow("catch ($T e)", RuntimeNames.NON_FINITE_UPDATE)
        .addStatement("return rejectUpdate(loss, e)")
        .endControlFlow();
  }

  /** Whether the step saves batch-norm running statistics before its forward pass. */
  static boolean snapshots(TrainingSpec spec) {
    return spec.clipping().checksFinite() && spec.network().usesBatchStatistics();
  }

  /** Adds the clipper, and for checked policies the snapshot, counter and {@code rejectBatch}. */
  static void addMembers(TypeSpec.Builder type, TrainingSpec spec) {
    type.addField(FieldSpec.builder(RuntimeNames.GRADIENT_CLIPPER, "clipper", Modifier.PRIVATE, Modifier.FINAL)
        .addJavadoc("Measures the gradient norm before clipping$L.\n",
            spec.clipping() instanceof ClippingSpec.None ? "" : ", then clips").build());
    if (snapshots(spec)) {
      type.addField(FieldSpec.builder(RuntimeNames.STATISTICS_SNAPSHOT, "batchNormStatistics",
              Modifier.PRIVATE, Modifier.FINAL)
          .addJavadoc("Batch-norm running statistics as they were before the current step's"
              + " forward pass.\n").build());
    }
    boolean skips = spec.clipping().onNonFinite() == NonFinitePolicy.SKIP_STEP;
    if (skips) {
      type.addField(FieldSpec.builder(long.class, "skippedSteps", Modifier.PRIVATE)
          .addJavadoc("Batches rejected for NaN or infinite gradients.\n").build());
      type.addMethod(MethodSpec.methodBuilder("skippedSteps").addAnnotation(Override.class)
          .addModifiers(Modifier.PUBLIC).returns(long.class)
          .addJavadoc("Batches skipped so far because a gradient held NaN or an infinity.\n")
          .addStatement("return skippedSteps").build());
    }
    if (spec.clipping().checksFinite()) {
      type.addMethod(rejectBatch(spec, skips));
      type.addMethod(rejectUpdate(spec, skips));
    }
  }

  private static MethodSpec rejectBatch(TrainingSpec spec, boolean skips) {
    boolean bn = spec.network().usesBatchStatistics();
    String untouched = "Parameters, optimizer state"
        + (OptimizerCode.accumulates(spec) ? ", accumulated gradients" : "")
        + " and the step counter\nwere not touched.";
    MethodSpec.Builder m = MethodSpec.methodBuilder("rejectBatch").addModifiers(Modifier.PRIVATE)
        .returns(float.class).addParameter(double.class, "loss");
    if (skips) {
      m.addJavadoc("Skips a batch whose gradients hold NaN or an infinity (onNonFinite ="
          + " SKIP_STEP):\n$L$L\n\n@return the batch's loss\n",
          bn ? "restores the batch-norm running statistics its forward pass updated and counts"
              + " it.\n" : "counts it.\n", untouched);
    } else {
      m.addJavadoc("Rejects a batch whose gradients hold NaN or an infinity (onNonFinite ="
          + " ERROR)$L\n$L\n\n@throws $T naming the step, layer and parameter\n",
          bn ? ":\nrestores the batch-norm running statistics its forward pass updated." : ".",
          untouched, RuntimeNames.NON_FINITE_EXCEPTION);
    }
    if (spec.network().usesBatchStatistics()) {
      m.addStatement("batchNormStatistics.restore()");
    }
    if (skips) {
      return m.addStatement("skippedSteps++").addStatement("return (float) loss").build();
    }
    return m.addStatement("throw $T.locate(iteration, parameters)", RuntimeNames.NON_FINITE_EXCEPTION).build();
  }

  private static MethodSpec rejectUpdate(TrainingSpec spec, boolean skips) {
    boolean bn = spec.network().usesBatchStatistics();
    MethodSpec.Builder m = MethodSpec.methodBuilder("rejectUpdate").addModifiers(Modifier.PRIVATE)
        .returns(float.class).addParameter(double.class, "loss")
        .addParameter(RuntimeNames.NON_FINITE_UPDATE, "refused")
        .addJavadoc("An update the optimizer refused because it would have written NaN or an"
            + " infinity\n(it undid it):$L\n$L\n\n", bn ? " restores the batch-norm running"
            + " statistics the forward pass updated, then" : "", skips
            ? "counts the batch as skipped (onNonFinite = SKIP_STEP)."
            : "rethrows (onNonFinite = ERROR).");
    if (skips) {
      m.addJavadoc("@return the batch's loss\n");
    } else {
      m.addJavadoc("@throws $T always\n", RuntimeNames.NON_FINITE_UPDATE);
    }
    if (bn) {
      m.addStatement("batchNormStatistics.restore()");
    }
    if (skips) {
      return m.addStatement("skippedSteps++").addStatement("return (float) loss").build();
    }
    return m.addStatement("throw refused").build();
  }

  /** Paragraphs of {@code stepBuffered}'s javadoc on non-finite gradients and accumulation. */
  static CodeBlock stepDescription(TrainingSpec spec) {
    CodeBlock.Builder b = CodeBlock.builder();
    switch (spec.clipping().onNonFinite()) {
      case ERROR -> b.add("\n<p>A gradient holding NaN or an infinity, or an update that would"
          + " write one into a parameter\nor an optimizer buffer, makes the step throw and change"
          + " nothing.\n");
      case SKIP_STEP -> b.add("\n<p>A batch whose gradients hold NaN or an infinity, or whose"
          + " update would write one,\nchanges nothing and is counted in {@link"
          + " #skippedSteps()}.\n");
      case PROPAGATE -> b.add("\n<p>NaN and infinite gradients propagate into the update, as in"
          + " PyTorch.\n");
    }
    if (OptimizerCode.accumulates(spec)) {
      b.add("\n<p>Gradients are averaged over {@code ACCUMULATION_STEPS} batches: only every"
          + "\n{@code ACCUMULATION_STEPS}-th call updates the parameters and counts an"
          + " iteration.\n");
    }
    return b.build();
  }

  /** The {@code @throws} line of {@code stepBuffered} for the ERROR policy, else nothing. */
  static CodeBlock stepThrows(TrainingSpec spec) {
    return spec.clipping().onNonFinite() == NonFinitePolicy.ERROR
        ? CodeBlock.of("@throws $T if a gradient holds NaN or an infinity, before any state"
            + " changes\n", RuntimeNames.NON_FINITE_EXCEPTION)
        : CodeBlock.of("");
  }

  /** Builds the clipper over {@code parameters} and the snapshot over the network's statistics. */
  static void addConstructorStatements(MethodSpec.Builder m, TrainingSpec spec,
      NetworkLayout net) {
    m.addStatement("this.clipper = $L", clipper(spec.clipping()));
    if (snapshots(spec)) {
      CodeBlock.Builder stats = CodeBlock.builder();
      String sep = "";
      for (Parameters.Param p : Parameters.of(spec.network())) {
        if (p.kind() == ParamKind.RUNNING_MEAN) {
          stats.add("$Lnetwork.$N, ", sep, net.field(p));
          sep = ",\n";
        } else if (p.kind() == ParamKind.RUNNING_VAR) {
          stats.add("network.$N", net.field(p));
        }
      }
      m.addStatement("this.batchNormStatistics = new $T($L)", RuntimeNames.STATISTICS_SNAPSHOT, stats.build());
    }
  }

  private static CodeBlock clipper(ClippingSpec spec) {
    if (spec instanceof ClippingSpec.ByNorm n) {
      return CodeBlock.of("$T.byNorm(parameters, $L, $L, $T.Scope.$L)", RuntimeNames.GRADIENT_CLIPPER,
          Literals.of(n.maxNorm()), Literals.of(n.normType()), RuntimeNames.GRADIENT_CLIPPER, n.scope());
    }
    if (spec instanceof ClippingSpec.ByValue v) {
      return CodeBlock.of("$T.byValue(parameters, $L)", RuntimeNames.GRADIENT_CLIPPER,
          Literals.of(v.clipValue()));
    }
    return CodeBlock.of("$T.none(parameters)", RuntimeNames.GRADIENT_CLIPPER);
  }

  /** The clipping statement of {@code clipAndRegularize}, or null without clipping. */
  static CodeBlock statement(ClippingSpec spec) {
    return spec instanceof ClippingSpec.None ? null : CodeBlock.of("clipper.clip()");
  }

  /** One javadoc line: clipping and the non-finite policy. */
  static String describe(ClippingSpec spec) {
    String policy = "; non-finite gradients: " + spec.onNonFinite();
    if (spec instanceof ClippingSpec.ByNorm n) {
      return "clipping: norm (type " + Literals.of(n.normType()) + ", " + n.scope()
          + ") at most " + n.maxNorm() + policy;
    }
    if (spec instanceof ClippingSpec.ByValue v) {
      return "clipping: each element to [-" + v.clipValue() + ", " + v.clipValue() + "]" + policy;
    }
    return "clipping: none" + policy;
  }
}
