package dev.kiln.processor.write;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeSpec;
import dev.kiln.processor.model.BatchNormPart;
import dev.kiln.processor.model.Specs.LayerSpec;
import javax.lang.model.element.Modifier;

/**
 * {@code @BatchNorm}: a {@code BatchNormKernel} field per layer (its batch statistics; on images
 * {@code BatchNorm2dKernel}, per channel, which the network also holds for eval mode),
 * normalising the part before it in place ({@code pre}) and keeping the normalised input ({@code
 * xhat}) for backward.
 */
final class BatchNormCode extends PartCode {
  private final BatchNormPart part;

  BatchNormCode(LayerSpec layer, int index, BatchNormPart part) {
    super(layer, index);
    this.part = part;
  }

  /** The kernel field of a layer's batch norm; shared with the fused op. */
  static void kernelField(TypeSpec.Builder type, Context c, BatchNormPart part, long features) {
    type.addField(FieldSpec.builder(RuntimeNames.BATCH_NORM_KERNEL, c.member("batchNorm"),
            Modifier.PRIVATE, Modifier.FINAL)
        .initializer("new $T($L, $L, $L)", RuntimeNames.BATCH_NORM_KERNEL, features,
            Literals.of(part.momentum()), Literals.of(part.epsilon())).build());
  }

  /** Per channel of images: {@code BatchNorm2dKernel} (PyTorch's {@code BatchNorm2d}). */
  private boolean perChannel() {
    return BatchNormPart.perChannel(input);
  }

  /** {@code BatchNorm2dKernel}'s field, in the trainer ({@code member}) or the network. */
  private FieldSpec kernel2d(String name) {
    return FieldSpec.builder(RuntimeNames.BATCH_NORM_2D_KERNEL, name, Modifier.PRIVATE,
            Modifier.FINAL)
        .initializer("new $T($L, $L, $L, $L, $L)", RuntimeNames.BATCH_NORM_2D_KERNEL,
            input.dim(0), input.dim(1), input.dim(2), Literals.of(part.momentum()),
            Literals.of(part.epsilon())).build();
  }

  @Override
  void networkFields(TypeSpec.Builder type, NetworkLayout net) {
    if (perChannel()) {
      type.addField(kernel2d(net.field(layer, "batchNorm")));
    }
  }

  private String xhat;

  @Override
  String allocate(Wiring wiring, String input) {
    String pre = wiring.buffer("pre", output, "output of the dense / batch-norm part");
    xhat = wiring.buffer("xhat", output, "batch norm's normalised input");
    return pre;
  }

  @Override
  void fields(TypeSpec.Builder type, Context c) {
    if (perChannel()) {
      type.addField(kernel2d(c.member("batchNorm")));
    } else {
      kernelField(type, c, part, output.size());
    }
  }

  @Override
  void forward(MethodSpec.Builder m, Context c) {
    m.addStatement("$N.forwardTrain($N, n, network.$N, network.$N, network.$N, network.$N, $N,"
            + " $N)", c.member("batchNorm"), in(), c.field("gamma"), c.field("beta"),
        c.field("runningMean"), c.field("runningVar"), xhat, out());
  }

  @Override
  void backward(MethodSpec.Builder m, Context c, String delta, String target) {
    m.addStatement("$N.backward($N, $N, n, network.$N, $N, $N, $N)", c.member("batchNorm"),
        delta, xhat, c.field("gamma"), c.grad("gamma"), c.grad("beta"),
        target == null ? delta : target);
  }

  @Override
  boolean eval(MethodSpec.Builder m, NetworkLayout net, String in, String out) {
    if (perChannel()) {
      m.addStatement("$N.forwardEval($L, n, $N, $N, $N, $N, $L)", net.field(layer, "batchNorm"),
          in, net.field(layer, "gamma"), net.field(layer, "beta"),
          net.field(layer, "runningMean"), net.field(layer, "runningVar"), out);
      return true;
    }
    m.addStatement("$T.forwardEval($L, n, $L, $L, $N, $N, $N, $N, $L)",
        RuntimeNames.BATCH_NORM_KERNEL, in, output.size(), Literals.of(part.epsilon()),
        net.field(layer, "gamma"), net.field(layer, "beta"), net.field(layer, "runningMean"),
        net.field(layer, "runningVar"), out);
    return true;
  }

  @Override
  void compact(CodeBlock.Builder b, NetworkLayout net, String mask) {
    b.add("\n.batchNorm(network.$N, network.$N, network.$N, network.$N, $L)",
        net.field(layer, "gamma"), net.field(layer, "beta"), net.field(layer, "runningMean"),
        net.field(layer, "runningVar"), Literals.of(part.epsilon()));
  }
}
