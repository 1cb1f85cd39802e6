package dev.kiln.runtime.ops;

import dev.kiln.runtime.tensor.Tensor;
import dev.kiln.runtime.testing.GoldenCheck;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;
import static dev.kiln.runtime.testing.GoldenTensors.expected;
import static dev.kiln.runtime.testing.GoldenTensors.head;
import static dev.kiln.runtime.testing.GoldenTensors.padded;
import static dev.kiln.runtime.testing.GoldenTensors.tensor;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.kiln.runtime.testing.Golden;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * {@link BatchNormKernel} against {@code batchnorm.json}'s {@code batchnorm1d} (PyTorch's
 * BatchNorm1d on {@code [N, C]}): three consecutive training passes, checking the output, the
 * running statistics after each pass and the gradients of each pass, then the eval-mode output with
 * the running statistics of pass 3.
 *
 * <p>{@code batchnorm2d} (NCHW, statistics over N·H·W) is not checked: the kernel normalises the
 * rows of {@code [n, C]} only, and has no spatial layout yet.
 */
class BatchNormKernelTest {
  private static final GoldenCheck GOLDEN = new GoldenCheck("batchnorm.json batchnorm1d");
  private static final double RTOL = Golden.RTOL_F32;
  private static final double ATOL = Golden.ATOL_F32;

  @AfterAll
  static void summary() {
    System.out.println(GOLDEN.summary());
  }

  /** A keyword argument {@code name=value} of the module's constructor call, as recorded. */
  private static double moduleArg(String module, String name) {
    Matcher m = Pattern.compile("\\b" + name + "=([-+0-9.eE]+)").matcher(module);
    assertWithMessage("%s in %s", name, module).that(m.find()).isTrue();
    return Double.parseDouble(m.group(1));
  }

  @Test
  void batchNorm1dMatchesPyTorch() {
    runGolden(false, 0);
  }

  /**
   * The same with the in-place forms the kernel allows ({@code y == x}, {@code dx == dy}) and
   * tensors sized for a larger batch whose extra rows hold NaN: only the first {@code n} rows may be
   * read, and the statistics must not see the padding.
   */
  @Test
  void batchNorm1dInPlaceOnPaddedBatchMatchesPyTorch() {
    runGolden(true, 3);
  }

  private static void runGolden(boolean inPlace, int extraRows) {
    JsonObject bn = Golden.load("batchnorm.json").getAsJsonObject("batchnorm1d");
    assertThat(bn.get("input_layout").getAsString()).isEqualTo("NC");
    String module = bn.get("module").getAsString();
    assertThat(module).contains("affine=True");
    assertThat(module).contains("track_running_stats=True");
    double eps = moduleArg(module, "eps");
    double momentum = moduleArg(module, "momentum");

    Tensor gamma = tensor(bn.get("weight_init"));
    Tensor beta = tensor(bn.get("bias_init"));
    Tensor runningMean = tensor(bn.get("running_mean_init"));
    Tensor runningVar = tensor(bn.get("running_var_init"));
    int c = gamma.length();
    BatchNormKernel kernel = new BatchNormKernel(c, momentum, eps);

    JsonArray passes = bn.getAsJsonArray("passes");
    assertThat(passes.size()).isAtLeast(1);
    for (int p = 0; p < passes.size(); p++) {
      JsonObject pass = passes.get(p).getAsJsonObject();
      String at = (inPlace ? "in-place " : "") + "pass " + (p + 1) + " ";
      long[] shape = Golden.shape(pass.get("input"));
      assertThat(shape).hasLength(2);
      assertThat(shape[1]).isEqualTo(c);
      int n = (int) shape[0];
      int count = n * c;
      // the passes are consecutive calls on one module; the kernel does not count them itself
      assertThat(pass.get("num_batches_tracked_after").getAsLong()).isEqualTo(p + 1);

      Tensor x = padded(pass.get("input"), extraRows, Float.NaN);
      Tensor xhat = Tensor.zeros(n + extraRows, c);
      Tensor y = inPlace ? x : Tensor.zeros(n + extraRows, c);
      kernel.forwardTrain(x, n, gamma, beta, runningMean, runningVar, xhat, y);
      GOLDEN.check(at + "output", head(y, count), expected(pass.get("output")), RTOL, ATOL);
      GOLDEN.check(at + "running_mean", runningMean.toFloatArray(),
          expected(pass.get("running_mean_after")), RTOL, ATOL);
      GOLDEN.check(at + "running_var", runningVar.toFloatArray(),
          expected(pass.get("running_var_after")), RTOL, ATOL);

      Tensor dy = padded(pass.get("upstream_grad"), extraRows, Float.NaN);
      Tensor gammaGrad = Tensor.zeros(c);
      Tensor betaGrad = Tensor.zeros(c);
      Tensor dx = inPlace ? dy : Tensor.zeros(n + extraRows, c);
      kernel.backward(dy, xhat, n, gamma, gammaGrad, betaGrad, dx);
      GOLDEN.check(at + "grad_input", head(dx, count), expected(pass.get("grad_input")), RTOL,
          ATOL);
      GOLDEN.check(at + "grad_weight", gammaGrad.toFloatArray(), expected(pass.get("grad_weight")),
          RTOL, ATOL);
      GOLDEN.check(at + "grad_bias", betaGrad.toFloatArray(), expected(pass.get("grad_bias")),
          RTOL, ATOL);
      // gamma and beta are never updated between passes; the kernel must not touch them either
      GOLDEN.check(at + "gamma unchanged", gamma.toFloatArray(), expected(bn.get("weight_init")),
          0, 0);
      GOLDEN.check(at + "beta unchanged", beta.toFloatArray(), expected(bn.get("bias_init")), 0, 0);
    }

    JsonObject eval = bn.getAsJsonObject("eval");
    long[] shape = Golden.shape(eval.get("input"));
    int n = (int) shape[0];
    Tensor x = padded(eval.get("input"), extraRows, Float.NaN);
    Tensor y = inPlace ? x : Tensor.zeros(n + extraRows, c);
    float[] meanBefore = runningMean.toFloatArray();
    float[] varBefore = runningVar.toFloatArray();
    BatchNormKernel.forwardEval(x, n, c, eps, gamma, beta, runningMean, runningVar, y);
    GOLDEN.check((inPlace ? "in-place " : "") + "eval output", head(y, n * c),
        expected(eval.get("output")), RTOL, ATOL);
    assertThat(runningMean.toFloatArray()).isEqualTo(meanBefore);
    assertThat(runningVar.toFloatArray()).isEqualTo(varBefore);
  }

  @Test
  void trainingNeedsTwoSamples() {
    BatchNormKernel kernel = new BatchNormKernel(3, 0.1, 1e-5);
    Tensor t = Tensor.zeros(4, 3);
    Tensor g = Tensor.zeros(3);
    assertThrows(IllegalArgumentException.class,
        () -> kernel.forwardTrain(t, 1, g, g, g, g, t, t));
  }
}
