package dev.kiln.processor;

import static com.google.common.truth.Truth.assertWithMessage;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import javax.annotation.processing.Processor;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.StandardLocation;
import javax.tools.ToolProvider;
import org.eclipse.jdt.internal.compiler.tool.EclipseCompiler;

/**
 * The two compilers Kiln must work under: javac and Eclipse's (ECJ, what Eclipse runs annotation
 * processors in). Both compile real files through the {@code javax.tools} API, so the same
 * assertions ({@link Outcome}) apply to each. (compile-testing's in-memory files carry URIs that
 * ECJ cannot open, so it serves javac only.)
 */
enum Compilers {
  JAVAC(List.of("--release", "17")) {
    @Override
    JavaCompiler tool() {
      return ToolProvider.getSystemJavaCompiler();
    }
  },
  ECJ(List.of("-17", "-maxProblems", "100000")) {
    @Override
    JavaCompiler tool() {
      return new EclipseCompiler();
    }
  };

  private final List<String> options;

  Compilers(List<String> options) {
    this.options = options;
  }

  abstract JavaCompiler tool();

  /** Compiles {@code sources} (qualified name → text) with Kiln and {@code others}. */
  Outcome compile(Map<String, String> sources, Processor... others) {
    return compile(sources, List.of(), others);
  }

  /** As {@link #compile(Map, Processor...)} with extra compiler options. */
  Outcome compile(Map<String, String> sources, List<String> extraOptions, Processor... others) {
    Path dir = null;
    try {
      dir = Files.createTempDirectory("kiln-compile");
      Path src = dir.resolve("src");
      Path out = Files.createDirectories(dir.resolve("out"));
      Path generated = Files.createDirectories(dir.resolve("generated"));
      Map<String, String> files = new LinkedHashMap<>();
      List<Path> paths = new ArrayList<>();
      for (Map.Entry<String, String> e : sources.entrySet()) {
        String relative = e.getKey().replace('.', '/') + ".java";
        Path file = src.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, e.getValue());
        files.put(relative, e.getValue());
        paths.add(file);
      }
      JavaCompiler compiler = tool();
      DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
      try (StandardJavaFileManager fm = compiler.getStandardFileManager(diagnostics, Locale.ROOT,
          null)) {
        fm.setLocation(StandardLocation.CLASS_OUTPUT, List.of(out.toFile()));
        fm.setLocation(StandardLocation.SOURCE_OUTPUT, List.of(generated.toFile()));
        List<String> all = new ArrayList<>(options);
        all.addAll(List.of("-encoding", "UTF-8", "-classpath",
            System.getProperty("java.class.path")));
        all.addAll(extraOptions);
        JavaCompiler.CompilationTask task = compiler.getTask(new StringWriter(), fm, diagnostics,
            all, null, fm.getJavaFileObjectsFromPaths(paths));
        List<Processor> processors = new ArrayList<>(List.of(new KilnProcessor()));
        processors.addAll(List.of(others));
        task.setProcessors(processors);
        task.call();
      }
      Map<String, String> outputs = new LinkedHashMap<>();
      try (Stream<Path> walk = Files.walk(generated)) {
        for (Path p : walk.filter(Files::isRegularFile).sorted().toList()) {
          String rel = generated.relativize(p).toString().replace('\\', '/');
          outputs.put(rel.substring(0, rel.length() - ".java".length()).replace('/', '.'),
              Files.readString(p));
        }
      }
      List<Message> messages = new ArrayList<>();
      for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
        String file = d.getSource() == null ? null
            : src.relativize(Path.of(d.getSource().toUri())).toString().replace('\\', '/');
        messages.add(new Message(d.getKind(), d.getMessage(Locale.ROOT), file,
            d.getLineNumber()));
      }
      return new Outcome(this, files, outputs, messages);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      delete(dir);
    }
  }

  private static void delete(Path dir) {
    if (dir == null) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException ignored) {
      // a temporary directory left behind is harmless
    }
  }

  /** One diagnostic: its kind, text, file (relative to the sources, or null) and line. */
  record Message(Diagnostic.Kind kind, String text, String file, long line) {
    @Override
    public String toString() {
      return kind + " " + file + ":" + line + " " + text.lines().findFirst().orElse("");
    }
  }

  /** What one compilation produced. */
  record Outcome(Compilers compiler, Map<String, String> sources, Map<String, String> generated,
      List<Message> messages) {
    List<Message> errors() {
      return messages.stream().filter(m -> m.kind() == Diagnostic.Kind.ERROR).toList();
    }

    List<Message> warnings() {
      return messages.stream().filter(m -> m.kind() == Diagnostic.Kind.WARNING
          || m.kind() == Diagnostic.Kind.MANDATORY_WARNING).toList();
    }

    /** Asserts exactly {@code count} errors. */
    Outcome hadErrorCount(int count) {
      assertWithMessage("%s: %s", compiler, messages).that(errors()).hasSize(count);
      return this;
    }

    /**
     * Asserts a message of {@code kind} containing {@code text} on a line that contains {@code
     * line} in an input file.
     */
    Outcome had(Diagnostic.Kind kind, String text, String line) {
      for (Message m : messages) {
        if (m.kind() == kind && m.text().contains(text) && m.file() != null
            && sources.containsKey(m.file()) && m.line() >= 1) {
          String written = sources.get(m.file()).lines().toList().get((int) m.line() - 1);
          if (written.contains(line)) {
            return this;
          }
        }
      }
      throw new AssertionError(compiler + ": no " + kind + " containing \"" + text
          + "\" on a line containing \"" + line + "\" among " + messages);
    }

    Outcome hadErrorOn(String text, String line) {
      return had(Diagnostic.Kind.ERROR, text, line);
    }

    /**
     * Asserts that no message is Kiln's internal error, that no message is located in a
     * generated file, and that no generated source holds {@code <error>}.
     */
    Outcome noInternalError() {
      for (Message m : messages) {
        assertWithMessage("%s: %s", compiler, messages).that(m.text())
            .doesNotContain("KilnInternalError");
        if (m.file() != null) {
          assertWithMessage("%s: a message in a generated file: %s", compiler, messages)
              .that(sources).containsKey(m.file());
        }
      }
      generated.forEach((name, text) -> assertWithMessage("%s: generated %s", compiler, name)
          .that(text).doesNotContain("<error>"));
      return this;
    }

    /** Asserts that nothing was generated. */
    Outcome generatedNothing() {
      assertWithMessage("%s: generated", compiler).that(generated.keySet()).isEmpty();
      return this;
    }
  }
}
