package dev.kiln.processor;

import static com.google.common.truth.Truth.assertThat;
import static com.google.testing.compile.CompilationSubject.assertThat;
import static com.google.testing.compile.Compiler.javac;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.JavaFileObjects;
import dev.kiln.processor.model.Shape;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/**
 * The processor's layer model: shapes print as messages show them, and a DSL constant the
 * processor does not know (a dsl-annotations jar newer than the processor) is one positioned
 * error, not a silent default.
 */
class LayerModelTest {
  @Test
  void shapesPrintTheirDimensions() {
    assertThat(Shape.of(32, 28, 28).toString()).isEqualTo("[32, 28, 28]");
    assertThat(Shape.features(784).toString()).isEqualTo("[784]");
    assertThat(Shape.of(32, 28, 28).size()).isEqualTo(32L * 28 * 28);
    assertThat(Shape.of(64, 128).rank()).isEqualTo(2);
  }

  @Test
  void unknownActivationConstantIsOneErrorOnTheValue() {
    // A newer DSL, compiled beside the model, has a function this processor does not know.
    JavaFileObject newerDsl = JavaFileObjects.forSourceString("dev.kiln.dsl.ActivationFunction",
        """
        package dev.kiln.dsl;
        public enum ActivationFunction { IDENTITY, RELU, LEAKY_RELU, TANH, SIGMOID, GELU, SWISH }
        """);
    JavaFileObject model = JavaFileObjects.forSourceString("u.Net", """
        package u;
        import dev.kiln.dsl.*;
        @Model(inputs = 4)
        public abstract class Net {
          @Dense(8) @Activation(ActivationFunction.SWISH) Layer hidden;
          @Dense(3) Layer logits;
        }
        """);
    Compilation compilation = javac().withProcessors(new KilnProcessor())
        .compile(newerDsl, model);
    assertThat(compilation).failed();
    assertThat(compilation).hadErrorCount(1);
    assertThat(compilation).hadErrorContaining("[KilnUnknownConstant] @Activation(value = SWISH)")
        .inFile(model).onLineContaining("SWISH");
    assertThat(compilation).hadErrorContaining("use the same version");
  }
}
