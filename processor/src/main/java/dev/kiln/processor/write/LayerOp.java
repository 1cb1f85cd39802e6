package dev.kiln.processor.write;

import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeSpec;
import dev.kiln.processor.model.Shape;
import dev.kiln.processor.model.Specs.LayerSpec;

/**
 * One kernel call (or one fused group of calls) of a layer in the training step: the buffers it
 * writes, its forward statement in training mode and its backward statements. {@link Fusions}
 * chooses the ops of a layer; {@link TrainerLayout} wires them (each op reads the buffer the op
 * before it wrote); {@link TrainerWriter} writes them in order forward and in reverse backward,
 * knowing no op kind.
 *
 * <p>An op is made for one trainer and keeps the buffer names {@link #wire} gives it.
 */
abstract class LayerOp {
  /** Buffer allocation for one layer: {@code [BATCH_SIZE, size]} tensors named per layer. */
  interface Wiring {
    /**
     * The layer's buffer for {@code role} ({@code pre}, {@code xhat}, {@code out}, {@code mask}
     * …), allocated for {@code shape} on first use and shared by later ops of the layer that name
     * the same role (which then write it in place).
     */
    String buffer(String role, Shape shape, String doc);
  }

  /** What op code refers to: the layer and the names of the trainer's and network's members. */
  record Context(LayerSpec layer, TrainerLayout layout, NetworkLayout net) {
    /** A trainer member of this layer, e.g. {@code hidden1BatchNorm}. */
    String member(String role) {
      return layout.name(layer, role);
    }

    /** The network field of one of this layer's arrays, e.g. {@code hidden1Weight}. */
    String field(String role) {
      return net.field(layer, role);
    }

    /** The gradient buffer of one of this layer's arrays, e.g. {@code hidden1WeightGrad}. */
    String grad(String role) {
      return layout.name(layer, role + "Grad");
    }
  }

  private String in;
  private String out;

  /** The buffer this op reads. */
  final String in() {
    return in;
  }

  /** The buffer this op writes its output into. */
  final String out() {
    return out;
  }

  /** Allocates what the op writes, given the buffer it reads; returns its output buffer. */
  final String wire(Wiring wiring, String input) {
    this.in = input;
    this.out = allocate(wiring, input);
    return out;
  }

  /** Allocates the buffers the op writes and returns the one holding its output. */
  abstract String allocate(Wiring wiring, String input);

  /** Fields the op needs besides buffers (a kernel object), in declaration order. */
  void fields(TypeSpec.Builder type, Context c) {}

  /** The forward statements in training mode, reading {@link #in()} and writing {@link #out()}. */
  abstract void forward(MethodSpec.Builder m, Context c);

  /**
   * Where the op's backward writes the gradient with respect to its input when an op before it
   * in the layer reads that gradient: {@code delta} itself (in place, the default, for ops that
   * keep the shape), or a buffer of the op's own (pooling, which makes its output smaller).
   */
  String inputGradient(String delta) {
    return delta;
  }

  /**
   * The backward statements: {@code delta} holds the gradient of the loss with respect to the
   * op's output; the gradient with respect to its input goes into {@code target}, which is null
   * where nobody needs it (the network's input). Parameter gradients go into their buffers.
   */
  abstract void backward(MethodSpec.Builder m, Context c, String delta, String target);
}
