package dev.kiln.processor.write;

import dev.kiln.processor.model.ActivationFunction;
import dev.kiln.processor.model.ActivationPart;
import dev.kiln.processor.model.BatchNormPart;
import dev.kiln.processor.model.DensePart;
import dev.kiln.processor.model.Part;
import dev.kiln.processor.model.Specs.LayerSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * The one place that decides which parts of a layer run as one fused kernel in the training step;
 * every other part runs as its own {@link PartCode}. Eval mode ({@code forwardEval}) runs the
 * parts one by one.
 *
 * <p>Today's one fusion: {@code @Dense @BatchNorm @Activation(RELU)} as the layer's last parts
 * ({@link DenseBatchNormReluOp}). Not with a part after them: dropout would replace the output
 * backward reads ReLU's mask from.
 */
final class Fusions {
  private Fusions() {}

  /** The training ops of a layer, in forward order. */
  static List<LayerOp> trainingOps(LayerSpec layer) {
    List<Part> parts = layer.parts();
    List<LayerOp> ops = new ArrayList<>();
    for (int i = 0; i < parts.size(); i++) {
      if (denseBatchNormRelu(parts, i)) {
        ops.add(new DenseBatchNormReluOp(layer, i));
        i += 2;
      } else {
        ops.add(PartCode.of(layer, i));
      }
    }
    return ops;
  }

  private static boolean denseBatchNormRelu(List<Part> parts, int i) {
    return i + 3 == parts.size() && parts.get(i) instanceof DensePart
        && parts.get(i + 1) instanceof BatchNormPart
        && parts.get(i + 2) instanceof ActivationPart a
        && a.function() == ActivationFunction.RELU;
  }
}
