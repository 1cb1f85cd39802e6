package dev.kiln.runtime.ops;

import dev.kiln.runtime.tensor.SplitMix64;

/**
 * Picks the next token from a language model's logits as nanoGPT's {@code generate} does: divide
 * the logits by the temperature, keep only the {@code topK} largest (every logit below the
 * {@code topK}-th largest becomes {@code -inf}, so ties with it stay; {@code topK = 0} keeps the
 * whole vocabulary), softmax, and draw one id from that distribution ({@code torch.multinomial}),
 * here by inverting the cumulative distribution at a uniform number of the caller's {@link
 * SplitMix64}: the same generator state gives the same id.
 *
 * <p>Temperature 0 is greedy decoding: the id of the largest logit (the first of equal ones, as
 * {@code torch.argmax}), without drawing a random number. The softmax runs in double. An instance
 * holds scratch for one vocabulary and allocates nothing per call; it is not safe for use by two
 * threads at once.
 */
public final class TokenSampler {
  private final int vocabulary;
  private final float[] scratch;
  private final double[] weights;

  /**
   * @param vocabulary {@code V}, the number of logits per call
   * @throws IllegalArgumentException unless {@code vocabulary ≥ 1}
   */
  public TokenSampler(int vocabulary) {
    Checks.positive("token sampler", "vocabulary", vocabulary);
    this.vocabulary = vocabulary;
    this.scratch = new float[vocabulary];
    this.weights = new double[vocabulary];
  }

  /**
   * Checks sampling settings, with messages naming the value and the range.
   *
   * @throws IllegalArgumentException for a temperature that is negative or not finite, or
   *     {@code topK} outside {@code [0, vocabulary]}
   */
  public static void checkSettings(double temperature, int topK, int vocabulary) {
    if (!(temperature >= 0) || Double.isInfinite(temperature)) {
      throw new IllegalArgumentException("temperature: expected a finite value >= 0 (0 for"
          + " greedy decoding), got " + temperature);
    }
    if (topK < 0 || topK > vocabulary) {
      throw new IllegalArgumentException("topK: expected 0 (the whole vocabulary) to "
          + vocabulary + ", got " + topK);
    }
  }

  /**
   * The id sampled from {@code logits[0, V)}.
   *
   * @param logits {@code [V]} unnormalised log-probabilities, not changed
   * @param temperature divides the logits, finite and {@code ≥ 0}; 0 is greedy (argmax)
   * @param topK how many of the largest logits to keep, {@code 0} for all, at most {@code V}
   * @param random the generator; one {@code nextDouble()} per call unless greedy
   * @return an id in {@code [0, V)}
   * @throws IllegalArgumentException for settings outside those ranges or fewer than {@code V}
   *     logits
   */
  public int sample(float[] logits, double temperature, int topK, SplitMix64 random) {
    checkSettings(temperature, topK, vocabulary);
    if (logits.length < vocabulary) {
      throw new IllegalArgumentException("token sampler: expected at least " + vocabulary
          + " logits, got " + logits.length);
    }
    if (temperature == 0) {
      return argmax(logits, vocabulary);
    }
    float threshold = topK == 0 || topK == vocabulary ? Float.NEGATIVE_INFINITY
        : largest(logits, topK);
    float max = Float.NEGATIVE_INFINITY;
    for (int i = 0; i < vocabulary; i++) {
      max = Math.max(max, logits[i]);
    }
    double sum = 0;
    for (int i = 0; i < vocabulary; i++) {
      double w = logits[i] >= threshold ? Math.exp((logits[i] - (double) max) / temperature) : 0;
      weights[i] = w;
      sum += w;
    }
    double u = random.nextDouble() * sum;
    int last = 0;
    for (int i = 0; i < vocabulary; i++) {
      if (weights[i] > 0) {
        last = i;
        u -= weights[i];
        if (u < 0) {
          return i;
        }
      }
    }
    return last; // rounding left u at or just above 0: the last id that had any weight
  }

  /** The index of the first largest of {@code values[0, count)}. */
  static int argmax(float[] values, int count) {
    int best = 0;
    for (int i = 1; i < count; i++) {
      if (values[i] > values[best]) {
        best = i;
      }
    }
    return best;
  }

  /** The {@code k}-th largest of the logits (quickselect on a copy). */
  private float largest(float[] logits, int k) {
    float[] a = scratch;
    System.arraycopy(logits, 0, a, 0, vocabulary);
    int target = k - 1; // index in descending order
    int lo = 0;
    int hi = vocabulary - 1;
    while (lo < hi) {
      float pivot = a[(lo + hi) >>> 1];
      int i = lo;
      int j = hi;
      while (i <= j) {
        while (a[i] > pivot) {
          i++;
        }
        while (a[j] < pivot) {
          j--;
        }
        if (i <= j) {
          float t = a[i];
          a[i] = a[j];
          a[j] = t;
          i++;
          j--;
        }
      }
      if (target <= j) {
        hi = j;
      } else if (target >= i) {
        lo = i;
      } else {
        break;
      }
    }
    return a[target];
  }
}
