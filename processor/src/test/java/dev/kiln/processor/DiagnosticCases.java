package dev.kiln.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static com.google.testing.compile.Compiler.javac;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.JavaFileObjects;
import javax.tools.JavaFileObject;

/**
 * The harness the table-driven diagnostics tests share: each case is a tag, a source body (after
 * the DSL imports) and a fragment of the line the one error must be on.
 */
final class DiagnosticCases {
  private DiagnosticCases() {}

  /** {@code body} as {@code test.Cases}, with the DSL and its activation names imported. */
  static JavaFileObject source(String body) {
    return JavaFileObjects.forSourceString("test.Cases", """
        package test;

        import static dev.kiln.dsl.ActivationFunction.*;

        import dev.kiln.dsl.*;

        """ + body);
  }

  /** Compiles {@code body} with the Kiln processor. */
  static Compilation compile(JavaFileObject source) {
    return javac().withProcessors(new KilnProcessor()).compile(source);
  }

  /** Asserts exactly one error, tagged {@code tag}, on the line containing {@code line}. */
  static void assertOneError(String tag, String body, String line) {
    JavaFileObject source = source(body);
    Compilation compilation = compile(source);
    assertThat(compilation).failed();
    assertThat(compilation).hadErrorCount(1);
    assertThat(compilation).hadErrorContaining("[" + tag + "]").inFile(source)
        .onLineContaining(line);
  }
}
