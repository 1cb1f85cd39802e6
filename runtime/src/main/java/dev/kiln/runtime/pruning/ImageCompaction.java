package dev.kiln.runtime.pruning;

import static dev.kiln.runtime.pruning.CompactNetwork.Builder.keptIndices;
import static dev.kiln.runtime.pruning.CompactNetwork.Builder.pick;

import dev.kiln.runtime.ops.Conv2d;
import dev.kiln.runtime.tensor.Tensor;
import java.nio.FloatBuffer;

/**
 * {@link CompactNetwork.Builder#build}'s step for a layer on images: removes the output channels
 * whose whole filter the mask prunes, the matching channels of the layer's batch norm, and the
 * input channels the previous layer removed; folds what removed input channels contribute into
 * the bias (or a per-position bias, {@link ImageStage}); and works out the removed channels'
 * constant output maps for the next layer.
 *
 * <p>The maps are computed, not derived by hand: a removed channel's output does not depend on
 * the input, so the uncompacted layer is run once on one sample that holds the removed input
 * channels' maps (and zeros elsewhere), and its removed output channels are read off. What the
 * removed input channels contribute to the kept outputs is the convolution of those maps with the
 * kept filters, without bias.
 */
final class ImageCompaction {
  private ImageCompaction() {}

  /**
   * A compacted image layer and what flows on to the next layer, all indexed by the full
   * (uncompacted) layer's flattened outputs in C, H, W order.
   *
   * @param stage the compacted layer
   * @param shape the full output shape {@code [C, H, W]}, or null after global average pooling
   *     (flat {@code [C]})
   * @param width the full output's values per sample
   * @param kept the flattened indices of the kept outputs, ascending
   * @param constants each removed output's value
   * @param removed which outputs are removed
   */
  record Flow(ImageStage stage, int[] shape, int width, int[] kept, float[] constants,
      boolean[] removed) {}

  static Flow layer(CompactNetwork.LayerSource l, int[] in, float[] constantsIn,
      boolean[] removedIn) {
    int channels = in[0];
    int plane = in[1] * in[2];
    boolean[] removedChannelsIn = new boolean[channels];
    for (int c = 0; c < channels; c++) {
      removedChannelsIn[c] = removedIn[c * plane];
    }
    int[] keptIn = keptIndices(removedChannelsIn);
    Tensor mapsIn = Tensor.zeros(1, (long) channels * plane);
    mapsIn.setFrom(constantsIn);
    ImageStage full = new ImageStage(l.name, channels, in[1], in[2], l.conv, l.weight, l.bias,
        null, l.gamma, l.beta, l.runningMean, l.runningVar, l.epsilon, l.activation, l.slope,
        l.pool, l.window, l.global);
    int[] convolved = full.convolved();
    int outChannels = convolved[0];
    int outPlane = convolved[1] * convolved[2];
    boolean[] removedChannels = l.conv == null ? removedChannelsIn : removedFilters(l, channels);
    int[] keptOut = keptIndices(removedChannels);
    if (keptOut.length == 0) {
      throw new IllegalStateException("every channel of layer " + l.name + " is pruned");
    }
    Tensor weight = null;
    Tensor bias = null;
    Tensor biasMap = null;
    if (l.conv != null) {
      weight = filters(l.weight, channels, keptOut, keptIn);
      Tensor contribution = null;
      if (keptIn.length < channels) {
        Conv2d conv = new Conv2d(channels, in[1], in[2], outChannels, l.conv[1], l.conv[2],
            l.conv[3], l.conv[4], l.conv[5], l.conv[6]);
        contribution = Tensor.zeros(1, (long) outChannels * outPlane);
        conv.forward(mapsIn, 1, l.weight, null, contribution,
            Tensor.alignedZeros(conv.workspaceElements(1)));
      }
      boolean uniform = contribution == null || uniform(contribution, keptOut, outPlane);
      if (l.bias != null || (contribution != null && uniform)) {
        bias = Tensor.zeros(keptOut.length);
        for (int k = 0; k < keptOut.length; k++) {
          double b = l.bias == null ? 0 : l.bias.get(keptOut[k]);
          if (contribution != null && uniform) {
            b += contribution.get(keptOut[k] * outPlane);
          }
          bias.set(k, (float) b);
        }
      }
      if (!uniform) {
        biasMap = Tensor.zeros(keptOut.length, convolved[1], convolved[2]);
        for (int k = 0; k < keptOut.length; k++) {
          for (int p = 0; p < outPlane; p++) {
            biasMap.set(k * outPlane + p, contribution.get(keptOut[k] * outPlane + p));
          }
        }
      }
    }
    // the removed channels' maps through the uncompacted layer (kept channels are not read)
    float[] mapsOut = full.forward(mapsIn, 1).toFloatArray();
    ImageStage stage = new ImageStage(l.name, keptIn.length, in[1], in[2],
        l.conv == null ? null : withOut(l.conv, keptOut.length), weight, bias, biasMap,
        pick(l.gamma, keptOut), pick(l.beta, keptOut), pick(l.runningMean, keptOut),
        pick(l.runningVar, keptOut), l.epsilon, l.activation, l.slope, l.pool, l.window,
        l.global);
    int[] out = full.output();
    int outValues = out[1] * out[2];
    int width = outChannels * outValues;
    boolean[] removed = new boolean[width];
    float[] constants = new float[width];
    int[] kept = new int[keptOut.length * outValues];
    for (int c = 0, k = 0; c < outChannels; c++) {
      for (int p = 0; p < outValues; p++) {
        int i = c * outValues + p;
        removed[i] = removedChannels[c];
        if (removed[i]) {
          constants[i] = mapsOut[i];
        } else {
          kept[k++] = i;
        }
      }
    }
    return new Flow(stage, l.global ? null : out, width, kept, constants, removed);
  }

