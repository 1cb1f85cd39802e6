package dev.kiln.runtime.pruning;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.runtime.optim.Optimizer;
import dev.kiln.runtime.optim.ParameterKind;
import dev.kiln.runtime.optim.ParameterSet;
import dev.kiln.runtime.optim.SgdOptimizer;
import dev.kiln.runtime.pruning.MagnitudePruner.Scope;
import dev.kiln.runtime.pruning.MagnitudePruner.Structure;
import dev.kiln.runtime.tensor.SplitMix64;
import dev.kiln.runtime.tensor.Tensor;
import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * {@link MagnitudePruner} on a convolution weight {@code [out, in, kh, kw]}: unstructured pruning
 * counts single kernel weights and leaves the bias alone; {@code NEURONS} prunes whole output
 * channels (filter and bias, their gradients and momentum) by the filter's L2 norm, as {@code
 * prune.ln_structured(conv, 'weight', amount, n=2, dim=0)}.
 */
class ConvolutionPruningTest {
  private static final int OUT = 6;
  private static final int IN = 3;
  private static final int K = 3;
  private static final PruningSchedule SCHEDULE = new PruningSchedule(0, 0.5, 0, 6, 2);

  private final Tensor weight = Tensor.zeros(OUT, IN, K, K);
  private final Tensor bias = Tensor.zeros(OUT);
  private final Tensor weightGrad = Tensor.zeros(OUT, IN, K, K);
  private final Tensor biasGrad = Tensor.zeros(OUT);
  private final ParameterSet set = ParameterSet.builder()
      .add("conv.weight", "conv", ParameterKind.WEIGHT, weight, weightGrad)
      .add("conv.bias", "conv", ParameterKind.BIAS, bias, biasGrad).build();
  private final SplitMix64 rng = new SplitMix64(5);

  ConvolutionPruningTest() {
    fill(weight, 0.5);
    fill(bias, 0.5);
  }

  private void fill(Tensor t, double scale) {
    for (int i = 0; i < t.length(); i++) {
      t.set(i, (float) (scale * rng.nextGaussian()));
    }
  }

  private MagnitudePruner pruner(Structure structure, Optimizer optimizer) {
    return MagnitudePruner.builder(SCHEDULE, Scope.PER_LAYER, structure)
        .addConvolution("conv", "conv.weight", weight, weightGrad, "conv.bias", bias, biasGrad,
            Double.NaN)
        .optimizerState(optimizer.state()).build();
  }

  @Test
  void neuronsPruneWholeFiltersWithTheirBias() {
    Optimizer optimizer = new SgdOptimizer(set, 0.9, 0, false);
    MagnitudePruner pruner = pruner(Structure.NEURONS, optimizer);
    assertThat(pruner.mask(0).array().shape()).isEqualTo(new long[] {OUT, IN, K, K});
    Tensor momentumOfBias = optimizer.state().entrySet().stream()
        .filter(e -> e.getKey().startsWith("conv.bias.")).findFirst().orElseThrow().getValue();
    for (long t = 0; t < 10; t++) {
      fill(weightGrad, 1);
      fill(biasGrad, 1);
      pruner.maskGradients(t);
      optimizer.update(0.05);
      int[] expected = pruner.schedule(0).updatesAt(t) ? smallestFilters(t) : null;
      pruner.afterUpdate(t);
      float[] mask = pruner.mask(0).toFloatArray();
      int filter = IN * K * K;
      int prunedChannels = 0;
      for (int o = 0; o < OUT; o++) {
        float first = mask[o * filter];
        for (int e = 0; e < filter; e++) {
          assertWithMessage("step %s: channel %s is pruned whole or not at all", t, o)
              .that(mask[o * filter + e]).isEqualTo(first);
        }
        if (first == 0f) {
          prunedChannels++;
          assertWithMessage("step %s: bias of pruned channel %s", t, o)
              .that(Float.floatToRawIntBits(bias.get(o))).isEqualTo(0);
          assertWithMessage("step %s: bias momentum of pruned channel %s", t, o)
              .that(Float.floatToRawIntBits(momentumOfBias.get(o))).isEqualTo(0);
          for (int e = 0; e < filter; e++) {
            assertThat(Float.floatToRawIntBits(weight.get(o * filter + e))).isEqualTo(0);
          }
        } else {
          assertWithMessage("step %s: bias of kept channel %s", t, o).that(bias.get(o))
              .isNotEqualTo(0f);
        }
      }
      if (expected != null) {
        for (int o : expected) {
          assertWithMessage("step %s: smallest-norm channel %s pruned", t, o)
              .that(mask[o * filter]).isEqualTo(0f);
        }
        assertThat(prunedChannels).isEqualTo(expected.length);
      }
      if (t >= 6) {
        assertThat(prunedChannels).isEqualTo(OUT / 2);
      }
    }
    fill(biasGrad, 1);
    pruner.maskGradients(10);
    float[] mask = pruner.mask(0).toFloatArray();
    for (int o = 0; o < OUT; o++) {
      if (mask[o * IN * K * K] == 0f) {
        assertWithMessage("bias gradient of pruned channel %s", o).that(biasGrad.get(o))
            .isEqualTo(0f);
      }
    }
    assertThat(pruner.sparsity().get("conv")).isEqualTo(0.5);
  }

