package dev.kiln.processor.write;

import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.PackageElement;

/**
 * The simple names of the types in the package a generated class goes to. Generated code writes
 * every type it names from another package ({@code java.lang} included) fully qualified where the
 * user's package has a type of the same simple name (a class {@code System}, {@code Double},
 * {@code List}, a configuration named {@code Trainer} …), so it compiles whatever the package
 * holds; JavaPoet's {@code alwaysQualify} does the rest.
 */
final class PackageNames {
  private PackageNames() {}

  /** The simple names of the top-level types of {@code origin}'s package. */
  static String[] of(Element origin) {
    Element e = origin;
    while (e != null && e.getKind() != ElementKind.PACKAGE) {
      e = e.getEnclosingElement();
    }
    if (e == null) {
      return new String[0];
    }
    return ((PackageElement) e).getEnclosedElements().stream()
        .filter(t -> t.getKind().isClass() || t.getKind().isInterface())
        .map(t -> t.getSimpleName().toString()).distinct().sorted().toArray(String[]::new);
  }
}
