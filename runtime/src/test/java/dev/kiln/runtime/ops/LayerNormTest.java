package dev.kiln.runtime.ops;

import static com.google.common.truth.Truth.assertThat;
import static dev.kiln.runtime.ops.Fixtures.assertClose;
import static dev.kiln.runtime.ops.Fixtures.block;
import static dev.kiln.runtime.ops.Fixtures.padded;
import static dev.kiln.runtime.ops.Fixtures.tensor;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.gson.JsonObject;
import dev.kiln.runtime.tensor.Tensor;
import dev.kiln.runtime.testing.Golden;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@link LayerNorm} against {@code transformer.json}'s {@code layernorm} block (nn.LayerNorm). */
class LayerNormTest {
  /** The module's epsilon, as recorded in its constructor call ({@code eps=1e-5}). */
  private static double epsilon(JsonObject block) {
    Matcher m = Pattern.compile("\\beps=([-+0-9.eE]+)").matcher(block.get("module").getAsString());
    assertThat(m.find()).isTrue();
    return Double.parseDouble(m.group(1));
  }

  @Test
  void matchesPyTorch() {
    run(false, 0);
  }

  /**
   * In place ({@code y == x}, {@code dx == dy}) on buffers with NaN beyond the rows used: only the
   * first {@code rows} rows may be read.
   */
  @Test
  void inPlaceOnPaddedBuffersMatchesPyTorch() {
    run(true, 3);
  }

  private static void run(boolean inPlace, int extraRows) {
    JsonObject ln = block("layernorm");
    long[] shape = Golden.shape(ln.get("input"));
    int d = (int) shape[shape.length - 1];
    int rows = (int) (Golden.doubles(ln.get("input")).length / d);
    assertThat(Golden.shape(ln.get("gamma"))).isEqualTo(new long[] {d});
    int capacity = (rows + extraRows) * d;
    LayerNorm kernel = new LayerNorm(d, epsilon(ln));
    Tensor x = padded(ln.get("input"), capacity, Float.NaN);
    Tensor xCopy = padded(ln.get("input"), capacity, Float.NaN);
    Tensor gamma = tensor(ln.get("gamma"));
    Tensor beta = tensor(ln.get("beta"));
    Tensor mean = Tensor.zeros(rows + extraRows);
    Tensor rstd = Tensor.zeros(rows + extraRows);
    Tensor y = inPlace ? x : Tensor.zeros(capacity);
    String at = inPlace ? "layernorm in place " : "layernorm ";

    kernel.forward(x, rows, gamma, beta, mean, rstd, y);
    assertClose(at + "output", y, ln.get("output"));

    Tensor dy = padded(ln.get("upstream_grad"), capacity, Float.NaN);
    Tensor dx = inPlace ? dy : Tensor.zeros(capacity);
    Tensor dGamma = Tensor.zeros(d);
    Tensor dBeta = Tensor.zeros(d);
    dGamma.fill(Float.NaN); // overwritten, not accumulated
    kernel.backward(xCopy, dy, rows, gamma, mean, rstd, dx, dGamma, dBeta);
    assertClose(at + "grad_input", dx, ln.get("grad_input"));
    assertClose(at + "grad_gamma", dGamma, ln.get("grad_gamma"));
    assertClose(at + "grad_beta", dBeta, ln.get("grad_beta"));
  }

  @Test
  void parameterGradientsWithoutInputGradient() {
    JsonObject ln = block("layernorm");
    int d = Fixtures.dim(ln.get("gamma"), 0);
    int rows = Golden.doubles(ln.get("input")).length / d;
    LayerNorm kernel = new LayerNorm(d, epsilon(ln));
    Tensor x = tensor(ln.get("input"));
    Tensor mean = Tensor.zeros(rows);
    Tensor rstd = Tensor.zeros(rows);
    kernel.forward(x, rows, tensor(ln.get("gamma")), tensor(ln.get("beta")), mean, rstd,
        Tensor.zeros(rows * d));
    Tensor dGamma = Tensor.zeros(d);
    Tensor dBeta = Tensor.zeros(d);
    kernel.backward(x, tensor(ln.get("upstream_grad")), rows, tensor(ln.get("gamma")), mean, rstd,
        null, dGamma, dBeta);
    assertClose("layernorm (no dx) grad_gamma", dGamma, ln.get("grad_gamma"));
  }

  @Test
  void refusesBadArguments() {
    assertThat(assertThrows(IllegalArgumentException.class, () -> new LayerNorm(0, 1e-5))
        .getMessage()).contains("features >= 1");
    assertThat(assertThrows(IllegalArgumentException.class, () -> new LayerNorm(4, 0))
        .getMessage()).contains("epsilon");
    LayerNorm kernel = new LayerNorm(4, 1e-5);
    Tensor x = Tensor.zeros(2, 4);
    Tensor y = Tensor.zeros(2, 4);
    y.fill(7f);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> kernel.forward(x, 3, Tensor.zeros(4), Tensor.zeros(4), Tensor.zeros(3),
            Tensor.zeros(3), y));
    assertThat(e.getMessage()).isEqualTo("layer norm: x has 8 elements; 12 needed");
    assertThat(y.get(0)).isEqualTo(7f);
    assertThat(assertThrows(IllegalArgumentException.class,
        () -> kernel.forward(x, 2, Tensor.zeros(3), Tensor.zeros(4), Tensor.zeros(2),
            Tensor.zeros(2), y)).getMessage()).contains("gamma has 3 elements; 4 needed");
  }
}
