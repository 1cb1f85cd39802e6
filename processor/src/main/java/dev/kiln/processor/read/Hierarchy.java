package dev.kiln.processor.read;

import java.util.ArrayList;
import java.util.List;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.VariableElement;
import javax.lang.model.type.DeclaredType;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;
import javax.lang.model.util.ElementFilter;

/**
 * A {@code @Model} type with its superclasses. Layers are inherited, as a PyTorch module's
 * subclass keeps the submodules its parent registers: the fields of the topmost superclass come
 * first, then each subclass's in declaration order, so {@code class Deep extends Base} stacks
 * its layers on top of {@code Base}'s.
 */
public final class Hierarchy {
  private Hierarchy() {}

  /** The type and its superclasses below {@code Object}, the topmost first. */
  public static List<TypeElement> superclassFirst(TypeElement type) {
    List<TypeElement> chain = new ArrayList<>();
    for (TypeElement t = type; t != null; t = superclass(t)) {
      chain.add(0, t);
    }
    return chain;
  }

  /** The fields of the type and its superclasses, superclass first, each in declaration order. */
  public static List<VariableElement> fields(TypeElement type) {
    List<VariableElement> fields = new ArrayList<>();
    for (TypeElement t : superclassFirst(type)) {
      fields.addAll(ElementFilter.fieldsIn(t.getEnclosedElements()));
    }
    return fields;
  }

  /**
   * Whether the compiler could not resolve a superclass or a field's type ({@code Layer} not
   * imported): the compiler reports that itself, and reading the type now would only add a
   * cascade of misleading errors.
   */
  public static boolean unresolved(TypeElement type) {
    for (TypeElement t = type; t != null; t = superclass(t)) {
      if (t.getSuperclass().getKind() == TypeKind.ERROR) {
        return true;
      }
      for (VariableElement field : ElementFilter.fieldsIn(t.getEnclosedElements())) {
        if (erroneous(field.asType())) {
          return true;
        }
      }
    }
    return false;
  }

  private static boolean erroneous(TypeMirror type) {
    return type.getKind() == TypeKind.ERROR;
  }

  private static TypeElement superclass(TypeElement type) {
    TypeMirror superclass = type.getSuperclass();
    if (superclass instanceof DeclaredType declared
        && superclass.getKind() == TypeKind.DECLARED
        && declared.asElement() instanceof TypeElement parent
        && !parent.getQualifiedName().contentEquals("java.lang.Object")) {
      return parent;
    }
    return null;
  }
}
