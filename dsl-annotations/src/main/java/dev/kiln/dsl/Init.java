package dev.kiln.dsl;

/**
 * Weight initialisation of a {@link Dense} layer, drawn from the network's seed. {@code fanIn} is
 * the layer's input size, {@code fanOut} its units.
 */
public enum Init {
  /**
   * {@link #HE_UNIFORM} when the layer's activation is ReLU-family (RELU, LEAKY_RELU, GELU),
   * {@link #XAVIER_UNIFORM} otherwise.
   */
  AUTO,
  /**
   * {@code U(-b, b)} with {@code b = sqrt(6 / fanIn)}: PyTorch's {@code kaiming_uniform_(w,
   * nonlinearity='relu')}, Keras's {@code he_uniform}. He et al., 2015.
   */
  HE_UNIFORM,
  /** {@code N(0, 2 / fanIn)}: PyTorch's {@code kaiming_normal_}, Keras's {@code he_normal}. */
  HE_NORMAL,
  /**
   * {@code U(-b, b)} with {@code b = sqrt(6 / (fanIn + fanOut))}: PyTorch's {@code
   * xavier_uniform_}, Keras's {@code glorot_uniform}. Glorot and Bengio, 2010.
   */
  XAVIER_UNIFORM,
  /** {@code N(0, 2 / (fanIn + fanOut))}: PyTorch's {@code xavier_normal_}. */
  XAVIER_NORMAL
}
