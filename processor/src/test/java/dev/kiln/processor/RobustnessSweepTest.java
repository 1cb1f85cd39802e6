package dev.kiln.processor;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;

import dev.kiln.dsl.KilnGenerated;
import dev.kiln.dsl.Model;
import dev.kiln.dsl.TrainingConfig;
import java.io.IOException;
import java.lang.annotation.ElementType;
import java.lang.annotation.Target;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import javax.annotation.processing.AbstractProcessor;
import javax.annotation.processing.RoundEnvironment;
import javax.lang.model.SourceVersion;
import javax.lang.model.element.Element;
import javax.lang.model.element.TypeElement;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 19's robustness sweep: for every member of every DSL annotation (found reflectively in
 * dsl-annotations), a source where its value is missing (when required), of the wrong type,
 * unresolved and not a constant, compiled with javac and with ECJ. The processor never reports
 * an internal error, and no message lands in generated code (generated code is never built from
 * an erroneous value). All cases of one compiler go into one compilation, one file per case,
 * with {@code -proc:only}.
 */
class RobustnessSweepTest {
  private static final String HEADER = """
      package sweep;
      import dev.kiln.dsl.*;
      """;

  private static final String SUPPORT = HEADER + """
      @Model(inputs = 4)
      abstract class Net {
        @Dense(8) Layer hidden;
        @Dense(3) Layer logits;
      }
      final class Values {
        static int i() { return 1; }
        static long l() { return 1; }
        static double d() { return 0.5; }
        static boolean b() { return true; }
        static String s() { return "s"; }
        static Class<?> c() { return Net.class; }
        private Values() {}
      }
      """;

