package dev.kiln.runtime.pruning;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.runtime.tensor.SplitMix64;
import dev.kiln.runtime.tensor.Tensor;
import dev.kiln.runtime.pruning.CompactNetwork.Activation;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@link CompactNetwork}: removing the units a mask prunes whole gives the same eval-mode outputs
 * as the masked full network (the same builder without masks, which removes nothing), with
 * physically smaller layers, through batch norm, a sigmoid (whose constant output of a removed
 * unit must be folded into the next bias), an activation-only layer, and a save/load round trip.
 */
class CompactNetworkTest {
  private static final int INPUTS = 9;

  /** The parts of a full network 9 → 8 (BN, sigmoid) → 7 (leaky ReLU) → (tanh) → 3. */
  private static final class Full {
    final Tensor w1 = Tensor.zeros(INPUTS, 8);
    final Tensor b1 = Tensor.zeros(8);
    final Tensor gamma = Tensor.zeros(8);
    final Tensor beta = Tensor.zeros(8);
    final Tensor mean = Tensor.zeros(8);
    final Tensor var = Tensor.zeros(8);
    final Tensor w2 = Tensor.zeros(8, 7);
    final Tensor b2 = Tensor.zeros(7);
    final Tensor w3 = Tensor.zeros(7, 3);
    final Tensor b3 = Tensor.zeros(3);
    final Tensor m1 = ones(INPUTS, 8);
    final Tensor m2 = ones(8, 7);

    Full(long seed, int[] pruned1, int[] pruned2) {
      SplitMix64 rng = new SplitMix64(seed);
      for (Tensor t : new Tensor[] {w1, b1, gamma, beta, mean, w2, b2, w3, b3}) {
        for (int i = 0; i < t.length(); i++) {
          t.set(i, (float) rng.nextGaussian());
        }
      }
      for (int i = 0; i < var.length(); i++) {
        var.set(i, (float) (0.5 + rng.nextDouble()));
      }
      prune(w1, m1, pruned1);
      prune(w2, m2, pruned2);
    }

    private static void prune(Tensor w, Tensor m, int[] units) {
      int rows = w.size(0);
      int cols = w.size(1);
      for (int j : units) {
        for (int r = 0; r < rows; r++) {
          w.set(r * cols + j, 0f);
          m.set(r * cols + j, 0f);
        }
      }
    }

    CompactNetwork build(boolean masked) {
      return CompactNetwork.builder(INPUTS)
          .layer("hidden1", 8).dense(w1, b1, masked ? m1 : null)
          .batchNorm(gamma, beta, mean, var, 1e-5).activation(Activation.SIGMOID, 0f)
          .layer("hidden2", 7).dense(w2, b2, masked ? m2 : null)
          .activation(Activation.LEAKY_RELU, 0.1f)
          .layer("squash", 7).activation(Activation.TANH, 0f)
          .layer("logits", 3).dense(w3, b3, null)
          .build();
    }
  }

  private static Tensor ones(int rows, int cols) {
    Tensor t = Tensor.zeros(rows, cols);
    t.fill(1f);
    return t;
  }

  private static INDArray features(int n) {
    SplitMix64 rng = new SplitMix64(77);
    INDArray x = Nd4j.create(DataType.FLOAT, n, INPUTS);
    for (int r = 0; r < n; r++) {
      for (int c = 0; c < INPUTS; c++) {
        x.putScalar(r, c, (float) rng.nextGaussian());
      }
    }
    return x;
  }

  private static void assertClose(INDArray actual, INDArray expected) {
    assertThat(actual.shape()).isEqualTo(expected.shape());
    float[] a = actual.data().asFloat();
    float[] e = expected.data().asFloat();
    for (int i = 0; i < a.length; i++) {
      assertThat((double) a[i]).isWithin(1e-5 + 1e-5 * Math.abs(e[i])).of(e[i]);
    }
  }

