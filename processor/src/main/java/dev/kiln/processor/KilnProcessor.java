package dev.kiln.processor;

import com.google.auto.service.AutoService;
import dev.kiln.processor.model.Specs.NetworkSpec;
import dev.kiln.processor.model.Specs.TrainingSpec;
import dev.kiln.processor.read.Decls.ConfigDecl;
import dev.kiln.processor.read.DslNames;
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
import javax.annotation.processing.Processor;
import javax.annotation.processing.RoundEnvironment;
import javax.lang.model.SourceVersion;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
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
  private final Set<String> deferredConfigs = new LinkedHashSet<>();

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
    TypeElement modelAnnotation = processingEnv.getElementUtils().getTypeElement(DslNames.MODEL);
    if (modelAnnotation != null) {
      for (Element element : round.getElementsAnnotatedWith(modelAnnotation)) {
        TypeElement type = (TypeElement) element;
        guarded(reporter, element, () -> {
          if (!types.model(type)) {
            networks.put(type.getQualifiedName().toString(), Optional.empty());
            return;
          }
          network(type, reader, validator).filter(spec -> types.nameFree(type,
                  Mirrors.find(type, DslNames.MODEL).orElseThrow(), spec.target().packageName(),
                  spec.className()))
              .ifPresent(spec -> write(new NetworkWriter(spec).write(element).toString(),
                  spec.target().packageName(), spec.className(), element));
        });
      }
    }
    Set<String> configs = new LinkedHashSet<>(deferredConfigs);
    deferredConfigs.clear();
    TypeElement configAnnotation =
        processingEnv.getElementUtils().getTypeElement(DslNames.TRAINING_CONFIG);
    if (configAnnotation != null) {
      for (Element element : round.getElementsAnnotatedWith(configAnnotation)) {
        configs.add(((TypeElement) element).getQualifiedName().toString());
      }
    }
    for (String name : configs) {
      TypeElement element = processingEnv.getElementUtils().getTypeElement(name);
      if (element != null) {
        guarded(reporter, element, () -> {
          if (types.config(element)) {
            config(element, reader, validator, types, round.processingOver());
          }
        });
      }
    }
    return false;
  }

  private Optional<NetworkSpec> network(TypeElement type, Reader reader, Validator validator) {
    String key = type.getQualifiedName().toString();
    Optional<NetworkSpec> known = networks.get(key);
    if (known == null) {
      known = validator.network(reader.readModel(type));
      networks.put(key, known);
      return known;
    }
    return Optional.empty();
  }

  private void config(TypeElement type, Reader reader, Validator validator, TypeRules types,
      boolean lastRound) {
    ConfigDecl decl = reader.readConfig(type);
    TypeMirror model = decl.model().value();
    if (model == null || model.getKind() == TypeKind.ERROR) {
      if (!lastRound) {
        // Perhaps another processor generates it in a later round: try again then. A type that
        // never appears is reported once, by javac itself ("cannot find symbol"); Kiln only adds
        // a note naming a @Model type whose name is close.
        deferredConfigs.add(type.getQualifiedName().toString());
      } else {
        String name = writtenClassName(decl.model());
        NearestName.among(name, networks.keySet()).ifPresent(nearest ->
            validator.reporter().note(decl.model(), Diagnostic.MODEL_UNRESOLVED, name, nearest));
      }
      return;
    }
    TypeElement modelType = (TypeElement) ((DeclaredType) model).asElement();
    if (Mirrors.find(modelType, DslNames.MODEL).isEmpty()
        || modelType.getKind() == ElementKind.ANNOTATION_TYPE) {
      validator.reporter().error(decl.model(), Diagnostic.MODEL_NOT_ANNOTATED,
          modelType.getSimpleName(), modelType.getQualifiedName());
      return;
    }
    String key = modelType.getQualifiedName().toString();
    Optional<NetworkSpec> network = networks.get(key);
    if (network == null) {
      // A model from a library or an earlier compilation: validated here, not generated here.
      network = validator.network(reader.readModel(modelType));
      networks.put(key, network);
    }
    if (network.isEmpty()) {
      return; // the model's own errors were reported on the model
    }
    Optional<TrainingSpec> spec = validator.training(decl, network.get())
        .filter(s -> types.nameFree(type, decl.mirror(), s.target().packageName(), s.className()));
    spec.ifPresent(s -> write(new TrainerWriter(s).write(type).toString(),
        s.target().packageName(), s.className(), type));
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

  private void write(String source, String packageName, String simpleName, Element origin) {
    Filer filer = processingEnv.getFiler();
    String name = packageName.isEmpty() ? simpleName : packageName + "." + simpleName;
    try (var writer = filer.createSourceFile(name, origin).openWriter()) {
      writer.write(source);
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
    } catch (RuntimeException | LinkageError e) {
      reporter.error(element, Diagnostic.INTERNAL_ERROR, e);
    }
  }
}
