package dev.kiln.runtime.internal;

import dev.kiln.runtime.ops.TokenSampler;
import dev.kiln.runtime.tensor.Tensor;
import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What a token model's generated {@code generate} and {@code predict(tokens, output)} check and
 * copy: every argument checked with a message naming the value and the expected range, before
 * anything changes, and logits copied into a caller's array. Nothing here allocates unless it
 * throws.
 */
public final class TokenGeneration {
  private TokenGeneration() {}

  /**
   * Checks the arguments of {@code generate(prompt, maxNewTokens, temperature, topK, seed, output,
   * logits)}.
   *
   * @param logits null, or {@code [maxNewTokens, vocabulary]} floats for the logits of each new
   *     token
   * @throws IllegalArgumentException for a null or empty prompt, an id outside {@code [0,
   *     vocabulary)} (naming its index), {@code maxNewTokens < 0}, a temperature that is negative
   *     or not finite, {@code topK} outside {@code [0, vocabulary]}, an {@code output} shorter
   *     than {@code prompt.length + maxNewTokens} or a {@code logits} array shorter than {@code
   *     maxNewTokens·vocabulary}
   */
  public static void check(int[] prompt, int maxNewTokens, double temperature, int topK,
      int[] output, float[] logits, int vocabulary) {
    checkPrompt(prompt, maxNewTokens, vocabulary);
    TokenSampler.checkSettings(temperature, topK, vocabulary);
    long needed = (long) prompt.length + maxNewTokens;
    if (output == null || output.length < needed) {
      throw new IllegalArgumentException("output: expected an array of at least prompt.length ("
          + prompt.length + ") + maxNewTokens (" + maxNewTokens + ") = " + needed
          + " elements, got " + (output == null ? "null" : output.length + ""));
    }
    long logitCount = (long) maxNewTokens * vocabulary;
    if (logits != null && logits.length < logitCount) {
      throw new IllegalArgumentException("logits: expected at least maxNewTokens ("
          + maxNewTokens + ") × vocabulary (" + vocabulary + ") = " + logitCount
          + " elements, got " + logits.length);
    }
  }

  /**
   * Checks the prompt and {@code maxNewTokens} and returns {@code prompt.length + maxNewTokens},
   * the length of the array that holds the generated sequence.
   *
   * @throws IllegalArgumentException as {@link #check} for these two, or for a total beyond an
   *     array's length
   */
  public static int checkPrompt(int[] prompt, int maxNewTokens, int vocabulary) {
    if (prompt == null || prompt.length == 0) {
      throw new IllegalArgumentException("prompt: expected at least one token id in [0, "
          + vocabulary + "), got " + (prompt == null ? "null" : "an empty array"));
    }
    for (int i = 0; i < prompt.length; i++) {
      if (prompt[i] < 0 || prompt[i] >= vocabulary) {
        throw new IllegalArgumentException("prompt: token id " + prompt[i] + " at index " + i
            + " is outside [0, " + vocabulary + ")");
      }
    }
    if (maxNewTokens < 0) {
      throw new IllegalArgumentException("maxNewTokens: expected a count >= 0, got "
          + maxNewTokens);
    }
    long total = (long) prompt.length + maxNewTokens;
    if (total > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("maxNewTokens: prompt.length (" + prompt.length
          + ") + maxNewTokens (" + maxNewTokens + ") exceeds the largest array, "
          + (Integer.MAX_VALUE - 8));
    }
    return (int) total;
  }

  /**
   * Checks that {@code output} is a float32 array {@code [n, length, vocabulary]}.
   *
   * @throws IllegalArgumentException naming the expected and actual shape and dtype
   */
  public static void checkLogits(String what, INDArray output, int n, int length,
      int vocabulary) {
    if (output == null) {
      throw new IllegalArgumentException(what + " is null; expected float32 logits [" + n + ", "
          + length + ", " + vocabulary + "]");
    }
    if (output.rank() != 3 || output.size(0) != n || output.size(1) != length
        || output.size(2) != vocabulary || output.dataType() != DataType.FLOAT) {
      throw new IllegalArgumentException(what + ": expected float32 logits [" + n + ", " + length
          + ", " + vocabulary + "] (n and t of the tokens), got " + output.dataType() + " "
          + java.util.Arrays.toString(output.shape()));
    }
  }

  /**
   * Copies the logits packed {@code [n, length, vocabulary]} at the start of {@code from} into
   * {@code to} (checked by {@link #checkLogits}, any strides), element by element.
   */
  public static void copyLogits(Tensor from, INDArray to) {
    int n = (int) to.size(0);
    int length = (int) to.size(1);
    int vocabulary = (int) to.size(2);
    FloatBuffer src = from.data();
    DataBuffer dst = to.data();
    long base = to.offset();
    long s0 = to.stride(0);
    long s1 = to.stride(1);
    long s2 = to.stride(2);
    int i = 0;
    for (int s = 0; s < n; s++) {
      for (int p = 0; p < length; p++) {
        long at = base + s * s0 + p * s1;
        for (int v = 0; v < vocabulary; v++) {
          dst.put(at + v * s2, src.get(i++));
        }
      }
    }
  }
}
