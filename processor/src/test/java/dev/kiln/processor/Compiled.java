package dev.kiln.processor;

import static com.google.common.truth.Truth.assertWithMessage;
import static com.google.testing.compile.Compiler.javac;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.JavaFileObjects;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import javax.tools.JavaFileObject;

/** Compiles annotated sources with the Kiln processor and loads the classes it produced. */
final class Compiled {
  private final Compilation compilation;
  private final ClassLoader loader;

  private Compiled(Compilation compilation) {
    this.compilation = compilation;
    Map<String, byte[]> classes = new HashMap<>();
    for (JavaFileObject file : compilation.generatedFiles()) {
      if (file.getKind() == JavaFileObject.Kind.CLASS) {
        String path = file.toUri().getPath();
        String name = path.substring(path.indexOf("CLASS_OUTPUT/") + "CLASS_OUTPUT/".length(),
            path.length() - ".class".length()).replace('/', '.');
        try (InputStream in = file.openInputStream()) {
          classes.put(name, in.readAllBytes());
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }
    this.loader = new ClassLoader(Compiled.class.getClassLoader()) {
      @Override
      protected Class<?> findClass(String name) throws ClassNotFoundException {
        byte[] bytes = classes.get(name);
        if (bytes == null) {
          throw new ClassNotFoundException(name);
        }
        return defineClass(name, bytes, 0, bytes.length);
      }
    };
  }

  /** Compiles {@code sources} (qualified name → source), asserting success without warnings. */
  static Compiled compile(Map<String, String> sources) {
    JavaFileObject[] files = sources.entrySet().stream()
        .map(e -> JavaFileObjects.forSourceString(e.getKey(), e.getValue()))
        .toArray(JavaFileObject[]::new);
    Compilation compilation = javac().withProcessors(new KilnProcessor())
        .withOptions("-Xlint:all,-processing", "-Werror").compile(files);
    assertWithMessage("compilation: %s", compilation.diagnostics())
        .that(compilation.status()).isEqualTo(Compilation.Status.SUCCESS);
    return new Compiled(compilation);
  }

  Compilation compilation() {
    return compilation;
  }

  Class<?> load(String name) {
    try {
      return loader.loadClass(name);
    } catch (ClassNotFoundException e) {
      throw new AssertionError("not generated: " + name, e);
    }
  }

  /** The text of a generated source file. */
  String source(String qualifiedName) {
    return compilation.generatedSourceFile(qualifiedName)
        .map(f -> {
          try {
            return f.getCharContent(true).toString();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        })
        .orElseThrow(() -> new AssertionError("no generated source " + qualifiedName));
  }
}
