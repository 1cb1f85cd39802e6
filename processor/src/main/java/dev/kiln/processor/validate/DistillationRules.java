package dev.kiln.processor.validate;

import dev.kiln.processor.model.DistillationSpec;
import dev.kiln.processor.model.LossKind;
import dev.kiln.processor.model.Specs.NetworkSpec;
import dev.kiln.processor.read.Attr;
import dev.kiln.processor.read.DslNames;
import dev.kiln.processor.read.Reader;
import java.util.Optional;
import javax.annotation.processing.Messager;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.Element;
import javax.lang.model.element.TypeElement;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;
import javax.lang.model.util.Elements;

/**
 * Reads and checks {@code @Distill}: the teacher is a {@code @Model} type (errors on the {@code
 * teacher} member) with the student's inputs (the same shape: {@code [features]}, {@code [C, H,
 * W]}, or token ids of the same context and vocabulary) and outputs, the temperature is positive and finite,
 * {@code alpha} is in [0, 1], and the loss is softmax cross-entropy.
 *
 * <p>The teacher's model is validated here silently, to learn its shape: its own errors are
 * reported where it is processed. A teacher that does not resolve (javac reports it) or has
 * errors of its own aborts the configuration without a further message, so nothing is generated
 * against a broken teacher.
 */
final class DistillationRules {
  private DistillationRules() {}

  /**
   * What the check found.
   *
   * @param spec the distillation, or null without {@code @Distill} or after an error
   * @param ok false when the configuration must not be generated (an error was reported, or the
   *     teacher is unusable for a reason reported elsewhere)
   */
  record Result(DistillationSpec spec, boolean ok) {}

  static Result check(RuleContext ctx, Elements elements, LossKind loss, NetworkSpec student) {
    AnnotationMirror m = ctx.find(DslNames.DISTILL).orElse(null);
    if (m == null) {
      return new Result(null, true);
    }
    Reporter reporter = ctx.reporter();
    int before = reporter.errorCount();
    Attr<Double> temperature = ctx.attr(m, "temperature", Double.class);
    if (!(temperature.value() > 0 && Double.isFinite(temperature.value()))) {
      reporter.error(temperature, Diagnostic.DISTILL_TEMPERATURE, temperature.value());
    }
    Attr<Double> alpha = ctx.attr(m, "alpha", Double.class);
    if (!(alpha.value() >= 0 && alpha.value() <= 1)) {
      reporter.error(alpha, Diagnostic.DISTILL_ALPHA, alpha.value());
    }
    if (loss != LossKind.SOFTMAX_CROSS_ENTROPY) {
      reporter.error(ctx.type(), m, Diagnostic.DISTILL_LOSS, loss);
    }
    Attr<TypeMirror> teacher = ctx.attr(m, "teacher", TypeMirror.class);
    Optional<NetworkSpec> network = teacher(ctx, elements, teacher, student);
    if (network.isEmpty() || reporter.errorCount() != before) {
      return new Result(null, false);
    }
    return new Result(new DistillationSpec(network.get(), temperature.value(), alpha.value()),
        true);
  }

  private static Optional<NetworkSpec> teacher(RuleContext ctx, Elements elements,
      Attr<TypeMirror> teacher, NetworkSpec student) {
    if (teacher.value() == null || teacher.value().getKind() == TypeKind.ERROR) {
      return Optional.empty(); // deferred to a later round, then reported by the compiler
    }
    TypeElement element = new TypeRules(ctx.reporter(), elements).namedModel(teacher, "Distill",
        "teacher", Diagnostic.TEACHER_NOT_MODEL);
    if (element == null) {
      return Optional.empty();
    }
    Reporter silent = new Reporter(SILENT);
    Optional<NetworkSpec> spec = new Validator(silent, elements)
        .network(new Reader(ctx.mirrors()).readModel(element));
    if (spec.isEmpty()) {
      return spec; // the teacher's own errors are reported on the teacher
    }
    NetworkSpec t = spec.get();
    if (!inputs(t).equals(inputs(student))) {
      ctx.reporter().error(teacher, Diagnostic.TEACHER_MISMATCH, element.getSimpleName(),
          inputs(t), "inputs", inputs(student));
    } else if (t.outputs() != student.outputs()) {
      ctx.reporter().error(teacher, Diagnostic.TEACHER_MISMATCH, element.getSimpleName(),
          t.outputs(), "outputs", student.outputs());
    }
    return spec;
  }

  /**
   * What a network takes, as the message names it: {@code [1, 28, 28]} (a feature model's input
   * shape) or {@code token ids [64] of vocabulary 65}. Teacher and student must take the same:
   * the teacher reads the student's batch as it is.
   */
  private static String inputs(NetworkSpec network) {
    return network.tokens() ? "token ids " + network.input() + " of vocabulary "
        + network.vocabulary() : network.input().toString();
  }

  /** Discards messages: the teacher's model is checked only to learn its shape. */
  private static final Messager SILENT = new Messager() {
    @Override
    public void printMessage(javax.tools.Diagnostic.Kind kind, CharSequence msg) {}

    @Override
    public void printMessage(javax.tools.Diagnostic.Kind kind, CharSequence msg, Element e) {}

    @Override
    public void printMessage(javax.tools.Diagnostic.Kind kind, CharSequence msg, Element e,
        AnnotationMirror a) {}

    @Override
    public void printMessage(javax.tools.Diagnostic.Kind kind, CharSequence msg, Element e,
        AnnotationMirror a, AnnotationValue v) {}
  };
}
