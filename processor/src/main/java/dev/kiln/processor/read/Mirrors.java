package dev.kiln.processor.read;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.Element;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.VariableElement;
import javax.lang.model.type.TypeMirror;
import javax.lang.model.util.Elements;

/** Reads annotations through mirrors, keeping the source location of every value. */
public final class Mirrors {
  private final Elements elements;

  public Mirrors(Elements elements) {
    this.elements = elements;
  }

  /** The annotation named {@code qualifiedName} on {@code element}, if present. */
  public static Optional<AnnotationMirror> find(Element element, String qualifiedName) {
    for (AnnotationMirror mirror : element.getAnnotationMirrors()) {
      TypeElement type = (TypeElement) mirror.getAnnotationType().asElement();
      if (type.getQualifiedName().contentEquals(qualifiedName)) {
        return Optional.of(mirror);
      }
    }
    return Optional.empty();
  }

  /** A member's value with defaults applied; {@code type} is the Java type the value has. */
  public <T> Attr<T> attr(Element element, AnnotationMirror mirror, String name, Class<T> type) {
    AnnotationValue written = null;
    for (Map.Entry<? extends ExecutableElement, ? extends AnnotationValue> e
        : mirror.getElementValues().entrySet()) {
      if (e.getKey().getSimpleName().contentEquals(name)) {
        written = e.getValue();
      }
    }
    AnnotationValue effective = written;
    if (effective == null) {
      for (Map.Entry<? extends ExecutableElement, ? extends AnnotationValue> e
          : elements.getElementValuesWithDefaults(mirror).entrySet()) {
        if (e.getKey().getSimpleName().contentEquals(name)) {
          effective = e.getValue();
        }
      }
    }
    if (effective == null) {
      throw new IllegalStateException("no value for " + name + " on " + mirror);
    }
    return new Attr<>(convert(effective.getValue(), type), element, mirror, written);
  }

  private static <T> T convert(Object raw, Class<T> type) {
    Object value = raw;
    if (raw instanceof VariableElement constant) {
      value = constant.getSimpleName().toString();
    } else if (type == Double.class && raw instanceof Number number) {
      value = number.doubleValue();
    } else if (type == Long.class && raw instanceof Number number) {
      value = number.longValue();
    } else if (raw instanceof List<?> list && type == double[].class) {
      double[] out = new double[list.size()];
      for (int i = 0; i < out.length; i++) {
        out[i] = ((Number) ((AnnotationValue) list.get(i)).getValue()).doubleValue();
      }
      value = out;
    } else if (raw instanceof List<?> list && type == int[].class) {
      int[] out = new int[list.size()];
      for (int i = 0; i < out.length; i++) {
        out[i] = ((Number) ((AnnotationValue) list.get(i)).getValue()).intValue();
      }
      value = out;
    }
    if (type == TypeMirror.class && !(value instanceof TypeMirror)) {
      // An unresolvable class literal reaches processors as the string "<error>".
      return null;
    }
    return type.cast(value);
  }
}
