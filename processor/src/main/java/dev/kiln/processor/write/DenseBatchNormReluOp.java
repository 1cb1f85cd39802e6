package dev.kiln.processor.write;

import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeSpec;
import dev.kiln.processor.model.BatchNormPart;
import dev.kiln.processor.model.DensePart;
import dev.kiln.processor.model.Shape;
import dev.kiln.processor.model.Specs.LayerSpec;

/**
 * Dense, batch norm and ReLU in one call ({@code BatchNormKernel.denseForwardTrainRelu} / {@code
 * backwardRelu}): the product goes into {@code xhat} and is normalised there (no buffer for the
 * dense output), where the product is cut among threads each normalises the channels it has just
 * summed, and the activation is written straight from the normalised values; backward reads
 * ReLU's mask off the output. Chosen by {@link Fusions}.
 */
final class DenseBatchNormReluOp extends LayerOp {
  private final DensePart dense;
  private final BatchNormPart batchNorm;
  private final long inputs;
  private final Shape output;
  private String xhat;

  DenseBatchNormReluOp(LayerSpec layer, int denseIndex) {
    this.dense = (DensePart) layer.parts().get(denseIndex);
    this.batchNorm = (BatchNormPart) layer.parts().get(denseIndex + 1);
    this.inputs = layer.inputOf(denseIndex).size();
    this.output = layer.inputOf(denseIndex + 1);
  }

  @Override
  String allocate(Wiring wiring, String input) {
    xhat = wiring.buffer("xhat", output, "batch norm's normalised input");
    return wiring.buffer("out", output, "output after activation and dropout");
  }

  @Override
  void fields(TypeSpec.Builder type, Context c) {
    BatchNormCode.kernelField(type, c, batchNorm, output.size());
  }

  @Override
  void forward(MethodSpec.Builder m, Context c) {
    m.addStatement("$N.denseForwardTrainRelu($N, n, $L, network.$N, $L, network.$N,"
            + " network.$N, network.$N, network.$N, $N, $N)", c.member("batchNorm"), in(), inputs,
        c.field("weight"), dense.bias() ? "network." + c.field("bias") : "null", c.field("gamma"),
        c.field("beta"), c.field("runningMean"), c.field("runningVar"), xhat, out());
  }

  @Override
  void backward(MethodSpec.Builder m, Context c, String delta, String target) {
    m.addStatement("$N.backwardRelu($N, $N, $N, n, network.$N, $N, $N, $N)",
        c.member("batchNorm"), delta, out(), xhat, c.field("gamma"), c.grad("gamma"),
        c.grad("beta"), delta);
    DenseCode.backward(m, c, dense, "n", inputs, delta, target, in());
  }
}
