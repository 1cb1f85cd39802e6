package dev.kiln.processor.validate;

import dev.kiln.processor.read.Attr;
import dev.kiln.processor.read.Mirrors;
import java.util.Optional;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.TypeElement;

/**
 * What a rules class needs to read and check the annotations beside {@code @TrainingConfig}: the
 * annotated type, mirrors to read through, and the reporter.
 */
public record RuleContext(TypeElement type, Mirrors mirrors, Reporter reporter) {
  /** The annotation named {@code qualifiedName} on the configuration type, if present. */
  public Optional<AnnotationMirror> find(String qualifiedName) {
    return Mirrors.find(type, qualifiedName);
  }

  /** A member's value of an annotation on the configuration type. */
  public <T> Attr<T> attr(AnnotationMirror mirror, String name, Class<T> javaType) {
    return mirrors.attr(type, mirror, name, javaType);
  }
}
