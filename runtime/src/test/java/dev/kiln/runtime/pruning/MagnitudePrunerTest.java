package dev.kiln.runtime.pruning;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.runtime.optim.AdamOptimizer;
import dev.kiln.runtime.optim.Optimizer;
import dev.kiln.runtime.optim.ParameterKind;
import dev.kiln.runtime.optim.ParameterSet;
import dev.kiln.runtime.optim.RmsPropOptimizer;
import dev.kiln.runtime.optim.SgdOptimizer;
import dev.kiln.runtime.tensor.SplitMix64;
import dev.kiln.runtime.tensor.Tensor;
import dev.kiln.runtime.pruning.MagnitudePruner.Scope;
import dev.kiln.runtime.pruning.MagnitudePruner.Structure;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;

/**
 * {@link MagnitudePruner} over a {@link ParameterSet} driven by random gradients, as a trainer
 * drives it: masks follow the schedule and the selection rule (checked against a sort-based
 * reference), pruned weights, their gradients and every optimizer buffer of theirs (SGD momentum,
 * Adam's moments, RMSprop's averages) are exactly +0.0 after every step, masks only grow, and the
 * step allocates nothing.
 */
class MagnitudePrunerTest {
  private static final PruningSchedule SCHEDULE = new PruningSchedule(0.1, 0.8, 3, 30, 4);

  /** Two dense layers with biases, as a trainer's parameter set. */
  private static final class Net {
    final Tensor w1 = Tensor.zeros(12, 10);
    final Tensor b1 = Tensor.zeros(10);
    final Tensor w2 = Tensor.zeros(10, 6);
    final Tensor b2 = Tensor.zeros(6);
    final Tensor g1 = Tensor.zeros(12, 10);
    final Tensor gb1 = Tensor.zeros(10);
    final Tensor g2 = Tensor.zeros(10, 6);
    final Tensor gb2 = Tensor.zeros(6);
    final ParameterSet set;

    Net(long seed) {
      SplitMix64 rng = new SplitMix64(seed);
      for (Tensor t : new Tensor[] {w1, b1, w2, b2}) {
        fill(t, rng, 0.5);
      }
      set = ParameterSet.builder()
          .add("a.weight", "a", ParameterKind.WEIGHT, w1, g1)
          .add("a.bias", "a", ParameterKind.BIAS, b1, gb1)
          .add("b.weight", "b", ParameterKind.WEIGHT, w2, g2)
          .add("b.bias", "b", ParameterKind.BIAS, b2, gb2)
          .build();
    }

    MagnitudePruner pruner(Scope scope, Structure structure, Optimizer optimizer,
        double firstLayerTarget) {
      return MagnitudePruner.builder(SCHEDULE, scope, structure)
          .add("a", "a.weight", w1, g1, firstLayerTarget)
          .add("b", "b.weight", w2, g2)
          .optimizerState(optimizer.state()).build();
    }
  }

  private static void fill(Tensor t, SplitMix64 rng, double scale) {
    for (int i = 0; i < t.length(); i++) {
      t.set(i, (float) (scale * rng.nextGaussian()));
    }
  }

  @Test
  void sgdMomentumCannotRevivePrunedWeights() {
    train(set -> new SgdOptimizer(set, 0.9, 0, false), Scope.GLOBAL, Structure.UNSTRUCTURED,
        Double.NaN);
  }

  @Test
  void adamMomentsOfPrunedWeightsStayZero() {
    train(set -> new AdamOptimizer(set, 0.9, 0.999, 1e-8, true, null), Scope.PER_LAYER,
        Structure.UNSTRUCTURED, 0.5);
  }

  @Test
  void rmsPropBuffersOfPrunedUnitsStayZero() {
    train(set -> new RmsPropOptimizer(set, 0.99, 1e-8, 0.9, true, null), Scope.PER_LAYER,
        Structure.NEURONS, Double.NaN);
  }

  @Test
  void globalNeuronsRankUnitsOfAllLayersTogether() {
    train(set -> new SgdOptimizer(set, 0.9, 0, true), Scope.GLOBAL, Structure.NEURONS,
        Double.NaN);
  }

