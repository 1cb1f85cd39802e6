package dev.kiln.processor.write;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import dev.kiln.processor.model.ActivationFunction;
import dev.kiln.processor.model.ActivationPart;
import dev.kiln.processor.model.Specs.LayerSpec;
import java.util.List;

/**
 * {@code @Activation}: the runtime's element-wise {@code Activations} kernels. The one place that
 * maps an activation function to its kernels.
 */
final class ActivationCode extends PartCode {
  private final ActivationPart part;

  ActivationCode(LayerSpec layer, int index, ActivationPart part) {
    super(layer, index);
    this.part = part;
  }

  @Override
  String allocate(Wiring wiring, String input) {
    return wiring.buffer("out", output, "output after activation and dropout");
  }

  @Override
  void forward(MethodSpec.Builder m, Context c) {
    m.addStatement(forward(in(), out(), count()));
  }

  @Override
  void backward(MethodSpec.Builder m, Context c, String delta, String target) {
    String dx = target == null ? delta : target;
    if (part.function() == ActivationFunction.GELU && outputKept(c)) {
      // Φ(x) = y/x from the forward output: one error function per element fewer
      m.addStatement("$T.backward($L, $L, $L, $L, $L, $T.NONE)", RuntimeNames.GELU, in(), out(),
          delta, dx, count(), RuntimeNames.GELU_APPROXIMATION);
      return;
    }
    m.addStatement(backward(in(), delta, dx, count()));
  }

  /**
   * Whether {@link #out()} still holds this activation's output in the backward pass: no later op
   * of the layer writes the same buffer (dropout after the activation writes it in place).
   */
  private boolean outputKept(Context c) {
    List<LayerOp> ops = c.layout().of(c.layer()).ops();
    for (int i = ops.indexOf(this) + 1; i > 0 && i < ops.size(); i++) {
      if (ops.get(i).out().equals(out())) {
        return false;
      }
    }
    return ops.contains(this);
  }

  @Override
  boolean eval(MethodSpec.Builder m, NetworkLayout net, String in, String out) {
    m.addStatement(forward(in, out, count()));
    return true;
  }

  @Override
  void compact(CodeBlock.Builder b, NetworkLayout net, String mask) {
    b.add("\n.activation($T.$L, $L)", RuntimeNames.COMPACT_NETWORK.nestedClass("Activation"),
        part.function().name(), part.function() == ActivationFunction.LEAKY_RELU
            ? Literals.ofFloat(part.negativeSlope()) : "0f");
  }

  /** The runtime {@code Gelu.Approximation} of a GELU part: exact (erf) or tanh. */
  private String approximation() {
    return part.function() == ActivationFunction.GELU_TANH ? "TANH" : "NONE";
  }

  /** {@code y = f(x)} over {@code count} elements. */
  private CodeBlock forward(String in, String out, String count) {
    return switch (part.function()) {
      case RELU -> CodeBlock.of("$T.relu($L, $L, $L)", RuntimeNames.ACTIVATIONS, in, out, count);
      case LEAKY_RELU -> CodeBlock.of("$T.leakyRelu($L, $L, $L, $L)", RuntimeNames.ACTIVATIONS,
          in, out, count, Literals.ofFloat(part.negativeSlope()));
      case TANH -> CodeBlock.of("$T.tanh($L, $L, $L)", RuntimeNames.ACTIVATIONS, in, out, count);
      case SIGMOID -> CodeBlock.of("$T.sigmoid($L, $L, $L)", RuntimeNames.ACTIVATIONS, in, out,
          count);
      case GELU, GELU_TANH -> CodeBlock.of("$T.forward($L, $L, $L, $T.$L)", RuntimeNames.GELU, in,
          out, count, RuntimeNames.GELU_APPROXIMATION, approximation());
      case IDENTITY -> throw new IllegalStateException("IDENTITY is no activation part");
    };
  }

  /** {@code dx = f'(x)·dy}, with {@code x} the pre-activation. */
  private CodeBlock backward(String x, String dy, String dx, String count) {
    return switch (part.function()) {
      case RELU -> CodeBlock.of("$T.reluBackward($L, $L, $L, $L)", RuntimeNames.ACTIVATIONS, x,
          dy, dx, count);
      case LEAKY_RELU -> CodeBlock.of("$T.leakyReluBackward($L, $L, $L, $L, $L)",
          RuntimeNames.ACTIVATIONS, x, dy, dx, count, Literals.ofFloat(part.negativeSlope()));
      case TANH -> CodeBlock.of("$T.tanhBackward($L, $L, $L, $L)", RuntimeNames.ACTIVATIONS, x,
          dy, dx, count);
      case SIGMOID -> CodeBlock.of("$T.sigmoidBackward($L, $L, $L, $L)",
          RuntimeNames.ACTIVATIONS, x, dy, dx, count);
      case GELU, GELU_TANH -> CodeBlock.of("$T.backward($L, $L, $L, $L, $T.$L)", RuntimeNames.GELU,
          x, dy, dx, count, RuntimeNames.GELU_APPROXIMATION, approximation());
      case IDENTITY -> throw new IllegalStateException("IDENTITY is no activation part");
    };
  }
}
