package dev.kiln.processor.write;

import com.palantir.javapoet.CodeBlock;
import dev.kiln.processor.model.Specs.LayerSpec;

/** Calls into the runtime's element-wise kernels, shared by the writers. */
final class Kernels {
  private Kernels() {}

  static CodeBlock activationForward(LayerSpec layer, String in, String out, String count) {
    String f = layer.activation().function();
    return switch (f) {
      case "RELU" -> CodeBlock.of("$T.relu($L, $L, $L)", RuntimeNames.ACTIVATIONS, in, out, count);
      case "LEAKY_RELU" -> CodeBlock.of("$T.leakyRelu($L, $L, $L, $L)", RuntimeNames.ACTIVATIONS,
          in, out, count, Literals.ofFloat(layer.activation().negativeSlope()));
      case "TANH" -> CodeBlock.of("$T.tanh($L, $L, $L)", RuntimeNames.ACTIVATIONS, in, out, count);
      case "SIGMOID" -> CodeBlock.of("$T.sigmoid($L, $L, $L)", RuntimeNames.ACTIVATIONS, in, out,
          count);
      case "GELU" -> CodeBlock.of("$T.gelu($L, $L, $L)", RuntimeNames.ACTIVATIONS, in, out, count);
      default -> throw new IllegalArgumentException("unknown activation " + f);
    };
  }

  /** {@code dx = f'(x)·dy}, with {@code x} the pre-activation. */
  static CodeBlock activationBackward(LayerSpec layer, String x, String dy, String dx,
      String count) {
    String f = layer.activation().function();
    return switch (f) {
      case "RELU" -> CodeBlock.of("$T.reluBackward($L, $L, $L, $L)", RuntimeNames.ACTIVATIONS, x,
          dy, dx, count);
      case "LEAKY_RELU" -> CodeBlock.of("$T.leakyReluBackward($L, $L, $L, $L, $L)",
          RuntimeNames.ACTIVATIONS, x, dy, dx, count,
          Literals.ofFloat(layer.activation().negativeSlope()));
      case "TANH" -> CodeBlock.of("$T.tanhBackward($L, $L, $L, $L)", RuntimeNames.ACTIVATIONS, x,
          dy, dx, count);
      case "SIGMOID" -> CodeBlock.of("$T.sigmoidBackward($L, $L, $L, $L)",
          RuntimeNames.ACTIVATIONS, x, dy, dx, count);
      case "GELU" -> CodeBlock.of("$T.geluBackward($L, $L, $L, $L)", RuntimeNames.ACTIVATIONS, x,
          dy, dx, count);
      default -> throw new IllegalArgumentException("unknown activation " + f);
    };
  }
}
