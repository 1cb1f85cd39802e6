package dev.kiln.dsl;

/** Element-wise activation functions for {@link Activation}. */
public enum ActivationFunction {
  /** {@code f(x) = x}. */
  IDENTITY,
  /** {@code max(0, x)}: PyTorch {@code nn.ReLU}. The derivative at 0 is taken as 0, as PyTorch. */
  RELU,
  /** {@code x} for {@code x > 0}, else {@code negativeSlope·x}: PyTorch {@code nn.LeakyReLU}. */
  LEAKY_RELU,
  /** {@code tanh(x)}: PyTorch {@code nn.Tanh}. */
  TANH,
  /** {@code 1 / (1 + exp(-x))}: PyTorch {@code nn.Sigmoid}. */
  SIGMOID,
  /**
   * {@code x·Φ(x)} with the exact normal CDF {@code Φ} (Hendrycks and Gimpel, 2016): PyTorch
   * {@code nn.GELU()} with its default {@code approximate='none'}.
   */
  GELU,
  /**
   * GELU with the tanh approximation {@code 0.5·x·(1 + tanh(sqrt(2/π)·(x + 0.044715·x³)))}:
   * PyTorch {@code nn.GELU(approximate='tanh')}, GPT-2's form.
   */
  GELU_TANH
}
