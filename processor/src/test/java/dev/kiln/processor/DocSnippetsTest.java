package dev.kiln.processor;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;
import static com.google.testing.compile.Compiler.javac;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.JavaFileObjects;
import dev.kiln.runtime.data.Dataset;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Issue 18, item 6: every {@code java} code block of {@code README.md} and {@code docs/*.md}
 * compiles as written, with the Kiln processor, and the README's blocks run.
 *
 * <p>Blocks that declare types ({@code @Model} classes, {@code @TrainingConfig} interfaces) are
 * compiled together per file, in a package of their own, beside the README's {@code FashionMlp}
 * (and {@code StudentMlp} / {@code TeacherMlp} fixtures) where the file refers to them. Blocks of
 * statements are compiled as the body of a method whose parameters supply the variables the
 * docs take as given ({@code trainer}, {@code train}, {@code features}, ...), against the
 * README's generated {@code FashionTrainingTrainer}. A block that is not meant to compile says
 * so in an HTML comment on the line before it: {@code <!-- not compiled: REASON -->}; a file
 * whose blocks are all checked elsewhere says so once: {@code <!-- code blocks: checked by X
 * -->}.
 */
class DocSnippetsTest {
  private static final Pattern BLOCK = Pattern.compile("(?ms)^```java\\n(.*?)^```");
  private static final Pattern TYPE = Pattern.compile("(?m)^\\s*(public\\s+)?"
      + "((abstract|final)\\s+)?(class|interface)\\s+(?<name>\\w+)");
  private static final String TYPE_IMPORTS = "import static dev.kiln.dsl.ActivationFunction.*;\n"
      + "import dev.kiln.dsl.*;\n";
  private static final String STATEMENT_IMPORTS = "import dev.kiln.runtime.data.*;\n"
      + "import dev.kiln.runtime.train.*;\nimport dev.kiln.runtime.checkpoint.*;\n"
      + "import dev.kiln.runtime.ops.LossKind;\nimport java.nio.file.Path;\n"
      + "import java.util.List;\nimport org.nd4j.linalg.api.ndarray.INDArray;\n";
  /** The variables statement blocks may use without declaring them. */
  private static final Map<String, String> FIXTURES = new LinkedHashMap<>();

  static {
    FIXTURES.put("trainer", "FashionTrainingTrainer");
    FIXTURES.put("network", "FashionMlpNetwork");
    for (String d : new String[] {"train", "validation", "test", "trainDataset", "testDataset"}) {
      FIXTURES.put(d, "Dataset");
    }
    for (String a : new String[] {"features", "labels", "testFeatures"}) {
      FIXTURES.put(a, "INDArray");
    }
  }

  /** The README's model, for files that refer to it without declaring it. */
  private static final String FASHION = "@Model(inputs = 784)\nabstract class FashionMlp {\n"
      + "  @Dense(256) @BatchNorm @Activation(RELU) Layer hidden1;\n"
      + "  @Dense(256) @BatchNorm @Activation(RELU) Layer hidden2;\n"
      + "  @Dense(10) Layer logits;\n}\n";
  private static final String STUDENT = "@Model(inputs = 784)\nabstract class StudentMlp {\n"
      + "  @Dense(64) @Activation(RELU) Layer hidden;\n  @Dense(10) Layer logits;\n}\n";
  private static final String TEACHER = "@Model(inputs = 784)\nabstract class TeacherMlp {\n"
      + "  @Dense(1024) @BatchNorm @Activation(RELU) Layer hidden1;\n"
      + "  @Dense(1024) @BatchNorm @Activation(RELU) Layer hidden2;\n"
      + "  @Dense(10) Layer logits;\n}\n";

  record Block(String file, int line, String code) {
    boolean declaresTypes() {
      return TYPE.matcher(code).find();
    }
  }

  static Path root() {
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !Files.exists(p.resolve("README.md"))) {
      p = p.getParent();
    }
    assertWithMessage("README.md above %s", Path.of("").toAbsolutePath()).that(p).isNotNull();
    return p;
  }

  /** Every java block of README.md and docs/*.md, except those marked as not compiled. */
  static List<Block> blocks() throws IOException {
    Path root = root();
    List<Path> files = new ArrayList<>();
    files.add(root.resolve("README.md"));
    try (Stream<Path> docs = Files.list(root.resolve("docs"))) {
      docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(files::add);
    }
    List<Block> out = new ArrayList<>();
    for (Path f : files) {
      String text = Files.readString(f);
      if (text.contains("<!-- code blocks: checked by ")) {
        continue;
      }
      Matcher m = BLOCK.matcher(text);
      while (m.find()) {
        String before = text.substring(0, m.start()).stripTrailing();
        String lastLine = before.substring(before.lastIndexOf('\n') + 1);
        if (lastLine.startsWith("<!-- not compiled:")) {
          continue;
        }
        int line = (int) before.chars().filter(c -> c == '\n').count() + 2;
        out.add(new Block(root.relativize(f).toString(), line, m.group(1)));
      }
    }
    return out;
  }

  private static String packageOf(String file) {
    return "docs." + file.replace("docs/", "").replace(".md", "").replaceAll("[^A-Za-z0-9]", "_")
        .toLowerCase(java.util.Locale.ROOT);
  }

  private static List<String> declaredTypes(String code) {
    List<String> names = new ArrayList<>();
    Matcher m = TYPE.matcher(code);
    while (m.find()) {
      names.add(m.group("name"));
    }
    return names;
  }

  /** A statement block as a class with a static {@code run} taking the fixtures it uses. */
  private static String wrap(String pkg, String name, String code) {
    StringBuilder params = new StringBuilder();
    for (Map.Entry<String, String> f : FIXTURES.entrySet()) {
      boolean declared = Pattern.compile("[A-Z][\\w<>, ]*\\s+" + f.getKey() + "\\s*=")
          .matcher(code).find();
      if (!declared) {
        params.append(params.length() == 0 ? "" : ", ").append(f.getValue()).append(' ')
            .append(f.getKey());
      }
    }
    return "package " + pkg + ";\n" + STATEMENT_IMPORTS + "@SuppressWarnings(\"unused\")\n"
        + "final class " + name + " {\n  static void run(" + params + ") throws Exception {\n"
        + code + "\n  }\n}\n";
  }

  private static Compilation compile(Map<String, String> sources) {
    JavaFileObject[] files = sources.entrySet().stream()
        .map(e -> JavaFileObjects.forSourceString(e.getKey(), e.getValue()))
        .toArray(JavaFileObject[]::new);
    return javac().withProcessors(new KilnProcessor()).withOptions("-parameters").compile(files);
  }

  @Test
  void everyCodeBlockOfTheReadmeAndDocsCompilesAndTheReadmesRun() throws Exception {
    List<Block> blocks = blocks();
    assertThat(blocks.size()).isAtLeast(8);
    Map<String, String> sources = new LinkedHashMap<>();
    Map<String, Block> statementClasses = new LinkedHashMap<>();
    Map<String, StringBuilder> typesPerFile = new LinkedHashMap<>();
    Map<String, StringBuilder> importsPerFile = new LinkedHashMap<>();
    for (Block b : blocks) {
      if (b.declaresTypes()) {
        // One compilation unit per file: package lines dropped, imports hoisted, top-level
        // types package-private (only one public type per file).
        StringBuilder imports = importsPerFile.computeIfAbsent(b.file(),
            k -> new StringBuilder());
        StringBuilder types = typesPerFile.computeIfAbsent(b.file(), k -> new StringBuilder());
        for (String line : b.code().split("\n")) {
          if (line.startsWith("package ")) {
            continue;
          }
          if (line.startsWith("import ")) {
            imports.append(line).append('\n');
          } else {
            types.append(line.replaceFirst("^public (final |abstract )?(class|interface)",
                "$1$2")).append('\n');
          }
        }
      }
    }
    typesPerFile.forEach((file, code) -> {
      String pkg = packageOf(file);
      StringBuilder unit = new StringBuilder("package " + pkg + ";\n" + TYPE_IMPORTS)
          .append(importsPerFile.get(file)).append(code);
      List<String> own = declaredTypes(code.toString());
      if (code.toString().contains("FashionMlp.class") && !own.contains("FashionMlp")) {
        unit.append(FASHION);
      }
      if (code.toString().contains("StudentMlp.class") && !own.contains("StudentMlp")) {
        unit.append(STUDENT);
      }
      if (code.toString().contains("TeacherMlp.class") && !own.contains("TeacherMlp")) {
        unit.append(TEACHER);
      }
      sources.put(pkg + ".Types", unit.toString());
    });
    int n = 0;
    for (Block b : blocks) {
      if (!b.declaresTypes()) {
        String name = "Snippet" + (n++);
        sources.put("docs.readme." + name, wrap("docs.readme", name, b.code()));
        statementClasses.put("docs.readme." + name, b);
      }
    }
    Compilation c = compile(sources);
    StringBuilder errors = new StringBuilder();
    c.errors().forEach(d -> {
      String source = d.getSource() == null ? "" : d.getSource().getName();
      String where = source;
      for (Map.Entry<String, Block> e : statementClasses.entrySet()) {
        if (source.endsWith(e.getKey().replace('.', '/') + ".java")) {
          where = e.getValue().file() + ":" + e.getValue().line() + " (line " + d.getLineNumber()
              + " of the wrapped block)";
        }
      }
      errors.append("\n").append(where).append(": ").append(d.getMessage(null));
    });
    assertWithMessage("doc blocks that do not compile:%s", errors).that(c.status())
        .isEqualTo(Compilation.Status.SUCCESS);

    // Run the README's statement blocks with small random data.
    ClassLoader loader = loader(c);
    int ran = 0;
    for (Map.Entry<String, Block> e : statementClasses.entrySet()) {
      if (!e.getValue().file().equals("README.md")) {
        continue;
      }
      Class<?> snippet = loader.loadClass(e.getKey());
      Method run = snippet.getDeclaredMethods()[0];
      run.setAccessible(true);
      Object[] args = new Object[run.getParameterCount()];
      for (int i = 0; i < args.length; i++) {
        args[i] = fixture(run.getParameters()[i].getName(), run.getParameters()[i].getType(),
            loader);
      }
      run.invoke(null, args);
      ran++;
    }
    assertThat(ran).isAtLeast(2);

    // Run docs/setup.md's complete project on an Iris-like CSV file.
    Path csv = Files.createTempFile("iris", ".csv");
    StringBuilder rows = new StringBuilder("sepal_length,sepal_width,petal_length,petal_width,"
        + "species\n");
    Random random = new Random(3);
    String[] species = {"setosa", "versicolor", "virginica"};
    for (int r = 0; r < 150; r++) {
      int k = r % 3;
      rows.append(String.format(java.util.Locale.ROOT, "%.2f,%.2f,%.2f,%.2f,%s%n",
          5 + k + random.nextGaussian() * 0.3, 3 + random.nextGaussian() * 0.3,
          1.5 + 2 * k + random.nextGaussian() * 0.3, 0.2 + k + random.nextGaussian() * 0.2,
          species[k]));
    }
    Files.writeString(csv, rows);
    Method main = loader.loadClass("docs.setup.Main").getDeclaredMethod("main", String[].class);
    main.setAccessible(true);
    Path checkpoint = Path.of("iris.kiln");
    try {
      main.invoke(null, (Object) new String[] {csv.toString()});
      assertThat(Files.exists(checkpoint)).isTrue();
    } finally {
      Files.deleteIfExists(checkpoint);
      Files.deleteIfExists(csv);
    }
  }

  private static Object fixture(String name, Class<?> type, ClassLoader loader)
      throws Exception {
    Random random = new Random(7);
    if (type == Dataset.class) {
      int rows = 300;
      float[] x = new float[rows * 784];
      int[] c = new int[rows];
      for (int i = 0; i < x.length; i++) {
        x[i] = random.nextFloat();
      }
      for (int r = 0; r < rows; r++) {
        c[r] = r % 10;
      }
      return Dataset.ofClassIndices(x, 784, c, 10, "random");
    }
    if (type == INDArray.class && name.equals("labels")) {
      float[] y = new float[64 * 10];
      for (int r = 0; r < 64; r++) {
        y[r * 10 + r % 10] = 1;
      }
      return Nd4j.create(y, new long[] {64, 10}, 'c');
    }
    if (type == INDArray.class) {
      return Nd4j.rand(new int[] {64, 784}).castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT);
    }
    if (type.getSimpleName().equals("FashionMlpNetwork")) {
      Method initialize = type.getDeclaredMethod("initialize", long.class);
      initialize.setAccessible(true);
      return initialize.invoke(null, 42L);
    }
    if (type.getSimpleName().equals("FashionTrainingTrainer")) {
      Class<?> net = loader.loadClass(type.getPackageName() + ".FashionMlpNetwork");
      var constructor = type.getDeclaredConstructor(net);
      constructor.setAccessible(true);
      return constructor.newInstance(fixture("network", net, loader));
    }
    throw new AssertionError("no fixture for " + type);
  }

  private static ClassLoader loader(Compilation compilation) {
    Map<String, byte[]> classes = new HashMap<>();
    for (JavaFileObject file : compilation.generatedFiles()) {
      if (file.getKind() == JavaFileObject.Kind.CLASS) {
        String path = file.toUri().getPath();
        String name = path.substring(path.indexOf("CLASS_OUTPUT/") + "CLASS_OUTPUT/".length(),
            path.length() - ".class".length()).replace('/', '.');
        try (InputStream in = file.openInputStream()) {
          classes.put(name, in.readAllBytes());
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }
    }
    return new ClassLoader(DocSnippetsTest.class.getClassLoader()) {
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
}
