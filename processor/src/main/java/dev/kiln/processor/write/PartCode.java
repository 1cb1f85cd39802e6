package dev.kiln.processor.write;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import dev.kiln.processor.model.ActivationPart;
import dev.kiln.processor.model.BatchNormPart;
import dev.kiln.processor.model.Conv2dPart;
import dev.kiln.processor.model.DensePart;
import dev.kiln.processor.model.DropoutPart;
import dev.kiln.processor.model.EmbeddingPart;
import dev.kiln.processor.model.LayerNormPart;
import dev.kiln.processor.model.PositionEmbeddingPart;
import dev.kiln.processor.model.ResidualPart;
import dev.kiln.processor.model.SelfAttentionPart;
import dev.kiln.processor.model.GlobalAvgPoolPart;
import dev.kiln.processor.model.Part;
import dev.kiln.processor.model.PoolPart;
import dev.kiln.processor.model.Shape;
import dev.kiln.processor.model.Specs.LayerSpec;
import java.util.List;

/**
 * The code-writer piece of one layer part: its training op (when {@link Fusions} does not fuse it
 * with its neighbours), its eval-mode statement in the network, and its step of {@code compact()}.
 * {@link #of} is the one dispatch from a part kind to its writer.
 */
abstract class PartCode extends LayerOp {
  final LayerSpec layer;
  /** The part's input shape. */
  final Shape input;
  /** The part's output shape. */
  final Shape output;

  PartCode(LayerSpec layer, int index) {
    this.layer = layer;
    this.input = layer.inputOf(index);
    this.output = layer.inputOf(index + 1);
  }

  /** The writer of part {@code index} of {@code layer}. */
  static PartCode of(LayerSpec layer, int index) {
    Part part = layer.parts().get(index);
    if (part instanceof DensePart p) {
      return new DenseCode(layer, index, p);
    } else if (part instanceof BatchNormPart p) {
      return new BatchNormCode(layer, index, p);
    } else if (part instanceof ActivationPart p) {
      return new ActivationCode(layer, index, p);
    } else if (part instanceof DropoutPart p) {
      return new DropoutCode(layer, index, p);
    } else if (part instanceof EmbeddingPart p) {
      return new EmbeddingCode(layer, index, p);
    } else if (part instanceof PositionEmbeddingPart p) {
      return new PositionEmbeddingCode(layer, index, p);
    } else if (part instanceof LayerNormPart p) {
      return new LayerNormCode(layer, index, p);
    } else if (part instanceof SelfAttentionPart p) {
      return new SelfAttentionCode(layer, index, p);
    } else if (part instanceof ResidualPart p) {
      return new ResidualCode(layer, index, p);
    } else if (part instanceof Conv2dPart p) {
      return new Conv2dCode(layer, index, p);
    } else if (part instanceof PoolPart p) {
      return new PoolCode(layer, index, p);
    } else if (part instanceof GlobalAvgPoolPart p) {
      return new GlobalAvgPoolCode(layer, index, p);
    }
    throw new IllegalArgumentException("no writer for " + part);
  }

  /**
   * {@code n * <values per sample>} of the part's output: the element count of a batch; for a
   * sequence {@code [T, D]}, {@code n * length * D} with {@code length} the batch's sequence
   * length (a trainer field, a parameter of the network's eval methods).
   */
  String count() {
    return count(output);
  }

  /** The element count of a batch of {@code shape}. */
  static String count(Shape shape) {
    return shape.isSequence() ? "n * length * " + shape.last() : "n * " + shape.size();
  }

  /** The rows a per-position kernel sees: {@code n * length} for a sequence, else {@code n}. */
  static String rows(Shape shape) {
    return shape.isSequence() ? "n * length" : "n";
  }

  /**
   * Members the network needs for this part (beside its parameters), declared on {@code type}
   * and assigned in {@code constructor} after the parameters; none by default.
   */
  void networkMembers(com.palantir.javapoet.TypeSpec.Builder type, MethodSpec.Builder constructor,
      NetworkLayout net) {}

  /**
   * Scratch the eval pass needs for this part, as fields of the network's {@code EvalBuffers}
   * ({@code maxBatch} rows); none by default.
   */
  void evalBuffers(com.palantir.javapoet.TypeSpec.Builder buffers, MethodSpec.Builder constructor,
      NetworkLayout net) {}

  /**
   * A member of the network's {@code EvalBuffers} that the part's eval statements use, named
   * {@code net.field(layer, role)} and reached as {@code buffers.<name>}.
   *
   * @param init its initializer, in terms of {@code maxBatch}
   */
  record EvalBuffer(String role, TypeName type, CodeBlock init, String doc) {}

  /** The {@code EvalBuffers} members the part's eval statements use (a workspace, indices). */
  List<EvalBuffer> evalBuffers() {
    return List.of();
  }

  /** Fields of the network the part's eval statements use (an immutable kernel object). */
  void networkFields(TypeSpec.Builder type, NetworkLayout net) {}

  /** {@code buffers.<name>}: an {@link EvalBuffer} of this part in eval statements. */
  String evalBuffer(NetworkLayout net, String role) {
    return "buffers." + net.field(layer, role);
  }

  /**
   * The eval-mode statements of the network's {@code forwardEval}, reading the tensor {@code in}
   * and writing {@code out} (both {@code [n, ...]}); false where the part is the identity in eval
   * mode and wrote nothing.
   */
  abstract boolean eval(MethodSpec.Builder m, NetworkLayout net, String in, String out);

  /**
   * The statements of one position in a token model's cached generation step ({@code
   * forwardStep}): one sequence of one position, {@code position}, reading {@code in} and writing
   * {@code out} ({@code [D]}); the generation's state is {@code generation}. By default the eval
   * statements, with {@code n} and {@code length} 1, for parts that treat every position alike.
   */
  boolean step(MethodSpec.Builder m, NetworkLayout net, String in, String out) {
    return eval(m, net, in, out);
  }

  /**
   * Whether {@link #step} differs from {@link #eval}: the part depends on the position (position
   * embedding) or on earlier positions (attention).
   */
  boolean positional() {
    return false;
  }

  /**
   * The part's call on the runtime's {@code CompactNetwork} builder in {@code compact()}; {@code
   * mask} is the code of the part's pruning mask or {@code null}.
   */
  abstract void compact(CodeBlock.Builder b, NetworkLayout net, String mask);
}
