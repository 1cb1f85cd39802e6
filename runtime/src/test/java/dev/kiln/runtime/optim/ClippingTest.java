package dev.kiln.runtime.optim;

import static com.google.common.truth.Truth.assertThat;

import dev.kiln.runtime.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The infinity, L1 and L2 norms of {@link GradientClipper} (what trainers call) propagate a NaN
 * wherever it is, as {@code torch.nn.utils.clip_grad_norm_} does: a later, larger value must not
 * hide it. The golden {@code clip_grad_norm_} results are checked through the same clipper in
 * {@link GradientClipperTest}.
 */
class ClippingTest {
  @Test
  void everyNormPropagatesNaNAtAnyPosition() {
    for (int position = 0; position < 4; position++) {
      for (double normType : new double[] {Double.POSITIVE_INFINITY, 2, 1}) {
        for (boolean nanFirst : new boolean[] {true, false}) {
          Tensor a = Tensor.zeros(4);
          a.setFrom(new float[] {0.5f, -2f, 1f, 0.25f});
          a.set(position, Float.NaN);
          Tensor b = Tensor.zeros(2);
          b.setFrom(new float[] {3f, -1f});
          ParameterSet.Builder set = ParameterSet.builder();
          for (Tensor g : nanFirst ? new Tensor[] {a, b} : new Tensor[] {b, a}) {
            set.add("p" + g.length(), "layer", ParameterKind.WEIGHT, Tensor.zeros(g.length()), g);
          }
          GradientClipper clipper = GradientClipper.byNorm(set.build(), 1.0, normType,
              GradientClipper.Scope.GLOBAL);
          assertThat(clipper.measure()).isNaN();
        }
      }
    }
  }
}
