package dev.kiln.runtime.ops;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;
import static dev.kiln.runtime.ops.Fixtures.assertClose;
import static dev.kiln.runtime.ops.Fixtures.block;
import static dev.kiln.runtime.ops.Fixtures.tensor;

import com.google.gson.JsonObject;
import dev.kiln.runtime.tensor.Tensor;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link Gelu} against {@code transformer.json}'s {@code gelu} blocks, and {@link Erf}. */
class GeluTest {
  @Test
  void bothFormsMatchPyTorch() {
    JsonObject gelu = block("gelu");
    assertThat(gelu.keySet()).containsAtLeast("none", "tanh");
    for (Map.Entry<String, com.google.gson.JsonElement> form : gelu.entrySet()) {
      JsonObject g = form.getValue().getAsJsonObject();
      Gelu.Approximation approximation =
          Gelu.Approximation.valueOf(form.getKey().toUpperCase(Locale.ROOT));
      assertThat(g.get("module").getAsString()).contains("'" + form.getKey() + "'");
      String at = "gelu " + form.getKey() + " ";
      Tensor x = tensor(g.get("input"));
      int count = x.length();
      Tensor y = Tensor.zeros(count);
      Gelu.forward(x, y, count, approximation);
      assertClose(at + "output", y, g.get("output"));
      Tensor dy = tensor(g.get("upstream_grad"));
      Tensor dx = Tensor.zeros(count);
      Gelu.backward(x, dy, dx, count, approximation);
      assertClose(at + "grad_input", dx, g.get("grad_input"));
      Tensor dxFromOutput = Tensor.zeros(count);
      Gelu.backward(x, y, dy, dxFromOutput, count, approximation);
      assertClose(at + "grad_input from the output", dxFromOutput, g.get("grad_input"));

      // In place: y over x, dx over dy.
      Tensor inPlace = tensor(g.get("input"));
      Gelu.forward(inPlace, inPlace, count, approximation);
      assertClose(at + "output in place", inPlace, g.get("output"));
      Gelu.backward(x, dy, dy, count, approximation);
      assertClose(at + "grad_input in place", dy, g.get("grad_input"));
    }
  }

  /**
   * The one-exponential {@code Φ} used by the exact form: against {@link Erf}'s on [-5, 20] (where
   * {@code 1 + erf} does not cancel), and in the far negative tail against {@code erfc(-x/√2)/2}
   * from Python's {@code math.erfc}.
   */
  @Test
  void fastNormalCdfIsAccurateInBothTails() {
    double worst = 0;
    for (double x = -5; x <= 20; x += 1.0 / 1024) {
      double exact = Gelu.normalCdf(x);
      worst = Math.max(worst, Math.abs(Gelu.cdf(x) - exact) / exact);
    }
    double[][] tail = {{-6, 9.865876450377012e-10}, {-10, 7.619853024160593e-24},
        {-15, 3.6709661993128594e-51}, {-20, 2.7536241186063314e-89}};
    for (double[] p : tail) {
      worst = Math.max(worst, Math.abs(Gelu.cdf(p[0]) - p[1]) / p[1]);
    }
    assertThat(worst).isLessThan(1.2e-7);
    assertThat(Gelu.cdf(0)).isWithin(1e-7).of(0.5);
  }

  /** The two forms differ by more than the tolerance on this input: the file tells them apart. */
  @Test
  void theFormsAreDistinguishable() {
    JsonObject gelu = block("gelu");
    Tensor x = tensor(gelu.getAsJsonObject("none").get("input"));
    Tensor y = Tensor.zeros(x.length());
    Gelu.forward(x, y, x.length(), Gelu.Approximation.TANH);
    double[] exact = dev.kiln.runtime.testing.Golden.doubles(
        gelu.getAsJsonObject("none").get("output"));
    double worst = 0;
    for (int i = 0; i < exact.length; i++) {
      worst = Math.max(worst, Math.abs(y.get(i) - exact[i]) / (1e-6 + 1e-5 * Math.abs(exact[i])));
    }
    assertThat(worst).isGreaterThan(1.0);
  }

  /** Far in the tails both forms saturate cleanly: no NaN from an overflowing exponential. */
  @Test
  void tailsAreFinite() {
    float[] values = {-200f, -30f, -9f, 9f, 30f, 200f};
    Tensor x = Tensor.zeros(values.length);
    x.setFrom(values);
    Tensor y = Tensor.zeros(values.length);
    Tensor ones = Tensor.zeros(values.length);
    ones.fill(1f);
    Tensor dx = Tensor.zeros(values.length);
    for (Gelu.Approximation a : Gelu.Approximation.values()) {
      Gelu.forward(x, y, values.length, a);
      Gelu.backward(x, ones, dx, values.length, a);
      Tensor dxFromOutput = Tensor.zeros(values.length);
      Gelu.backward(x, y, ones, dxFromOutput, values.length, a);
      for (int i = 0; i < values.length; i++) {
        assertWithMessage("%s gelu'(%s) from the output", a, values[i])
            .that((double) dxFromOutput.get(i)).isWithin(1e-6).of(dx.get(i));
        float expectedY = values[i] > 0 ? values[i] : 0f;
        float expectedSlope = values[i] > 0 ? 1f : 0f;
        assertWithMessage("%s gelu(%s)", a, values[i]).that((double) y.get(i))
            .isWithin(1e-6).of(expectedY);
        assertWithMessage("%s gelu'(%s)", a, values[i]).that((double) dx.get(i))
            .isWithin(1e-6).of(expectedSlope);
      }
    }
  }

  /** Reference values: glibc's {@code erf} (through Python's {@code math.erf}), itself < 1 ulp. */
  private static final double[][] ERF = {
    {1e-30, 1.1283791670955127e-30}, {1e-09, 1.1283791670955127e-09},
    {0.1, 0.1124629160182849}, {0.5, 0.5204998778130465}, {0.84, 0.7651427114549946},
    {0.85, 0.7706680576083526}, {1.0, 0.8427007929497149}, {1.2, 0.9103139782296353},
    {1.3, 0.9340079449406524}, {2.0, 0.9953222650189527}, {2.5, 0.999593047982555},
    {2.86, 0.9999475988269556}, {3.5, 0.9999992569016276}, {5.0, 0.9999999999984626},
    {5.9, 0.9999999999999999}, {6.5, 1.0}, {-0.3, -0.3286267594591274},
    {-1.1, -0.8802050695740817}, {-2.7, -0.9998656672600594}, {-4.0, -0.9999999845827421},
  };

  @Test
  void erfMatchesReferenceToDoublePrecision() {
    for (double[] c : ERF) {
      double got = Erf.erf(c[0]);
      assertWithMessage("erf(%s)", c[0]).that(Math.abs(got - c[1]))
          .isAtMost(4 * Math.ulp(c[1]));
    }
    assertThat(Erf.erf(0.0)).isEqualTo(0.0);
    assertThat(Erf.erf(Double.POSITIVE_INFINITY)).isEqualTo(1.0);
    assertThat(Erf.erf(Double.NEGATIVE_INFINITY)).isEqualTo(-1.0);
    assertThat(Erf.erf(Double.NaN)).isNaN();
    // Odd, and monotone across the approximation intervals' seams.
    double previous = -1;
    for (double x = -7; x <= 7; x += 1.0 / 1024) {
      double e = Erf.erf(x);
      assertWithMessage("erf odd at %s", x).that(Erf.erf(-x)).isEqualTo(-e);
      assertWithMessage("erf monotone at %s", x).that(e).isAtLeast(previous);
      previous = e;
    }
  }
}