  private static void train(Function<ParameterSet, Optimizer> make, Scope scope,
      Structure structure, double firstLayerTarget) {
    Net net = new Net(42);
    Optimizer optimizer = make.apply(net.set);
    MagnitudePruner pruner = net.pruner(scope, structure, optimizer, firstLayerTarget);
    Tensor[] weights = {net.w1, net.w2};
    List<List<Tensor>> states = new ArrayList<>();
    for (String name : new String[] {"a.weight", "b.weight"}) {
      List<Tensor> own = new ArrayList<>();
      optimizer.state().forEach((k, v) -> {
        if (k.startsWith(name + ".")) {
          own.add(v);
        }
      });
      assertWithMessage("optimizer state of %s", name).that(own).isNotEmpty();
      states.add(own);
    }
    SplitMix64 rng = new SplitMix64(9);
    float[][] previous = {pruner.mask(0).toFloatArray(), pruner.mask(1).toFloatArray()};
    for (long t = 0; t < 45; t++) {
      for (Tensor g : net.set.gradients()) {
        fill(g, rng, 1.0);
      }
      pruner.maskGradients(t);
      optimizer.update(0.05);
      float[][] expectedMasks = pruner.schedule(0).updatesAt(t)
          ? reference(pruner, weights, scope, structure, t) : null;
      pruner.afterUpdate(t);
      for (int i = 0; i < 2; i++) {
        float[] mask = pruner.mask(i).toFloatArray();
        if (expectedMasks != null) {
          assertWithMessage("step %s: mask %s as the sort-based reference", t, i)
              .that(mask).isEqualTo(expectedMasks[i]);
        }
        for (int e = 0; e < mask.length; e++) {
          assertWithMessage("step %s: masks only grow (%s[%s])", t, i, e)
              .that(mask[e] <= previous[i][e]).isTrue();
          if (mask[e] == 0f) {
            assertWithMessage("step %s: pruned weight %s[%s] is +0.0", t, i, e)
                .that(Float.floatToRawIntBits(weights[i].get(e))).isEqualTo(0);
            for (Tensor s : states.get(i)) {
              assertWithMessage("step %s: optimizer state of pruned %s[%s]", t, i, e)
                  .that(Float.floatToRawIntBits(s.get(e))).isEqualTo(0);
            }
          }
        }
        previous[i] = mask;
      }
      if (t >= SCHEDULE.beginStep()) {
        // the next backward's gradients are masked before clipping
        fill(net.g1, rng, 1.0);
        pruner.maskGradients(t + 1);
        float[] m = pruner.mask(0).toFloatArray();
        for (int e = 0; e < m.length; e++) {
          if (m[e] == 0f) {
            assertThat(net.g1.get(e)).isEqualTo(0f);
          }
        }
      }
      checkSparsity(pruner, scope, structure, t);
    }
    assertThat(pruner.overallSparsity()).isGreaterThan(0.5);
  }

  private static void checkSparsity(MagnitudePruner pruner, Scope scope, Structure structure,
      long t) {
    if (t < SCHEDULE.beginStep()) {
      assertThat(pruner.overallSparsity()).isEqualTo(0.0);
      return;
    }
    if (scope == Scope.PER_LAYER) {
      for (int i = 0; i < pruner.size(); i++) {
        Tensor m = pruner.mask(i);
        int count = structure == Structure.NEURONS ? m.size(1) : m.length();
        double expected = (double) Pruning.count(pruner.schedule(i).held(t), count) / count;
        assertWithMessage("step %s: sparsity of %s", t, pruner.layer(i))
            .that(pruner.sparsity(i)).isWithin(1e-12).of(expected);
        assertThat(pruner.sparsity().get(pruner.layer(i))).isEqualTo(pruner.sparsity(i));
      }
    } else if (structure == Structure.UNSTRUCTURED) {
      int total = pruner.mask(0).length() + pruner.mask(1).length();
      assertThat(pruner.overallSparsity()).isWithin(1e-12)
          .of((double) Pruning.count(SCHEDULE.held(t), total) / total);
    } else {
      int units = pruner.mask(0).size(1) + pruner.mask(1).size(1);
      int prunedUnits = 0;
      for (int i = 0; i < 2; i++) {
        prunedUnits += (int) Math.round(pruner.sparsity(i) * pruner.mask(i).size(1));
      }
      assertThat(prunedUnits).isEqualTo(Pruning.count(SCHEDULE.held(t), units));
    }
  }

  /** The masks the rule gives, by a stable sort of (already pruned first, key, position). */
  private static float[][] reference(MagnitudePruner pruner, Tensor[] weights, Scope scope,
      Structure structure, long t) {
    record Key(int tensor, int index, double key) {}
    List<List<Key>> groups = new ArrayList<>();
    List<Key> all = new ArrayList<>();
    for (int i = 0; i < weights.length; i++) {
      List<Key> keys = new ArrayList<>();
      Tensor w = weights[i];
      Tensor m = pruner.mask(i);
      int rows = w.size(0);
      int cols = w.size(1);
      if (structure == Structure.NEURONS) {
        for (int j = 0; j < cols; j++) {
          double sum = 0;
          for (int r = 0; r < rows; r++) {
            sum += (double) w.get(r * cols + j) * w.get(r * cols + j);
          }
          keys.add(new Key(i, j, m.get(j) == 0f ? -1 : Math.sqrt(sum)));
        }
      } else {
        for (int e = 0; e < w.length(); e++) {
          keys.add(new Key(i, e, m.get(e) == 0f ? -1 : Math.abs(w.get(e))));
        }
      }
      groups.add(keys);
      all.addAll(keys);
    }
    if (scope == Scope.GLOBAL) {
      groups = List.of(all);
    }
    float[][] masks = new float[weights.length][];
    for (int i = 0; i < weights.length; i++) {
      masks[i] = new float[weights[i].length()];
      java.util.Arrays.fill(masks[i], 1f);
    }
    for (int g = 0; g < groups.size(); g++) {
      List<Key> keys = new ArrayList<>(groups.get(g));
      double target = pruner.schedule(scope == Scope.GLOBAL ? 0 : g).held(t);
      int k = Pruning.count(target, keys.size());
      keys.sort(Comparator.comparingDouble(Key::key));
      for (Key key : keys.subList(0, k)) {
        int cols = weights[key.tensor()].size(1);
        if (structure == Structure.NEURONS) {
          for (int r = 0; r < weights[key.tensor()].size(0); r++) {
            masks[key.tensor()][r * cols + key.index()] = 0f;
          }
        } else {
          masks[key.tensor()][key.index()] = 0f;
        }
      }
    }
    return masks;
  }

