package dev.kiln.processor;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The compiler flags docs/setup.md gives (issue 19, item 10) work with {@code -Werror}: compiled
 * with exactly those flags against the runtime's class path (ND4J, OpenBLAS, jna-platform, whose
 * manifests name jars that are not there), a model and its trainer build without a warning.
 */
class CompilerFlagsTest {
  private static final Map<String, String> SOURCES = Map.of("f.Net", """
      package f;
      import dev.kiln.dsl.*;
      @Model(inputs = 4)
      public abstract class Net {
        @Dense(8) @BatchNorm @Activation(ActivationFunction.RELU) Layer hidden;
        @Dense(3) Layer logits;
      }
      """, "f.Training", """
      package f;
      import dev.kiln.dsl.*;
      @TrainingConfig(model = Net.class, loss = Loss.SOFTMAX_CROSS_ENTROPY, batchSize = 4,
          epochs = 1)
      @Adam(learningRate = 0.01)
      public interface Training {}
      """);

  /** The {@code <arg>} values of the Maven example in docs/setup.md, in order. */
  static List<String> documentedFlags() throws IOException {
    String setup = Files.readString(repositoryRoot().resolve("docs/setup.md"),
        StandardCharsets.UTF_8);
    List<String> flags = new ArrayList<>();
    Matcher m = Pattern.compile("<arg>([^<]+)</arg>").matcher(setup);
    while (m.find()) {
      flags.add(m.group(1).trim());
    }
    return flags;
  }

  /** What javac's command line printed, and its exit code. */
  private record Run(int exitCode, String output, List<String> generated) {}

  /**
   * Runs javac as its command line does ({@code javac FLAGS -classpath CP -d .. -s .. files}):
   * the processor is found on the class path, as a user's build finds it.
   */
  private Run javac(List<String> flags) throws IOException {
    Path src = Files.createDirectories(dir.resolve("src/f"));
    List<String> args = new ArrayList<>(flags);
    args.addAll(List.of("--release", "17", "-classpath", System.getProperty("java.class.path"),
        "-d", Files.createDirectories(dir.resolve("classes")).toString(),
        "-s", Files.createDirectories(dir.resolve("generated")).toString()));
    for (Map.Entry<String, String> e : SOURCES.entrySet()) {
      Path file = src.resolve(e.getKey().substring(2) + ".java");
      Files.writeString(file, e.getValue());
      args.add(file.toString());
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int exit = ToolProvider.getSystemJavaCompiler().run(null, out, out,
        args.toArray(String[]::new));
    List<String> generated = new ArrayList<>();
    try (var walk = Files.walk(dir.resolve("generated"))) {
      walk.filter(Files::isRegularFile).forEach(f -> generated.add(f.getFileName().toString()));
    }
    return new Run(exit, out.toString(StandardCharsets.UTF_8), generated);
  }

  @TempDir Path dir;

  @Test
  void documentedFlagsBuildWithoutAWarning() throws IOException {
    List<String> flags = documentedFlags();
    assertThat(flags).containsExactly("-Xlint:all,-path,-processing", "-Werror").inOrder();
    Run run = javac(flags);
    assertWithMessage(run.output()).that(run.exitCode()).isEqualTo(0);
    assertWithMessage(run.output()).that(run.output()).doesNotContain("warning");
    assertThat(run.generated()).containsExactly("NetNetwork.java", "TrainingTrainer.java");
  }

  @Test
  void withoutMinusPathTheManifestsStopTheBuild() throws IOException {
    // What the flags guard against: [path] warnings about jars named in manifests (OpenBLAS's
    // names javacpp.jar beside itself), turned into errors by -Werror.
    Run run = javac(List.of("-Xlint:all,-processing", "-Werror"));
    assertWithMessage(run.output()).that(run.exitCode()).isNotEqualTo(0);
    assertThat(run.output()).contains("[path]");
  }

  private static Path repositoryRoot() {
    for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
      if (Files.isDirectory(d.resolve("docs")) && Files.isDirectory(d.resolve("processor"))) {
        return d;
      }
    }
    throw new IllegalStateException("repository root not found");
  }
}
