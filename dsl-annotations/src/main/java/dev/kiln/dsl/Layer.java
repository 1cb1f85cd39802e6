package dev.kiln.dsl;

/**
 * The type of a layer field in a {@link Model} class. A field {@code Layer hidden1;} carrying
 * {@link Dense}, {@link BatchNorm}, {@link Activation} and/or {@link Dropout} declares one layer
 * named {@code hidden1}; layers run in declaration order. Fields of this type are never assigned:
 * the generated network holds the parameters.
 */
public final class Layer {
  private Layer() {}
}