  /**
   * The channels the schedule prunes at step {@code t}: those already pruned, then the smallest
   * L2 norms of the current (updated, not yet masked) filters.
   */
  private int[] smallestFilters(long t) {
    int filter = IN * K * K;
    double[] norms = new double[OUT];
    for (int o = 0; o < OUT; o++) {
      double sum = 0;
      for (int e = 0; e < filter; e++) {
        sum += (double) weight.get(o * filter + e) * weight.get(o * filter + e);
      }
      // a pruned filter is all zeros: norm 0 ranks it first, as the pruner ranks pruned units
      norms[o] = Math.sqrt(sum);
    }
    int count = Pruning.count(SCHEDULE.held(t), OUT);
    return IntStream.range(0, OUT).boxed()
        .sorted(Comparator.comparingDouble((Integer o) -> norms[o]))
        .limit(count).mapToInt(Integer::intValue).toArray();
  }

  @Test
  void unstructuredPrunesKernelWeightsAndKeepsTheBias() {
    Optimizer optimizer = new SgdOptimizer(set, 0.9, 0, false);
    MagnitudePruner pruner = pruner(Structure.UNSTRUCTURED, optimizer);
    float[] biasBefore = null;
    for (long t = 0; t < 8; t++) {
      fill(weightGrad, 1);
      fill(biasGrad, 1);
      pruner.maskGradients(t);
      optimizer.update(0.05);
      biasBefore = bias.toFloatArray();
      pruner.afterUpdate(t);
      assertWithMessage("step %s: biases are not pruned", t).that(bias.toFloatArray())
          .isEqualTo(biasBefore);
    }
    float[] mask = pruner.mask(0).toFloatArray();
    long zeros = IntStream.range(0, mask.length).filter(i -> mask[i] == 0f).count();
    assertThat(zeros).isEqualTo(Pruning.count(0.5, OUT * IN * K * K));
    // some channel keeps part of its filter: entries, not channels, were ranked
    boolean partial = IntStream.range(0, OUT).anyMatch(o -> {
      float[] f = Arrays.copyOfRange(mask, o * IN * K * K, (o + 1) * IN * K * K);
      float sum = 0;
      for (float v : f) {
        sum += v;
      }
      return sum > 0 && sum < f.length;
    });
    assertThat(partial).isTrue();
  }

  @Test
  void badShapesAreRefused() {
    MagnitudePruner.Builder b = MagnitudePruner.builder(SCHEDULE, Scope.PER_LAYER,
        Structure.NEURONS);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> b.addConvolution("c", "c.weight", Tensor.zeros(4, 3), null, "c.bias", null, null,
            Double.NaN));
    assertThat(e).hasMessageThat().contains("expected a 4-d [out, in, kh, kw] weight");
    e = assertThrows(IllegalArgumentException.class,
        () -> b.addConvolution("c", "c.weight", Tensor.zeros(4, 3, 2, 2), null, "c.bias",
            Tensor.zeros(3), null, Double.NaN));
    assertThat(e).hasMessageThat().contains("expected 4 entries (one per output channel)");
    e = assertThrows(IllegalArgumentException.class,
        () -> b.add("c", "c.weight", Tensor.zeros(4, 3, 2), null));
    assertThat(e).hasMessageThat().contains("expected a 2-d [in, out] or 4-d");
  }
}