  @Test
  void trainingStepWithPruningAllocatesNothing() {
    Tensor w1 = Tensor.zeros(300, 128);
    Tensor w2 = Tensor.zeros(128, 10);
    Tensor g1 = Tensor.zeros(300, 128);
    Tensor g2 = Tensor.zeros(128, 10);
    SplitMix64 rng = new SplitMix64(1);
    for (Tensor t : new Tensor[] {w1, w2, g1, g2}) {
      fill(t, rng, 0.1);
    }
    ParameterSet set = ParameterSet.builder()
        .add("a.weight", "a", ParameterKind.WEIGHT, w1, g1)
        .add("b.weight", "b", ParameterKind.WEIGHT, w2, g2).build();
    SgdOptimizer sgd = new SgdOptimizer(set, 0.9, 0, false);
    for (Structure structure : Structure.values()) {
      for (Scope scope : Scope.values()) {
        PruningSchedule every = new PruningSchedule(0, 0.9, 0, 100_000, 1);
        MagnitudePruner p = MagnitudePruner.builder(every, scope, structure)
            .add("a", "a.weight", w1, g1).add("b", "b.weight", w2, g2)
            .optimizerState(sgd.state()).build();
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (long t = 0; t < 20; t++) {
          p.maskGradients(t);
          p.afterUpdate(t);
        }
        int calls = 100;
        long nativeBefore = Pointer.totalBytes();
        long before = threads.getCurrentThreadAllocatedBytes();
        long start = System.nanoTime();
        for (long t = 20; t < 20 + calls; t++) {
          p.maskGradients(t);
          p.afterUpdate(t); // a mask update at every step: ranking included
        }
        double perCall = (double) (threads.getCurrentThreadAllocatedBytes() - before) / calls;
        System.out.printf(Locale.ROOT, "[allocation] pruner %s %s with a mask update per step:"
                + " %.2f heap bytes/step, %.0f µs/step%n", scope, structure, perCall,
            (System.nanoTime() - start) / 1e3 / calls);
        assertWithMessage("%s %s heap bytes per step", scope, structure).that(perCall)
            .isLessThan(64.0);
        assertThat(Pointer.totalBytes() - nativeBefore).isAtMost(0L);
      }
    }
  }

  @Test
  void masksAreReportedByParameterName() {
    Net net = new Net(1);
    SgdOptimizer sgd = new SgdOptimizer(net.set, 0, 0, false);
    MagnitudePruner p = net.pruner(Scope.PER_LAYER, Structure.UNSTRUCTURED, sgd, 0.3);
    Map<String, Tensor> masks = p.masks();
    assertThat(masks.keySet()).containsExactly("a.weight", "b.weight").inOrder();
    assertThat(p.sparsity().keySet()).containsExactly("a", "b").inOrder();
    assertThat(p.schedule(0).finalSparsity()).isEqualTo(0.3);
    assertThat(p.schedule(1).finalSparsity()).isEqualTo(SCHEDULE.finalSparsity());
  }

  @Test
  void builderRejectsWhatCannotBePruned() {
    Net net = new Net(1);
    assertThrows(IllegalArgumentException.class, () -> MagnitudePruner.builder(SCHEDULE,
        Scope.PER_LAYER, Structure.UNSTRUCTURED).build());
    assertThrows(IllegalArgumentException.class, () -> MagnitudePruner.builder(SCHEDULE,
        Scope.GLOBAL, Structure.UNSTRUCTURED).add("a", "a.weight", net.w1, net.g1, 0.5));
    assertThrows(IllegalArgumentException.class, () -> MagnitudePruner.builder(SCHEDULE,
        Scope.GLOBAL, Structure.UNSTRUCTURED).add("a", "a.bias", net.b1, net.gb1));
    assertThrows(IllegalArgumentException.class, () -> MagnitudePruner.builder(SCHEDULE,
        Scope.GLOBAL, Structure.UNSTRUCTURED).add("a", "a.weight", net.w1, net.g2));
  }
}