  /**
   * Output channels whose mask filter is all 0; their weights must be 0 too. (Their bias need
   * not be: its constant flows on through the layer like any removed channel's output.)
   */
  private static boolean[] removedFilters(CompactNetwork.LayerSource l, int channels) {
    int out = l.conv[0];
    boolean[] removed = new boolean[out];
    if (l.weight.rank() != 4 || l.weight.size(1) != channels
        || l.weight.size(2) != l.conv[1] || l.weight.size(3) != l.conv[2]) {
      throw new IllegalArgumentException(l.name + ".weight: expected [" + out + ", " + channels
          + ", " + l.conv[1] + ", " + l.conv[2] + "], got " + l.weight);
    }
    if (l.mask == null) {
      return removed;
    }
    if (l.mask.length() != l.weight.length()) {
      throw new IllegalArgumentException(l.name + " mask: expected the weight's "
          + l.weight.length() + " elements, got " + l.mask);
    }
    int filter = l.weight.length() / out;
    FloatBuffer m = l.mask.data();
    FloatBuffer w = l.weight.data();
    for (int o = 0; o < out; o++) {
      boolean all = true;
      for (int e = 0; e < filter && all; e++) {
        all = m.get(o * filter + e) == 0f;
      }
      removed[o] = all;
      if (all) {
        for (int e = 0; e < filter; e++) {
          if (w.get(o * filter + e) != 0f) {
            throw new IllegalStateException(l.name + ": channel " + o + " is pruned but its"
                + " weight " + e + " is " + w.get(o * filter + e)
                + "; apply the masks before compacting");
          }
        }
      }
    }
    return removed;
  }

  /** Whether every kept channel's contribution is the same at all its positions. */
  private static boolean uniform(Tensor contribution, int[] keptOut, int plane) {
    FloatBuffer c = contribution.data();
    for (int o : keptOut) {
      float first = c.get(o * plane);
      for (int p = 1; p < plane; p++) {
        if (Float.floatToRawIntBits(c.get(o * plane + p)) != Float.floatToRawIntBits(first)) {
          return false;
        }
      }
    }
    return true;
  }

  /** The kept filters {@code [keptOut, keptIn, kh, kw]} of {@code weight [out, in, kh, kw]}. */
  private static Tensor filters(Tensor weight, int channels, int[] keptOut, int[] keptIn) {
    int kh = weight.size(2);
    int kw = weight.size(3);
    int window = kh * kw;
    Tensor t = Tensor.zeros(keptOut.length, keptIn.length, kh, kw);
    FloatBuffer w = weight.data();
    FloatBuffer out = t.data();
    for (int k = 0; k < keptOut.length; k++) {
      for (int j = 0; j < keptIn.length; j++) {
        int from = (keptOut[k] * channels + keptIn[j]) * window;
        int to = (k * keptIn.length + j) * window;
        for (int e = 0; e < window; e++) {
          out.put(to + e, w.get(from + e));
        }
      }
    }
    return t;
  }

  private static int[] withOut(int[] conv, int out) {
    int[] c = conv.clone();
    c[0] = out;
    return c;
  }
}
