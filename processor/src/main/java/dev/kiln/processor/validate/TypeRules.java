package dev.kiln.processor.validate;

import dev.kiln.processor.read.Attr;
import dev.kiln.processor.read.DslNames;
import dev.kiln.processor.read.Hierarchy;
import dev.kiln.processor.read.Mirrors;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.NestingKind;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.VariableElement;
import javax.lang.model.type.ArrayType;
import javax.lang.model.type.DeclaredType;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;
import javax.lang.model.util.Elements;

/** Checks on the annotated types themselves: their kind, reachability and generated names. */
public final class TypeRules {
  private static final String KILN_GENERATED = DslNames.PACKAGE + ".KilnGenerated";
  private final Reporter reporter;
  private final Elements elements;
  private final Mirrors mirrors;

  public TypeRules(Reporter reporter, Elements elements) {
    this.reporter = reporter;
    this.elements = elements;
    this.mirrors = new Mirrors(elements);
  }

  /** The reporter these rules report through. */
  public Reporter reporter() {
    return reporter;
  }

  /** Whether a {@code @Model} type is a class the generated code can sit beside. */
  public boolean model(TypeElement type) {
    AnnotationMirror mirror = Mirrors.find(type, DslNames.MODEL).orElseThrow();
    if (type.getKind() != ElementKind.CLASS) {
      reporter.error(type, mirror, Diagnostic.MODEL_WRONG_KIND, kind(type), type.getSimpleName(),
          type.getSimpleName());
      return false;
    }
    return reachable(type, mirror);
  }

  /** Whether a {@code @TrainingConfig} type is an interface or class the generated code can see. */
  public boolean config(TypeElement type) {
    AnnotationMirror mirror = Mirrors.find(type, DslNames.TRAINING_CONFIG).orElseThrow();
    if (type.getKind() != ElementKind.CLASS && type.getKind() != ElementKind.INTERFACE) {
      reporter.error(type, mirror, Diagnostic.CONFIG_WRONG_KIND, kind(type), type.getSimpleName());
      return false;
    }
    return reachable(type, mirror);
  }

  /**
   * Whether {@code generatedSimpleName} is free in {@code origin}'s package. A type of that name
   * that Kiln generated for the same origin (an earlier build's output) is not a clash.
   */
  public boolean nameFree(TypeElement origin, AnnotationMirror mirror, String packageName,
      String generatedSimpleName) {
    String qualified = packageName.isEmpty() ? generatedSimpleName
        : packageName + "." + generatedSimpleName;
    TypeElement existing = elements.getTypeElement(qualified);
    if (existing == null) {
      return true;
    }
    boolean ours = Mirrors.find(existing, KILN_GENERATED).isPresent();
    if (ours) {
      return true;
    }
    reporter.error(origin, mirror, Diagnostic.GENERATED_NAME_CLASH, qualified,
        origin.getSimpleName(), origin.getSimpleName());
    return false;
  }

  /**
   * The {@code @Model} type that a resolved {@code Class}-valued member ({@code
   * TrainingConfig.model}, {@code Distill.teacher}) names, or null after one error on the value:
   * an array or primitive type ({@code MyNet[].class}), a class Kiln generated ({@code
   * MyNetNetwork.class}), or a type without {@code @Model} (reported as {@code notModel}, with the
   * type's simple and qualified names).
   */
  public TypeElement namedModel(Attr<TypeMirror> attr, String annotation, String member,
      Diagnostic notModel) {
    TypeMirror type = attr.value();
    if (!(type instanceof DeclaredType declared)) {
      String what = type.getKind() == TypeKind.ARRAY ? "an array type" : "a primitive type";
      TypeMirror base = type;
      while (base instanceof ArrayType array) {
        base = array.getComponentType();
      }
      String hint = base instanceof DeclaredType d
          && Mirrors.find(d.asElement(), DslNames.MODEL).isPresent()
          ? ": " + member + " = " + d.asElement().getSimpleName() + ".class" : "";
      reporter.error(attr, Diagnostic.NOT_A_CLASS, annotation, member, type, what, hint);
      return null;
    }
    TypeElement element = (TypeElement) declared.asElement();
    Optional<AnnotationMirror> generated = Mirrors.find(element, KILN_GENERATED);
    if (generated.isPresent()) {
      String origin = mirrors.attr(element, generated.get(), "value", String.class).value();
      TypeElement source = elements.getTypeElement(origin);
      String hint = source != null && Mirrors.find(source, DslNames.MODEL).isPresent()
          ? ": " + member + " = " + source.getSimpleName() + ".class" : "";
      reporter.error(attr, Diagnostic.NAMES_GENERATED_TYPE, annotation, member,
          element.getSimpleName(), origin, hint);
      return null;
    }
    if (Mirrors.find(element, DslNames.MODEL).isEmpty()
        || element.getKind() == ElementKind.ANNOTATION_TYPE) {
      reporter.error(attr, notModel, element.getSimpleName(), element.getQualifiedName());
      return null;
    }
    return element;
  }

  /**
   * Whether the layer fields of a model and its superclasses have distinct names (a field may
   * hide an inherited one in Java, but each layer names generated members); one error on the
   * hiding field otherwise.
   */
  public boolean layerNamesUnique(TypeElement model) {
    Map<String, VariableElement> seen = new HashMap<>();
    boolean unique = true;
    for (VariableElement field : Hierarchy.fields(model)) {
      if (!field.asType().toString().equals(DslNames.LAYER)) {
        continue;
      }
      VariableElement earlier = seen.putIfAbsent(field.getSimpleName().toString(), field);
      if (earlier != null) {
        reporter.error(field, Diagnostic.DUPLICATE_LAYER, field.getSimpleName(),
            field.getEnclosingElement().getSimpleName(),
            earlier.getEnclosingElement().getSimpleName());
        unique = false;
      }
    }
    return unique;
  }

  private boolean reachable(TypeElement type, AnnotationMirror mirror) {
    for (Element e = type; e instanceof TypeElement t; e = e.getEnclosingElement()) {
      String problem = null;
      if (t.getNestingKind() == NestingKind.LOCAL || t.getNestingKind() == NestingKind.ANONYMOUS) {
        problem = "a local class";
      } else if (t.getModifiers().contains(Modifier.PRIVATE)) {
        problem = t == type ? "private" : "inside the private type " + t.getSimpleName();
      }
      if (problem != null) {
        reporter.error(type, mirror, Diagnostic.TYPE_NOT_REACHABLE, type.getSimpleName(), problem,
            elements.getPackageOf(type).getQualifiedName());
        return false;
      }
    }
    return true;
  }

  private static String kind(TypeElement type) {
    return switch (type.getKind()) {
      case ENUM -> "enum";
      case RECORD -> "record";
      case INTERFACE -> "interface";
      case ANNOTATION_TYPE -> "annotation type";
      default -> type.getKind().toString().toLowerCase(java.util.Locale.ROOT);
    };
  }
}
