package dev.kiln.processor.read;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.VariableElement;
import javax.lang.model.type.ArrayType;
import javax.lang.model.type.DeclaredType;
import javax.lang.model.type.TypeMirror;
import javax.lang.model.util.ElementFilter;
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

  /**
   * A member's value with defaults applied; {@code type} is the Java type the value has.
   *
   * @throws ErroneousValue where the compiler has no well-formed value for the member (it
   *     reports that itself)
   */
  public <T> Attr<T> attr(Element element, AnnotationMirror mirror, String name, Class<T> type) {
    AnnotationValue written = null;
    for (Map.Entry<? extends ExecutableElement, ? extends AnnotationValue> e
        : written(mirror).entrySet()) {
      if (e.getKey().getSimpleName().contentEquals(name)) {
        written = e.getValue();
      }
    }
    AnnotationValue effective = written;
    if (effective == null) {
      for (Map.Entry<? extends ExecutableElement, ? extends AnnotationValue> e
          : withDefaults(mirror).entrySet()) {
        if (e.getKey().getSimpleName().contentEquals(name)) {
          effective = e.getValue();
        }
      }
    }
    TypeElement annotation = (TypeElement) mirror.getAnnotationType().asElement();
    Object raw = effective == null ? null : valueOf(effective);
    TypeMirror declared = memberType(annotation, name);
    if (declared == null || !wellFormed(declared, raw)) {
      throw new ErroneousValue(annotation.getSimpleName().toString(), name, raw);
    }
    return new Attr<>(convert(raw, type), element, mirror, written);
  }

  /**
   * The values written in {@code mirror}.
   *
   * @throws ErroneousValue where the compiler cannot give them (ECJ throws for a value of the
   *     wrong type, {@code learningRate = "x"}, after reporting it)
   */
  public static Map<? extends ExecutableElement, ? extends AnnotationValue> written(
      AnnotationMirror mirror) {
    try {
      return mirror.getElementValues();
    } catch (RuntimeException erroneous) {
      throw new ErroneousValue(mirror.getAnnotationType().asElement().getSimpleName().toString(),
          "...", erroneous);
    }
  }

  private Map<? extends ExecutableElement, ? extends AnnotationValue> withDefaults(
      AnnotationMirror mirror) {
    try {
      return elements.getElementValuesWithDefaults(mirror);
    } catch (RuntimeException erroneous) {
      throw new ErroneousValue(mirror.getAnnotationType().asElement().getSimpleName().toString(),
          "...", erroneous);
    }
  }

  /** The value, or null where the compiler cannot give one (ECJ throws for a mistyped value). */
  private static Object valueOf(AnnotationValue value) {
    try {
      return value.getValue();
    } catch (RuntimeException erroneous) {
      return null;
    }
  }

  private static TypeMirror memberType(TypeElement annotation, String name) {
    for (ExecutableElement member : ElementFilter.methodsIn(annotation.getEnclosedElements())) {
      if (member.getSimpleName().contentEquals(name)) {
        return member.getReturnType();
      }
    }
    return null;
  }

  /**
   * Whether {@code raw} is a value the compiler resolved for a member declared as {@code type}:
   * the boxed primitive, a String, an enum constant, a list of such values, or for a {@code
   * Class} member anything (an unresolved class is deferred by the caller, as a type another
   * processor may still generate).
   */
  private static boolean wellFormed(TypeMirror type, Object raw) {
    if (raw == null) {
      return false;
    }
    return switch (type.getKind()) {
      case INT, LONG, SHORT, BYTE -> raw instanceof Integer || raw instanceof Long
          || raw instanceof Short || raw instanceof Byte;
      case DOUBLE, FLOAT -> raw instanceof Number;
      case BOOLEAN -> raw instanceof Boolean;
      case CHAR -> raw instanceof Character;
      case ARRAY -> raw instanceof List<?> list && list.stream().allMatch(v ->
          v instanceof AnnotationValue av
              && wellFormed(((ArrayType) type).getComponentType(), av.getValue()));
      case DECLARED -> {
        TypeElement declared = (TypeElement) ((DeclaredType) type).asElement();
        if (declared.getKind() == ElementKind.ENUM) {
          yield raw instanceof VariableElement constant
              && constant.getKind() == ElementKind.ENUM_CONSTANT;
        } else if (declared.getKind() == ElementKind.ANNOTATION_TYPE) {
          yield raw instanceof AnnotationMirror;
        } else if (declared.getQualifiedName().contentEquals("java.lang.String")) {
          yield raw instanceof String;
        }
        yield true; // Class<?>
      }
      default -> false;
    };
  }

  private static <T> T convert(Object raw, Class<T> type) {
    Object value = raw;
    if (raw instanceof VariableElement constant) {
      value = constant.getSimpleName().toString();
    } else if (type == Double.class && raw instanceof Number number) {
      value = number.doubleValue();
    } else if (type == Long.class && raw instanceof Number number) {
      value = number.longValue();
    } else if (type == Integer.class && raw instanceof Number number) {
      value = number.intValue();
    } else if (raw instanceof List<?> list && type == double[].class) {
      double[] out = new double[list.size()];
      for (int i = 0; i < out.length; i++) {
        out[i] = ((Number) ((AnnotationValue) list.get(i)).getValue()).doubleValue();
      }
      value = out;
    } else if (raw instanceof List<?> list && type == String[].class) {
      String[] out = new String[list.size()];
      for (int i = 0; i < out.length; i++) {
        out[i] = String.valueOf(((AnnotationValue) list.get(i)).getValue());
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
      // An unresolvable class literal reaches processors as the string "<error>" (javac) or as
      // another placeholder (ECJ): the caller defers it.
      return null;
    }
    return type.cast(value);
  }
}