  /** The DSL's annotation types, from the directory or jar dsl-annotations was loaded from. */
  static List<Class<?>> annotationTypes() throws IOException, URISyntaxException {
    Path root = Path.of(Model.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    List<String> names = new ArrayList<>();
    if (Files.isDirectory(root)) {
      try (Stream<Path> files = Files.list(root.resolve("dev/kiln/dsl"))) {
        files.map(p -> p.getFileName().toString()).forEach(names::add);
      }
    } else {
      try (var jar = new java.util.jar.JarFile(root.toFile())) {
        jar.stream().map(e -> e.getName()).filter(n -> n.startsWith("dev/kiln/dsl/")
            && n.indexOf('/', "dev/kiln/dsl/".length()) < 0)
            .map(n -> n.substring("dev/kiln/dsl/".length())).forEach(names::add);
      }
    }
    List<Class<?>> types = new ArrayList<>();
    for (String name : new TreeSet<>(names)) {
      if (!name.endsWith(".class") || name.contains("$")) {
        continue;
      }
      try {
        Class<?> c = Class.forName("dev.kiln.dsl." + name.substring(0, name.length() - 6));
        if (c.isAnnotation() && c != KilnGenerated.class) {
          types.add(c);
        }
      } catch (ClassNotFoundException e) {
        throw new AssertionError(e);
      }
    }
    return types;
  }

  /** A valid value of {@code type}, written as source. */
  private static String valid(Class<?> type) {
    if (type == int.class || type == long.class) {
      return "2";
    } else if (type == double.class || type == float.class) {
      return "0.5";
    } else if (type == boolean.class) {
      return "false";
    } else if (type == String.class) {
      return "\"s\"";
    } else if (type == Class.class) {
      return "Net.class";
    } else if (type.isEnum()) {
      return type.getSimpleName() + "." + ((Enum<?>) type.getEnumConstants()[0]).name();
    } else if (type.isArray()) {
      return "{" + valid(type.getComponentType()) + "}";
    }
    throw new AssertionError("no valid value for " + type);
  }

  /** A value of another type. */
  private static String wrongType(Class<?> type) {
    if (type == String.class || type.isEnum() || type == Class.class) {
      return "1";
    } else if (type.isArray()) {
      return "{" + wrongType(type.getComponentType()) + "}";
    }
    return "\"x\"";
  }

  /** A name that does not resolve, as a misspelt or removed constant. */
  private static String unresolved(Class<?> type) {
    if (type == Class.class) {
      return "Nope.class";
    } else if (type.isEnum()) {
      return type.getSimpleName() + ".NOPE";
    } else if (type.isArray()) {
      return "{" + unresolved(type.getComponentType()) + "}";
    }
    return "Sizes.NOPE";
  }

  /** An expression of the right type that is not a constant. */
  private static String nonConstant(Class<?> type) {
    if (type.isArray()) {
      return "{" + nonConstant(type.getComponentType()) + "}";
    } else if (type.isEnum()) {
      return type.getSimpleName() + ".valueOf(Values.s())";
    } else if (type == Class.class) {
      return "Values.c()";
    } else if (type == String.class) {
      return "Values.s()";
    }
    return switch (type.getName()) {
      case "int" -> "Values.i()";
      case "long" -> "Values.l()";
      case "boolean" -> "Values.b()";
      default -> "Values.d()";
    };
  }

  /** The annotation as written, with {@code member} set to {@code value} (or left out if null). */
  private static String annotation(Class<?> type, String member, String value) {
    List<String> values = new ArrayList<>();
    for (Method m : type.getDeclaredMethods()) {
      if (m.getName().equals(member)) {
        if (value != null) {
          values.add(m.getName() + " = " + value);
        }
      } else if (m.getDefaultValue() == null) {
        values.add(m.getName() + " = " + valid(m.getReturnType()));
      }
    }
    return "@" + type.getSimpleName() + "(" + String.join(", ", values) + ")";
  }

  /** The source of one case, types named {@code Case<n>} and {@code Case<n>Config}. */
  private static String source(String name, Class<?> type, String written, boolean onField) {
    if (type == Model.class) {
      return HEADER + written + "\nabstract class " + name + " { @Dense(3) Layer logits; }\n"
          + config(name, name + ".class", "");
    } else if (type == TrainingConfig.class) {
      return HEADER + written + "\n@Sgd(learningRate = 0.1)\ninterface " + name + "Config {}\n";
    } else if (onField) {
      String dense = type.getSimpleName().equals("Dense") ? "" : "@Dense(4) ";
      return HEADER + "@Model(inputs = 4)\nabstract class " + name + " {\n  " + dense + written
          + " Layer a;\n  @Dense(3) Layer logits;\n}\n" + config(name, name + ".class", "");
    }
    return HEADER + config(name, "Net.class", written);
  }

  private static String config(String name, String model, String annotations) {
    boolean optimizer = Set.of("@Sgd", "@Adam", "@AdamW", "@RmsProp").stream()
        .anyMatch(o -> annotations.startsWith(o + "("));
    return "@TrainingConfig(model = " + model + ", loss = Loss.SOFTMAX_CROSS_ENTROPY,"
        + " batchSize = 4, epochs = 1)\n" + (optimizer ? "" : "@Sgd(learningRate = 0.1)\n")
        + annotations + "\ninterface " + name + "Config {}\n";
  }

  /** Every case: file name → source. */
  static Map<String, String> cases() throws IOException, URISyntaxException {
    Map<String, String> sources = new LinkedHashMap<>();
    sources.put("sweep.Net", SUPPORT);
    sources.put("sweep.Sizes", "package sweep;\nfinal class Sizes { private Sizes() {} }\n");
    int n = 0;
    for (Class<?> type : annotationTypes()) {
      Target target = type.getAnnotation(Target.class);
      List<ElementType> targets = Arrays.asList(target.value());
      for (boolean onField : new boolean[] {true, false}) {
        if (!targets.contains(onField ? ElementType.FIELD : ElementType.TYPE)) {
          continue;
        }
        for (Method m : type.getDeclaredMethods()) {
          Class<?> t = m.getReturnType();
          List<String> written = new ArrayList<>(List.of(annotation(type, m.getName(),
              wrongType(t)), annotation(type, m.getName(), unresolved(t)),
              annotation(type, m.getName(), nonConstant(t))));
          if (m.getDefaultValue() == null) {
            written.add(annotation(type, m.getName(), null));
          }
          for (String w : written) {
            String name = "Case" + n++;
            sources.put("sweep." + name, source(name, type, w, onField));
          }
        }
      }
    }
    return sources;
  }

  /** Records the types each round hands processors, to show the cases reached Kiln. */
  static final class Seen extends AbstractProcessor {
    final Set<String> types = new TreeSet<>();

    @Override
    public Set<String> getSupportedAnnotationTypes() {
      return Set.of("*");
    }

    @Override
    public SourceVersion getSupportedSourceVersion() {
      return SourceVersion.latestSupported();
    }

    @Override
    public boolean process(Set<? extends TypeElement> annotations, RoundEnvironment round) {
      for (Element e : round.getRootElements()) {
        if (e instanceof TypeElement t) {
          types.add(t.getQualifiedName().toString());
        }
      }
      return false;
    }
  }

  @ParameterizedTest
  @EnumSource(Compilers.class)
  void noValueMakesTheProcessorFailOrGenerateFromIt(Compilers compiler) throws Exception {
    Map<String, String> sources = cases();
    assertThat(sources.size()).isGreaterThan(200);
    Seen seen = new Seen();
    // javac skips annotation processing after an error it cannot defer (a mistyped or
    // non-constant value), so such a value never reaches a processor; should-stop.ifError=FLOW
    // makes it process anyway, as an IDE's incremental javac may, so that every case reaches Kiln.
    // -proc:only keeps the sweep fast; the tests per item compile generated code too.
    Compilers.Outcome outcome = compiler.compile(sources, compiler == Compilers.JAVAC
        ? List.of("-proc:only", "-Xmaxerrs", "100000", "-XDshould-stop.ifError=FLOW")
        : List.of("-proc:only"), seen);
    outcome.noInternalError();
    for (String name : sources.keySet()) {
      if (name.startsWith("sweep.Case")) {
        assertWithMessage("cases the processors saw").that(seen.types.contains(name)
            || seen.types.contains(name + "Config")).isTrue();
      }
    }
    if (compiler == Compilers.ECJ) {
      return; // ECJ with -proc:only reports few errors of its own
    }
    // Every case is a mistake javac reports: at least one error per case file.
    Set<String> withErrors = new TreeSet<>();
    outcome.errors().forEach(e -> withErrors.add(e.file()));
    for (String name : sources.keySet()) {
      if (name.startsWith("sweep.Case")) {
        assertWithMessage("no error for %s:\n%s", name, sources.get(name)).that(withErrors)
            .contains(name.replace('.', '/') + ".java");
      }
    }
  }
}
