package dev.kiln.processor;

import com.google.auto.service.AutoService;
import dev.kiln.processor.model.Specs.NetworkSpec;
import dev.kiln.processor.model.Specs.TrainingSpec;
import dev.kiln.processor.read.Decls.ConfigDecl;
import dev.kiln.processor.read.DslNames;
import dev.kiln.processor.read.ErroneousValue;
import dev.kiln.processor.read.Hierarchy;
import dev.kiln.processor.read.Mirrors;
import dev.kiln.processor.read.Reader;
import dev.kiln.processor.validate.Diagnostic;
import dev.kiln.processor.validate.Reporter;
import dev.kiln.processor.validate.TypeRules;
import dev.kiln.processor.validate.Validator;
import dev.kiln.processor.write.NetworkWriter;
import dev.kiln.processor.write.TrainerWriter;
import java.io.IOException;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.annotation.processing.AbstractProcessor;
import javax.annotation.processing.Filer;
import javax.annotation.processing.FilerException;
import javax.annotation.processing.Processor;
import javax.annotation.processing.RoundEnvironment;
import javax.lang.model.SourceVersion;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.Element;
import javax.lang.model.element.TypeElement;
import javax.lang.model.type.DeclaredType;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;

/**
 * The Kiln annotation processor: for each {@code @Model} type writes {@code <Name>Network}, for
 * each {@code @TrainingConfig} type {@code <Name>Trainer}. Pipeline: {@link Reader} (mirrors to
 * declarations) → {@link Validator} (positioned diagnostics, shapes) → writers (JavaPoet).
 * Nothing is generated for a type with errors, and no exception escapes {@link #process}.
 */
@AutoService(Processor.class)
public final class KilnProcessor extends AbstractProcessor {
  private final Map<String, Optional<NetworkSpec>> networks = new HashMap<>();
  private final Set<String> deferredModels = new LinkedHashSet<>();
  private final Set<String> deferredConfigs = new LinkedHashSet<>();
  private boolean staleReported;

  @Override
  public Set<String> getSupportedAnnotationTypes() {
    return Set.of(DslNames.MODEL, DslNames.TRAINING_CONFIG);
  }

  /**
   * Processor option naming a type (qualified) on which processing throws, to test that an
   * unexpected failure becomes one {@code [KilnInternalError]} on that element.
   */
  public static final String FAIL_ON_OPTION = "kiln.testing.failOn";

  @Override
  public Set<String> getSupportedOptions() {
    return Set.of(FAIL_ON_OPTION);
  }

  @Override
  public SourceVersion getSupportedSourceVersion() {
    return SourceVersion.latestSupported();
  }

  @Override
  public boolean process(Set<? extends TypeElement> annotations, RoundEnvironment round) {
    Reporter reporter = new Reporter(processingEnv.getMessager());
    Reader reader = new Reader(new Mirrors(processingEnv.getElementUtils()));
    Validator validator = new Validator(reporter, processingEnv.getElementUtils());
    TypeRules types = new TypeRules(reporter, processingEnv.getElementUtils());
    boolean last = round.processingOver();
    for (String name : pending(deferredModels, round, DslNames.MODEL)) {
      TypeElement type = processingEnv.getElementUtils().getTypeElement(name);
      if (type != null) {
        guarded(reporter, type, () -> model(type, reader, validator, types, last));
      }
    }
    for (String name : pending(deferredConfigs, round, DslNames.TRAINING_CONFIG)) {
      TypeElement type = processingEnv.getElementUtils().getTypeElement(name);
      if (type != null) {
        guarded(reporter, type, () -> {
          if (types.config(type)) {
            config(type, reader, validator, types, last);
          }
        });
      }
    }
    return false;
  }

  /**
   * The qualified names to process this round: those deferred from earlier rounds, then the
   * types annotated with {@code annotation} in this one. Types are kept by name, since the
   * compiler may give new elements for them in each round.
   */
  private Set<String> pending(Set<String> deferred, RoundEnvironment round, String annotation) {
    Set<String> names = new LinkedHashSet<>(deferred);
    deferred.clear();
    TypeElement type = processingEnv.getElementUtils().getTypeElement(annotation);
    if (type != null) {
      for (Element element : round.getElementsAnnotatedWith(type)) {
        if (element instanceof TypeElement t) {
          names.add(t.getQualifiedName().toString());
        }
      }
    }
    return names;
  }

  private void model(TypeElement type, Reader reader, Validator validator, TypeRules types,
      boolean lastRound) {
    String key = type.getQualifiedName().toString();
    if (networks.containsKey(key)) {
      return;
    }
    if (!types.model(type)) {
      networks.put(key, Optional.empty());
      return;
    }
    if (Hierarchy.unresolved(type)) {
      // A field's type or a superclass is not (yet) known: perhaps another processor generates
      // it; else the compiler reports it ("cannot find symbol"), and that is the one error.
      if (!lastRound) {
        deferredModels.add(key);
      }
      return;
    }
    Optional<NetworkSpec> spec = Optional.empty();
    try {
      if (types.layerNamesUnique(type)) {
        spec = validator.network(reader.readModel(type));
      }
    } finally {
      networks.put(key, spec);
    }
    spec.filter(s -> types.nameFree(type, Mirrors.find(type, DslNames.MODEL).orElseThrow(),
            s.target().packageName(), s.className()))
        .ifPresent(s -> write(new NetworkWriter(s).write(type).toString(),
            s.target().packageName(), s.className(), type, types.reporter()));
  }

