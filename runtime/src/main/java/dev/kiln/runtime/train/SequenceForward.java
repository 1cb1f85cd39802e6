package dev.kiln.runtime.train;

import dev.kiln.runtime.tensor.Tensor;

/**
 * An eval-mode forward pass of a token model into existing memory, as a generated token network's
 * {@code forwardEval(input, n, length, output, buffers)} with its buffers bound:
 *
 * <pre>{@code
 * CharGptNetwork.EvalBuffers buffers = network.evalBuffers(12);
 * SequenceForward forward = (ids, n, t, logits) -> network.forwardEval(ids, n, t, logits, buffers);
 * }</pre>
 */
@FunctionalInterface
public interface SequenceForward {
  /**
   * Writes the logits of the first {@code n} sequences.
   *
   * @param ids {@code [rows, CONTEXT]} token ids, the first {@code t} of each of the first {@code
   *     n} rows read
   * @param logits {@code [rows, CONTEXT·V]}: each row's first {@code t·V} values overwritten,
   *     packed {@code [n, t, V]} at the start (as the generated networks write them)
   */
  void forward(Tensor ids, int n, int t, Tensor logits);
}
