package dev.kiln.runtime.optim;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.runtime.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Issue 18, item 5: {@link Optimizer#updateChecked} refuses an update that would overflow to an
 * infinity (finite learning rate, finite gradients), undoing it; ordinary updates are bitwise
 * those of {@link Optimizer#update}, and the check runs only when the bound requires it.
 */
class UpdateGuardTest {
  private static ParameterSet set(float w0, float g0) {
    Tensor w = Tensor.zeros(4);
    Tensor g = Tensor.zeros(4);
    for (int i = 0; i < 4; i++) {
      w.data().put(i, w0 * (i + 1));
      g.data().put(i, g0);
    }
    return ParameterSet.builder().add("hidden.weight", "hidden", ParameterKind.WEIGHT, w, g)
        .build();
  }

  private static float[] values(ParameterSet p) {
    return p.value(0).toFloatArray();
  }

  @Test
  void anOverflowingUpdateIsRefusedAndUndone() {
    ParameterSet p = set(-1e38f, 1f); // w down to -4e38 would be: -inf in float
    SgdOptimizer sgd = new SgdOptimizer(p, 0.9, 0, false);
    float[] before = values(p);
    NonFiniteUpdateException e = assertThrows(NonFiniteUpdateException.class,
        () -> sgd.updateChecked(3e38, 2, 0, 0));
    assertThat(e.layer()).isEqualTo("hidden");
    assertThat(e.tensor()).isEqualTo("parameter hidden.weight");
    assertThat(e.step()).isEqualTo(0);
    assertThat(Float.isInfinite(e.value())).isTrue();
    assertThat(values(p)).isEqualTo(before);
    assertThat(sgd.steps()).isEqualTo(0);
    assertThat(sgd.state().get("hidden.weight.momentum_buffer").toFloatArray())
        .isEqualTo(new float[4]);
  }

  @Test
  void adamsSecondMomentOverflowIsRefused() {
    ParameterSet p = set(1f, 3e21f); // (1 − β2)·g² = 9e39 overflows exp_avg_sq
    AdamOptimizer adam = new AdamOptimizer(p, 0.9, 0.999, 1e-8, false, null);
    NonFiniteUpdateException e = assertThrows(NonFiniteUpdateException.class,
        () -> adam.updateChecked(1e-3, 3e21, 0, 0));
    assertThat(e.tensor()).isEqualTo("optimizer buffer hidden.weight.exp_avg_sq");
    assertThat(adam.steps()).isEqualTo(0);
    assertThat(values(p)).isEqualTo(values(set(1f, 0)));
  }

  @Test
  void ordinaryUpdatesAreBitwiseTheSameAndUnchecked() {
    ParameterSet a = set(0.5f, 0.25f);
    ParameterSet b = set(0.5f, 0.25f);
    SgdOptimizer checked = new SgdOptimizer(a, 0.9, 0, true);
    SgdOptimizer plain = new SgdOptimizer(b, 0.9, 0, true);
    for (int i = 0; i < 10; i++) {
      checked.updateChecked(0.1, 0.5, 0, 0);
      plain.update(0.1);
    }
    assertThat(values(a)).isEqualTo(values(b));
    assertThat(checked.guardedUpdates()).isEqualTo(0);

    // A bound above the threshold with finite results: checked, accepted, bitwise the same.
    ParameterSet c = set(1e29f, 1f);
    ParameterSet d = set(1e29f, 1f);
    SgdOptimizer big = new SgdOptimizer(c, 0, 0, false);
    new SgdOptimizer(d, 0, 0, false).update(1e5);
    big.updateChecked(1e5, 1e26, 0, 0);
    assertThat(big.guardedUpdates()).isEqualTo(1);
    assertThat(values(c)).isEqualTo(values(d));
  }
}