  private void config(TypeElement type, Reader reader, Validator validator, TypeRules types,
      boolean lastRound) {
    ConfigDecl decl = reader.readConfig(type);
    TypeMirror model = decl.model().value();
    boolean unresolved = model == null || model.getKind() == TypeKind.ERROR;
    if (unresolved || unresolvedClassValue(type) || unresolvedModel(model)) {
      if (!lastRound) {
        // Perhaps another processor generates the model or teacher in a later round: try again
        // then. A type that never appears is reported once, by the compiler itself ("cannot find
        // symbol"); Kiln only adds a note naming a @Model type whose name is close.
        deferredConfigs.add(type.getQualifiedName().toString());
      } else if (unresolved) {
        String name = writtenClassName(decl.model());
        NearestName.among(name, networks.keySet()).ifPresent(nearest ->
            validator.reporter().note(decl.model(), Diagnostic.MODEL_UNRESOLVED, name, nearest));
      }
      return;
    }
    TypeElement modelType = types.namedModel(decl.model(), "TrainingConfig", "model",
        Diagnostic.MODEL_NOT_ANNOTATED);
    if (modelType == null) {
      return;
    }
    String key = modelType.getQualifiedName().toString();
    Optional<NetworkSpec> network = networks.get(key);
    if (network == null) {
      // A model from a library or an earlier compilation: validated here, not generated here.
      network = Optional.empty();
      try {
        network = validator.network(reader.readModel(modelType));
      } finally {
        networks.put(key, network);
      }
    }
    if (network.isEmpty()) {
      return; // the model's own errors were reported on the model
    }
    Optional<TrainingSpec> spec = validator.training(decl, network.get())
        .filter(s -> types.nameFree(type, decl.mirror(), s.target().packageName(), s.className()));
    spec.ifPresent(s -> write(new TrainerWriter(s).write(type).toString(),
        s.target().packageName(), s.className(), type, validator.reporter()));
  }

  /** Whether a Class-valued member of a DSL annotation on {@code type} does not resolve. */
  private static boolean unresolvedClassValue(TypeElement type) {
    for (AnnotationMirror mirror : type.getAnnotationMirrors()) {
      for (var e : Mirrors.written(mirror).entrySet()) {
        TypeMirror member = e.getKey().getReturnType();
        if (member instanceof DeclaredType d
            && ((TypeElement) d.asElement()).getQualifiedName().contentEquals("java.lang.Class")
            && !(valueOf(e.getValue()) instanceof TypeMirror t
                && t.getKind() != TypeKind.ERROR)) {
          return true;
        }
      }
    }
    return false;
  }

  /** The value, or null where the compiler has none (ECJ throws for some erroneous values). */
  private static Object valueOf(javax.lang.model.element.AnnotationValue value) {
    try {
      return value.getValue();
    } catch (RuntimeException erroneous) {
      return null;
    }
  }

  /** Whether {@code model} names a class whose own field types or superclass do not resolve. */
  private static boolean unresolvedModel(TypeMirror model) {
    return model instanceof DeclaredType d && d.asElement() instanceof TypeElement t
        && Mirrors.find(t, DslNames.MODEL).isPresent() && Hierarchy.unresolved(t);
  }

  /**
   * The class name written in an unresolvable {@code model = X.class}: javac reports the value
   * only as {@code <error>}, so it is read from the source tree where javac's tree API exists
   * (not in Eclipse's compiler: then no hint).
   */
  private String writtenClassName(dev.kiln.processor.read.Attr<?> attr) {
    if (attr.written() == null) {
      return "";
    }
    try {
      var tree = com.sun.source.util.Trees.instance(processingEnv)
          .getTree(attr.element(), attr.mirror(), attr.written());
      String text = tree == null ? "" : tree.toString();
      return text.endsWith(".class") ? text.substring(0, text.length() - ".class".length())
          : text;
    } catch (IllegalArgumentException | LinkageError notJavac) {
      return "";
    }
  }

  private void write(String source, String packageName, String simpleName, Element origin,
      Reporter reporter) {
    Filer filer = processingEnv.getFiler();
    String name = packageName.isEmpty() ? simpleName : packageName + "." + simpleName;
    try (var writer = filer.createSourceFile(name, origin).openWriter()) {
      writer.write(source);
    } catch (FilerException exists) {
      // The file is among the sources being compiled: a generated-sources directory of an
      // earlier build on the source path. Said once per compilation, not once per stale file.
      if (!staleReported) {
        staleReported = true;
        reporter.error(origin, Diagnostic.STALE_GENERATED, name,
            ((TypeElement) origin).getSimpleName());
      }
    } catch (IOException e) {
      throw new IllegalStateException("could not write " + name + ": " + e.getMessage(), e);
    }
  }

  private void guarded(Reporter reporter, Element element, Runnable work) {
    try {
      String failOn = processingEnv.getOptions().get(FAIL_ON_OPTION);
      if (failOn != null && element instanceof TypeElement t
          && t.getQualifiedName().contentEquals(failOn)) {
        throw new IllegalStateException("failure injected by -A" + FAIL_ON_OPTION);
      }
      work.run();
    } catch (ErroneousValue e) {
      // The compiler reports the value itself; nothing is generated for this type.
    } catch (RuntimeException | LinkageError e) {
      reporter.error(element, Diagnostic.INTERNAL_ERROR, e);
    }
  }
}
