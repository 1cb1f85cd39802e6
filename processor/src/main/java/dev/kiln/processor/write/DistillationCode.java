package dev.kiln.processor.write;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeSpec;
import dev.kiln.processor.model.DistillationSpec;
import dev.kiln.processor.model.Specs.LayerSpec;
import dev.kiln.processor.model.Specs.TrainingSpec;
import java.util.List;
import javax.lang.model.element.Modifier;

/**
 * Generated code for {@code @Distill}: the teacher as the constructor's second argument, its
 * eval buffers and logits allocated once, the {@code TEMPERATURE} and {@code ALPHA} constants, and
 * the loss method, which runs the teacher's allocation-free {@code forwardEval} on the batch (the
 * same feature, image or token tensor the student reads) and then the runtime's {@code
 * DistillationLoss}, or {@code SequenceDistillationLoss} over every position of a token model.
 */
final class DistillationCode {
  private DistillationCode() {}


  static ClassName teacherClass(DistillationSpec d) {
    return ClassName.get(d.teacher().target().packageName(), d.teacher().className());
  }

  /** Adds the constants, fields and the {@code teacher()} accessor. */
  static void addMembers(TypeSpec.Builder type, TrainingSpec spec) {
    DistillationSpec d = spec.distillation();
    if (d == null) {
      return;
    }
    ClassName teacher = teacherClass(d);
    type.addField(FieldSpec.builder(double.class, "TEMPERATURE", Modifier.PUBLIC,
            Modifier.STATIC, Modifier.FINAL).initializer("$L", Literals.of(d.temperature()))
        .addJavadoc("Distillation temperature {@code T}.\n").build());
    type.addField(FieldSpec.builder(double.class, "ALPHA", Modifier.PUBLIC, Modifier.STATIC,
            Modifier.FINAL).initializer("$L", Literals.of(d.alpha()))
        .addJavadoc("Weight {@code α} of the teacher's soft targets; the labels get {@code 1 −"
            + " α}.\n").build());
    type.addField(FieldSpec.builder(teacher, "teacher", Modifier.PRIVATE, Modifier.FINAL)
        .addJavadoc("The trained teacher, run in eval mode and never updated.\n").build());
    type.addField(FieldSpec.builder(teacher.nestedClass(EvalCode.BUFFERS), "teacherBuffers",
        Modifier.PRIVATE, Modifier.FINAL).addJavadoc("The teacher's forward buffers.\n").build());
    type.addField(FieldSpec.builder(RuntimeNames.TENSOR, "teacherLogits", Modifier.PRIVATE,
            Modifier.FINAL)
        .initializer("$T.zeros(BATCH_SIZE, $L)", RuntimeNames.TENSOR, d.teacher().outputs())
        .addJavadoc("The teacher's logits of the current batch {@code [BATCH_SIZE, $L]}.\n",
            d.teacher().outputs()).build());
    type.addMethod(MethodSpec.methodBuilder("teacher").addModifiers(Modifier.PUBLIC)
        .returns(teacher).addJavadoc("The teacher network (never changed by training).\n")
        .addStatement("return teacher").build());
  }

  /** The constructor's {@code teacher} parameter and the statements keeping it. */
  static void addConstructorParameter(MethodSpec.Builder m, TrainingSpec spec) {
    DistillationSpec d = spec.distillation();
    if (d == null) {
      return;
    }
    m.addParameter(teacherClass(d), "teacher")
        .addJavadoc("@param teacher the trained teacher ({@code $L}), for example loaded with"
            + " {@code $T.load(path)};\n    run in eval mode and never changed\n"
            + "@throws NullPointerException if {@code teacher} is null\n",
            d.teacher().target().sourceName(), teacherClass(d))
        .addStatement("this.teacher = $T.requireNonNull(teacher, $S)", java.util.Objects.class,
            "teacher")
        .addStatement("this.teacherBuffers = teacher.evalBuffers(BATCH_SIZE)");
  }

  /** The whole loss method of a distilling trainer. */
  static MethodSpec loss(TrainingSpec spec, LayerSpec last, String output, String delta) {
    if (spec.network().tokens()) {
      return MethodSpec.methodBuilder("loss").addModifiers(Modifier.PRIVATE)
          .returns(double.class).addParameter(int.class, "n")
          .addJavadoc("The mean distillation loss over the batch's {@code n·length} positions,"
              + " {@code α·T²·KL(softmax(t/T) ‖\nsoftmax(s/T)) + (1 − α)·CE(s, y)} per position,"
              + " with the teacher's logits {@code t} computed here\nin eval mode; writes its"
              + " gradient into {@code $L}.\n", delta)
          .addStatement("teacher.forwardEval(input, n, length, teacherLogits, teacherBuffers)")
          .addStatement("return $T.loss($N, teacherLogits, target, n * length, $L, length,"
              + " TEMPERATURE, ALPHA, $N, null)", RuntimeNames.SEQUENCE_DISTILLATION_LOSS, output,
              spec.network().vocabulary(), delta)
          .build();
    }
    return MethodSpec.methodBuilder("loss").addModifiers(Modifier.PRIVATE).returns(double.class)
        .addParameter(int.class, "n")
        .addJavadoc("The mean distillation loss of the batch, {@code α·T²·KL(softmax(t/T) ‖"
            + " softmax(s/T)) + (1 − α)·CE(s, y)}\nwith the teacher's logits {@code t} computed"
            + " here in eval mode; writes its gradient into {@code $L}.\n", delta)
        .addStatement("teacher.forwardEval(input, n, teacherLogits, teacherBuffers)")
        .addStatement("return $T.loss($N, teacherLogits, target, n, $L, TEMPERATURE, ALPHA, $L,"
            + " $N)", RuntimeNames.DISTILLATION_LOSS, output, spec.network().outputs(), Literals.of(spec.labelSmoothing()), delta)
        .build();
  }

  /** A class-javadoc paragraph on the teacher's part in the step (empty without one). */
  static CodeBlock stepJavadoc(TrainingSpec spec) {
    if (spec.distillation() == null) {
      return CodeBlock.of("");
    }
    return CodeBlock.of("\n<p>Distillation: the loss runs the teacher in"
        + " eval mode on the batch (into buffers\nallocated once) and compares the logits at"
        + " temperature $L; the teacher is never updated.\n",
        spec.distillation().temperature());
  }

  /** Javadoc lines for the class comment (empty without distillation). */
  static List<String> describe(TrainingSpec spec) {
    return spec.distillation() == null ? List.of()
        : List.of("distillation: " + spec.distillation().describe());
  }
}
