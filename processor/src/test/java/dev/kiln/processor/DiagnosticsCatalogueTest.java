package dev.kiln.processor;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;
import static com.google.testing.compile.Compiler.javac;

import dev.kiln.processor.validate.Diagnostic;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.provider.Arguments;

/**
 * The diagnostics catalogue as a whole: at least 40 distinct tags, every tag exercised by a
 * compile-testing case, and every tag documented in {@code docs/diagnostics.md}.
 *
 * <p>Run with {@code -Dkiln.updateDocs=true} to rewrite {@code docs/diagnostics.md} from the
 * catalogue: for each tag, its rule and a real example (the test case's source line and the
 * message the processor gave on it).
 */
class DiagnosticsCatalogueTest {
  /**
   * Tags tested outside the table-driven cases: in {@code ProcessorRobustnessTest} an injected
   * failure and the note beside javac's error for a misspelt model; in {@code LayerModelTest} a
   * DSL constant the processor does not know.
   */
  private static final List<String> TESTED_ELSEWHERE =
      List.of("KilnInternalError", "KilnUnknownModel", "KilnUnknownConstant");

  private static final Map<String, String> ELSEWHERE_EXAMPLES = Map.of(
      "KilnUnknownConstant", "Example: `@Activation(ActivationFunction.SWISH)` compiled against a"
          + " dsl-annotations jar newer\nthan the processor, which does not know `SWISH`"
          + " (`LayerModelTest`).",
      "KilnInternalError", "Example: an unexpected exception inside the processor, reported on"
          + " the type being processed\ninstead of escaping into the IDE's error log"
          + " (`ProcessorRobustnessTest` injects one).",
      "KilnUnknownModel", "Example: `@TrainingConfig(model = Nett.class, ...)` beside `@Model"
          + " class Net`: javac reports\n`cannot find symbol` (the one error) and Kiln adds this"
          + " note, `did you mean Net?`, on the\nsame value (`ProcessorRobustnessTest`).");

  private static List<Arguments> allCases() {
    List<Arguments> all = new ArrayList<>();
    for (Stream<Arguments> s : List.of(DiagnosticsTest.cases(), ScheduleDiagnosticsTest.cases(),
        OptimizationDiagnosticsTest.cases(), PruningDiagnosticsTest.cases(),
        RobustnessDiagnosticsTest.cases(), RobustnessDiagnosticsTest.warningCases(),
        SequenceDiagnosticsTest.cases(), ConvDiagnosticsTest.cases(),
        TrainingControlsDiagnosticsTest.cases(), TrainingControlsDiagnosticsTest.warningCases())) {
      s.forEach(all::add);
    }
    return all;
  }

  @Test
  void catalogueIsLargeAndTagsAreDistinct() {
    List<String> tags = Stream.of(Diagnostic.values()).map(Diagnostic::tag).toList();
    assertThat(tags.size()).isAtLeast(40);
    assertThat(tags).containsNoDuplicates();
    for (String tag : tags) {
      assertThat(tag).matches("Kiln[A-Z][A-Za-z0-9]+");
    }
  }

  @Test
  void everyTagHasACompileTestingCase() {
    List<String> covered = allCases().stream().map(a -> (String) a.get()[0]).distinct().toList();
    List<String> missing = new ArrayList<>();
    for (Diagnostic d : Diagnostic.values()) {
      if (!covered.contains(d.tag()) && !TESTED_ELSEWHERE.contains(d.tag())) {
        missing.add(d.tag());
      }
    }
    assertWithMessage("diagnostics without a test case").that(missing).isEmpty();
  }

  @Test
  void everyTagIsDocumented() throws IOException {
    Path doc = docsFile();
    if (Boolean.getBoolean("kiln.updateDocs")) {
      Files.writeString(doc, render(), StandardCharsets.UTF_8);
    }
    String text = Files.readString(doc, StandardCharsets.UTF_8);
    for (Diagnostic d : Diagnostic.values()) {
      assertWithMessage("docs/diagnostics.md lacks %s; rerun with -Dkiln.updateDocs=true",
          d.tag()).that(text).contains("[" + d.tag() + "]");
    }
  }

  private static Path docsFile() {
    for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
      if (Files.isDirectory(d.resolve("docs")) && Files.exists(d.resolve("pom.xml"))
          && Files.isDirectory(d.resolve("processor"))) {
        return d.resolve("docs").resolve("diagnostics.md");
      }
    }
    throw new IllegalStateException("repository root not found");
  }

  private static String render() {
    Map<String, Arguments> firstCase = new LinkedHashMap<>();
    for (Arguments a : allCases()) {
      firstCase.putIfAbsent((String) a.get()[0], a);
    }
    StringBuilder b = new StringBuilder();
    b.append("# Diagnostics\n\n")
        .append("<!-- code blocks: checked by DiagnosticsCatalogueTest (each is a compile error on"
            + " purpose) -->\n\n")
        .append("Every mistake in a Kiln annotation is a compiler error on the annotation member")
        .append(" that caused it\n(else the annotation, else the element), so IntelliJ and")
        .append(" Eclipse underline it. Each message\nstarts with a stable tag to search for.")
        .append(" One mistake gives one error; independent mistakes in\none type are all")
        .append(" reported in one compile; nothing is generated for a type with errors.\n\n")
        .append("A value the compiler itself rejects (a misspelt or removed constant, a missing")
        .append(" required member,\na value of the wrong type or one that is not a constant) is")
        .append(" the compiler's error alone,\nunder javac and Eclipse's compiler: Kiln adds")
        .append(" nothing and generates nothing for that type.\nEntries marked \"(A warning.)\"")
        .append(" are warnings: the code is generated.\n\n")
        .append("This page is generated from the catalogue (`Diagnostic`) and its tests by\n")
        .append("`DiagnosticsCatalogueTest` with `-Dkiln.updateDocs=true`. Each example is a")
        .append(" test case:\nthe line the error is reported on and the message the processor")
        .append(" gave.\n\n")
        .append(String.format(Locale.ROOT, "%d diagnostics.%n%n", Diagnostic.values().length));
    Map<String, Diagnostic> byTag = new TreeMap<>();
    for (Diagnostic d : Diagnostic.values()) {
      byTag.put(d.tag(), d);
    }
    for (Diagnostic d : byTag.values()) {
      b.append("## `[").append(d.tag()).append("]`\n\n");
      Arguments example = firstCase.get(d.tag());
      if (example == null) {
        b.append("Rule: ").append(d.format(placeholders(d)).substring(d.tag().length() + 3))
            .append("\n\n").append(ELSEWHERE_EXAMPLES.get(d.tag())).append("\n\n");
        continue;
      }
      String body = (String) example.get()[1];
      String line = (String) example.get()[2];
      String sourceLine = body.lines().filter(l -> l.contains(line)).findFirst()
          .orElse(line).trim();
      b.append("```java\n").append(sourceLine).append("\n```\n\n");
      b.append("```\n").append(message(body)).append("\n```\n\n");
    }
    return b.toString();
  }

  private static Object[] placeholders(Diagnostic d) {
    Object[] args = new Object[8];
    java.util.Arrays.fill(args, "…");
    return args;
  }

  /** The case's error, or for a warning's case its warning. */
  private static String message(String body) {
    var compilation = DiagnosticCases.compile(DiagnosticCases.source(body));
    return Stream.concat(compilation.errors().stream(), compilation.warnings().stream())
        .map(e -> e.getMessage(Locale.ROOT)).findFirst().orElse("(no error)");
  }

}