  @Test
  void removedUnitsLeaveTheOutputsUnchanged() {
    Full full = new Full(5, new int[] {1, 4, 6}, new int[] {0, 3});
    CompactNetwork reference = full.build(false);
    CompactNetwork compact = full.build(true);
    assertThat(reference.widths()).isEqualTo(new int[] {8, 7, 7, 3});
    assertThat(compact.widths()).isEqualTo(new int[] {5, 5, 5, 3});
    assertThat(compact.layerNames()).containsExactly("hidden1", "hidden2", "squash", "logits")
        .inOrder();
    assertThat(compact.parameterCount()).isLessThan(reference.parameterCount());
    INDArray x = features(17);
    INDArray expected = reference.predict(x);
    assertClose(compact.predict(x), expected);
    // the folded constants matter: a sigmoid of a removed unit is not 0
    assertThat(expected.sub(new Full(5, new int[] {}, new int[] {}).build(false).predict(x))
        .norm2Number().doubleValue()).isGreaterThan(0.0);
  }

  @Test
  void withoutPrunedUnitsNothingIsRemoved() {
    Full full = new Full(6, new int[] {}, new int[] {});
    CompactNetwork compact = full.build(true);
    assertThat(compact.widths()).isEqualTo(new int[] {8, 7, 7, 3});
    INDArray x = features(4);
    assertThat(compact.predict(x)).isEqualTo(full.build(false).predict(x));
  }

  @Test
  void saveAndLoadGiveTheSameNetwork(@TempDir Path dir) throws Exception {
    Full full = new Full(7, new int[] {2}, new int[] {1, 5, 6});
    CompactNetwork compact = full.build(true);
    Path file = dir.resolve("compact.kiln");
    compact.save(file);
    assertThat(Files.size(file)).isGreaterThan(0L);
    CompactNetwork loaded = CompactNetwork.load(file);
    assertThat(loaded.widths()).isEqualTo(compact.widths());
    assertThat(loaded.inputs()).isEqualTo(INPUTS);
    INDArray x = features(6);
    assertThat(loaded.predict(x)).isEqualTo(compact.predict(x));
  }

  @Test
  void refusesInconsistentMasks() {
    Full live = new Full(8, new int[] {3}, new int[] {});
    live.w1.set(2 * 8 + 3, 0.5f); // a pruned unit with a live weight
    assertThrows(IllegalStateException.class, () -> live.build(true));
    Full empty = new Full(8, new int[] {0, 1, 2, 3, 4, 5, 6, 7}, new int[] {});
    assertThrows(IllegalStateException.class, () -> empty.build(true));
    Full out = new Full(8, new int[] {}, new int[] {});
    Tensor mask = ones(7, 3);
    for (int r = 0; r < 7; r++) {
      mask.set(r * 3 + 1, 0f);
      out.w3.set(r * 3 + 1, 0f);
    }
    assertThrows(IllegalStateException.class, () -> CompactNetwork.builder(INPUTS)
        .layer("a", 8).dense(out.w1, out.b1, null).layer("b", 7).dense(out.w2, out.b2, null)
        .layer("c", 3).dense(out.w3, out.b3, mask).build());
    assertThrows(IllegalArgumentException.class, () -> CompactNetwork.builder(INPUTS)
        .layer("a", 5).dense(out.w1, out.b1, null).build());
  }

  /** Both GELU forms run the kernel the generated networks use (identity weights isolate it). */
  @Test
  void geluFormsAreTheTrainingKernels() {
    for (Activation f : new Activation[] {Activation.GELU, Activation.GELU_TANH}) {
      Tensor w = Tensor.zeros(3, 3);
      w.setFrom(new float[] {1, 0, 0, 0, 1, 0, 0, 0, 1});
      CompactNetwork net = CompactNetwork.builder(3).layer("g", 3)
          .dense(w, Tensor.zeros(3), null).activation(f, 0f).build();
      INDArray x = Nd4j.create(new float[] {-2.5f, 0.3f, 1.7f}, new long[] {1, 3}, 'c');
      Tensor in = Tensor.zeros(3);
      in.setFrom(new float[] {-2.5f, 0.3f, 1.7f});
      Tensor expected = Tensor.zeros(3);
      dev.kiln.runtime.ops.Gelu.forward(in, expected, 3, f == Activation.GELU
          ? dev.kiln.runtime.ops.Gelu.Approximation.NONE
          : dev.kiln.runtime.ops.Gelu.Approximation.TANH);
      assertThat(net.predict(x).data().asFloat()).isEqualTo(expected.toFloatArray());
    }
  }
}
