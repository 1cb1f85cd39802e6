package dev.kiln.runtime.pruning;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.runtime.tensor.SplitMix64;
import dev.kiln.runtime.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@link CompactNetwork} on images against a naive reference written here: a padded convolution
 * (3 filters, one pruned whole, its bias kept so its constant output reaches the dense layer
 * through the flatten), sigmoid, and a dense layer; the compact network drops the channel and the
 * dense rows of its 16 flattened inputs and predicts the same. A pruned channel with a nonzero
 * weight, and a layer with every channel pruned, are refused.
 */
class CompactImageNetworkTest {
  private static final int C = 2;
  private static final int H = 4;
  private static final int W = 4;
  private static final int OUT = 3;

  private final Tensor weight = Tensor.zeros(OUT, C, 3, 3);
  private final Tensor bias = Tensor.zeros(OUT);
  private final Tensor mask = Tensor.zeros(OUT, C, 3, 3);
  private final Tensor dense = Tensor.zeros(OUT * H * W, 2);
  private final Tensor denseBias = Tensor.zeros(2);

  CompactImageNetworkTest() {
    SplitMix64 rng = new SplitMix64(3);
    for (Tensor t : new Tensor[] {weight, bias, dense, denseBias}) {
      for (int i = 0; i < t.length(); i++) {
        t.set(i, (float) rng.nextGaussian());
      }
    }
    mask.fill(1f);
    int filter = C * 9;
    for (int e = 0; e < filter; e++) {
      mask.set(filter + e, 0f); // channel 1 pruned whole; its bias stays
      weight.set(filter + e, 0f);
    }
  }

  private CompactNetwork.Builder builder() {
    return CompactNetwork.builder(C, H, W)
        .layer("conv", OUT * H * W).conv2d(weight, bias, mask, 3, 3, 1, 1, 1, 1)
        .activation(CompactNetwork.Activation.SIGMOID, 0f)
        .layer("logits", 2).dense(dense, denseBias, null);
  }

  /** The masked network, by definition: loops over NCHW. */
  private float[] reference(float[] x, int n) {
    float[] out = new float[n * 2];
    for (int s = 0; s < n; s++) {
      double[] hidden = new double[OUT * H * W];
      for (int o = 0; o < OUT; o++) {
        for (int h = 0; h < H; h++) {
          for (int w = 0; w < W; w++) {
            double sum = bias.get(o);
            for (int c = 0; c < C; c++) {
              for (int i = 0; i < 3; i++) {
                for (int j = 0; j < 3; j++) {
                  int y = h + i - 1;
                  int z = w + j - 1;
                  if (y >= 0 && y < H && z >= 0 && z < W) {
                    sum += weight.get(((o * C + c) * 3 + i) * 3 + j)
                        * x[((s * C + c) * H + y) * W + z];
                  }
                }
              }
            }
            hidden[(o * H + h) * W + w] = 1 / (1 + Math.exp(-sum));
          }
        }
      }
      for (int k = 0; k < 2; k++) {
        double sum = denseBias.get(k);
        for (int i = 0; i < hidden.length; i++) {
          sum += hidden[i] * dense.get(i * 2 + k);
        }
        out[s * 2 + k] = (float) sum;
      }
    }
    return out;
  }

  @Test
  void removesThePrunedChannelAndPredictsAsTheReference() {
    CompactNetwork compact = builder().build();
    assertThat(compact.widths()).isEqualTo(new int[] {2 * H * W, 2});
    // conv 2·2·9 + 2, dense 32·2 + 2
    assertThat(compact.parameterCount()).isEqualTo(2 * C * 9 + 2 + 2 * H * W * 2 + 2);
    Nd4j.getRandom().setSeed(8);
    INDArray x = Nd4j.rand(DataType.FLOAT, 5, C, H, W).subi(0.5).muli(4);
    float[] expected = reference(x.data().asFloat(), 5);
    float[] actual = compact.predict(x).data().asFloat();
    for (int i = 0; i < expected.length; i++) {
      assertWithMessage("output %s", i).that((double) actual[i])
          .isWithin(1e-5 + 1e-5 * Math.abs(expected[i])).of(expected[i]);
    }
  }

  @Test
  void refusesANonzeroPrunedWeightAndAnAllPrunedLayer() {
    weight.set(C * 9 + 4, 0.5f);
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> builder().build());
    assertThat(e).hasMessageThat().contains("conv: channel 1 is pruned but its weight 4 is 0.5");
    weight.set(C * 9 + 4, 0f);
    for (int i = 0; i < mask.length(); i++) {
      mask.set(i, 0f);
      weight.set(i, 0f);
    }
    e = assertThrows(IllegalStateException.class, () -> builder().build());
    assertThat(e).hasMessageThat().contains("every channel of layer conv is pruned");
  }
}
