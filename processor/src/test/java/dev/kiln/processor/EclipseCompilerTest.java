package dev.kiln.processor;

import static com.google.common.truth.Truth.assertThat;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.StandardLocation;
import org.eclipse.jdt.internal.compiler.tool.EclipseCompiler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cheapest proof of "works in Eclipse": Eclipse's own compiler (ECJ, what Eclipse runs
 * annotation processors in) runs the Kiln processor on a valid model and on an invalid one.
 */
class EclipseCompilerTest {
  @TempDir Path dir;

  private List<Diagnostic<? extends JavaFileObject>> compile(String model) throws IOException {
    Path src = dir.resolve("src/e");
    Files.createDirectories(src);
    Files.writeString(src.resolve("Net.java"), model);
    Files.writeString(src.resolve("Training.java"), """
        package e;
        import dev.kiln.dsl.*;
        @TrainingConfig(model = Net.class, loss = Loss.SOFTMAX_CROSS_ENTROPY, batchSize = 4,
            epochs = 1)
        @Sgd(learningRate = 0.1)
        public interface Training {}
        """);
    Path out = dir.resolve("out");
    Path generated = dir.resolve("generated");
    Files.createDirectories(out);
    Files.createDirectories(generated);
    JavaCompiler ecj = new EclipseCompiler();
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    try (StandardJavaFileManager files = ecj.getStandardFileManager(diagnostics, Locale.ROOT,
        null)) {
      files.setLocation(StandardLocation.CLASS_OUTPUT, List.of(out.toFile()));
      files.setLocation(StandardLocation.SOURCE_OUTPUT, List.of(generated.toFile()));
      List<String> options = new ArrayList<>(List.of("-17", "-proc:only", "-classpath",
          System.getProperty("java.class.path")));
      JavaCompiler.CompilationTask task = ecj.getTask(new StringWriter(), files, diagnostics,
          options, null, files.getJavaFileObjects(src.resolve("Net.java").toFile(),
              src.resolve("Training.java").toFile()));
      task.setProcessors(List.of(new KilnProcessor()));
      task.call();
    }
    return diagnostics.getDiagnostics();
  }

  @Test
  void generatesNetworkAndTrainer() throws IOException {
    List<Diagnostic<? extends JavaFileObject>> diagnostics = compile("""
        package e;
        import static dev.kiln.dsl.ActivationFunction.RELU;
        import dev.kiln.dsl.*;
        @Model(inputs = 4)
        public abstract class Net {
          @Dense(8) @BatchNorm @Activation(RELU) Layer hidden;
          @Dense(3) Layer logits;
        }
        """);
    assertThat(diagnostics.stream().filter(d -> d.getKind() == Diagnostic.Kind.ERROR).toList())
        .isEmpty();
    Path generated = dir.resolve("generated/e");
    assertThat(Files.readString(generated.resolve("NetNetwork.java")))
        .contains("public final class NetNetwork");
    assertThat(Files.readString(generated.resolve("TrainingTrainer.java")))
        .contains("public final class TrainingTrainer extends AbstractTrainer");
  }

  @Test
  void reportsTheErrorOnTheAnnotationValue() throws IOException {
    String model = """
        package e;
        import dev.kiln.dsl.*;
        @Model(inputs = 4)
        public abstract class Net {
          @Dense(8) Layer hidden;
          @Dense(0) Layer logits;
        }
        """;
    List<Diagnostic<? extends JavaFileObject>> errors = compile(model).stream()
        .filter(d -> d.getKind() == Diagnostic.Kind.ERROR).toList();
    assertThat(errors).hasSize(1);
    Diagnostic<? extends JavaFileObject> error = errors.get(0);
    assertThat(error.getMessage(Locale.ROOT)).contains("[KilnBadUnits]");
    assertThat(error.getLineNumber()).isEqualTo(6);
    String line = model.lines().toList().get(5);
    assertThat(line).contains("@Dense(0)");
    int column = (int) error.getColumnNumber();
    assertThat(column).isAtLeast(line.indexOf("@Dense") + 1);
    assertThat(column).isAtMost(line.indexOf(")") + 1);
    assertThat(Files.exists(dir.resolve("generated/e/NetNetwork.java"))).isFalse();
  }
}
