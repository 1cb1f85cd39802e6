package dev.kiln.processor.validate;

import dev.kiln.processor.read.Attr;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The one place where a DSL enum constant, read by name from an annotation, becomes the
 * processor's own enum ({@code dev.kiln.processor.model.ActivationFunction}, {@code LossKind},
 * {@code ClipScope} …). The processor does not load the DSL classes, so a name it does not know (a
 * DSL jar newer than the processor) is a compile error here, never a silent default.
 */
public final class DslEnums {
  private DslEnums() {}

  /**
   * The constant of {@code type} named by the attribute's value, or null after reporting {@link
   * Diagnostic#UNKNOWN_CONSTANT} on it.
   */
  public static <E extends Enum<E>> E of(Reporter reporter, Attr<String> attr, String member,
      Class<E> type) {
    String name = attr.value();
    for (E constant : type.getEnumConstants()) {
      if (constant.name().equals(name)) {
        return constant;
      }
    }
    reporter.error(attr, Diagnostic.UNKNOWN_CONSTANT,
        attr.mirror().getAnnotationType().asElement().getSimpleName(), member, name, name,
        type.getSimpleName(), Arrays.stream(type.getEnumConstants()).map(Enum::name)
            .collect(Collectors.joining(", ")));
    return null;
  }

  /** The constant of {@code type} named {@code name}, or null (nothing reported). */
  static <E extends Enum<E>> E quiet(String name, Class<E> type) {
    for (E constant : type.getEnumConstants()) {
      if (constant.name().equals(name)) {
        return constant;
      }
    }
    return null;
  }

  /**
   * For a two-constant DSL enum read where the processor needs only a flag: true for {@code yes},
   * false for {@code no}; any other name is reported as {@link Diagnostic#UNKNOWN_CONSTANT} (and
   * false returned; the error stops generation).
   */
  public static boolean is(Reporter reporter, Attr<String> attr, String member, String yes,
      String no) {
    String name = attr.value();
    if (name.equals(yes) || name.equals(no)) {
      return name.equals(yes);
    }
    reporter.error(attr, Diagnostic.UNKNOWN_CONSTANT,
        attr.mirror().getAnnotationType().asElement().getSimpleName(), member, name, name,
        "constant of " + member, no + ", " + yes);
    return false;
  }
}
