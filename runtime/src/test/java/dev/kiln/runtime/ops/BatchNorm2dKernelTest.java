package dev.kiln.runtime.ops;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.kiln.runtime.tensor.Tensor;
import dev.kiln.runtime.testing.Golden;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * {@link BatchNorm2dKernel} against {@code batchnorm.json}'s {@code batchnorm2d} (PyTorch's
 * BatchNorm2d on NCHW, statistics over N·H·W): three consecutive training passes (output, running
 * statistics after each, gradients of each), then the eval output with the running statistics of
 * pass 3; once with separate tensors, once in place ({@code y == x}, {@code dx == dy}) on tensors
 * with extra samples of NaN after the batch.
 */
class BatchNorm2dKernelTest {
  private static final OpsGolden GOLDEN = new OpsGolden("batchnorm.json batchnorm2d");

  @AfterAll
  static void summary() {
    System.out.println(GOLDEN.summary());
  }

  @Test
  void batchNorm2dMatchesPyTorch() {
    run(false, 0);
  }

  @Test
  void batchNorm2dInPlaceOnPaddedBatchMatchesPyTorch() {
    run(true, 2);
  }

  private static void run(boolean inPlace, int extra) {
    JsonObject bn = Golden.load("batchnorm.json").getAsJsonObject("batchnorm2d");
    assertThat(bn.get("input_layout").getAsString()).isEqualTo("NCHW");
    String module = bn.get("module").getAsString();
    assertThat(module).contains("affine=True");
    assertThat(module).contains("track_running_stats=True");
    double eps = OpsGolden.moduleArg(module, "eps");
    double momentum = OpsGolden.moduleArg(module, "momentum");
    Tensor gamma = OpsGolden.tensor(bn.get("weight_init"));
    Tensor beta = OpsGolden.tensor(bn.get("bias_init"));
    Tensor runningMean = OpsGolden.tensor(bn.get("running_mean_init"));
    Tensor runningVar = OpsGolden.tensor(bn.get("running_var_init"));
    int c = gamma.length();
    JsonArray passes = bn.getAsJsonArray("passes");
    assertThat(passes.size()).isAtLeast(1);
    long[] shape = Golden.shape(passes.get(0).getAsJsonObject().get("input"));
    assertThat(shape).hasLength(4);
    assertThat(shape[1]).isEqualTo(c);
    BatchNorm2dKernel kernel = new BatchNorm2dKernel(c, (int) shape[2], (int) shape[3], momentum,
        eps);
    float fill = extra > 0 ? Float.NaN : 0f;
    for (int p = 0; p < passes.size(); p++) {
      JsonObject pass = passes.get(p).getAsJsonObject();
      String at = (inPlace ? "in-place " : "") + "pass " + (p + 1) + " ";
      assertThat(Golden.shape(pass.get("input"))).isEqualTo(shape);
      assertThat(pass.get("num_batches_tracked_after").getAsLong()).isEqualTo(p + 1);
      int n = (int) shape[0];
      Tensor x = OpsGolden.padded(pass.get("input"), extra, fill);
      Tensor xhat = OpsGolden.zerosLike(pass.get("input"), extra);
      Tensor y = inPlace ? x : OpsGolden.zerosLike(pass.get("input"), extra);
      kernel.forwardTrain(x, n, gamma, beta, runningMean, runningVar, xhat, y);
      GOLDEN.check(at + "output", y, pass.get("output"));
      GOLDEN.check(at + "running_mean", runningMean, pass.get("running_mean_after"));
      GOLDEN.check(at + "running_var", runningVar, pass.get("running_var_after"));

      Tensor dy = OpsGolden.padded(pass.get("upstream_grad"), extra, fill);
      Tensor dx = inPlace ? dy : OpsGolden.zerosLike(pass.get("input"), extra);
      Tensor gammaGrad = Tensor.zeros(c);
      Tensor betaGrad = Tensor.zeros(c);
      kernel.backward(dy, xhat, n, gamma, gammaGrad, betaGrad, dx);
      GOLDEN.check(at + "grad_input", dx, pass.get("grad_input"));
      GOLDEN.check(at + "grad_weight", gammaGrad, pass.get("grad_weight"));
      GOLDEN.check(at + "grad_bias", betaGrad, pass.get("grad_bias"));
    }
    JsonObject eval = bn.getAsJsonObject("eval");
    int n = (int) Golden.shape(eval.get("input"))[0];
    Tensor x = OpsGolden.padded(eval.get("input"), extra, fill);
    Tensor y = inPlace ? x : OpsGolden.zerosLike(eval.get("input"), extra);
    float[] meanBefore = runningMean.toFloatArray();
    float[] varBefore = runningVar.toFloatArray();
    kernel.forwardEval(x, n, gamma, beta, runningMean, runningVar, y);
    GOLDEN.check((inPlace ? "in-place " : "") + "eval output", y, eval.get("output"));
    assertThat(runningMean.toFloatArray()).isEqualTo(meanBefore);
    assertThat(runningVar.toFloatArray()).isEqualTo(varBefore);
  }

  @Test
  void trainingNeedsTwoValuesPerChannel() {
    BatchNorm2dKernel kernel = new BatchNorm2dKernel(3, 1, 1, 0.1, 1e-5);
    Tensor t = Tensor.zeros(4, 3, 1, 1);
    Tensor g = Tensor.zeros(3);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> kernel.forwardTrain(t, 1, g, g, g, g, t, t));
    assertThat(e).hasMessageThat().contains("at least 2 values per channel");
    // One sample of a 1x2 plane is enough (two values per channel), as in PyTorch.
    new BatchNorm2dKernel(3, 1, 2, 0.1, 1e-5).forwardTrain(Tensor.zeros(1, 3, 1, 2), 1, g, g, g,
        g, Tensor.zeros(1, 3, 1, 2), Tensor.zeros(1, 3, 1, 2));
  }

  @Test
  void tooSmallTensorIsRefusedBeforeAnyWrite() {
    BatchNorm2dKernel kernel = new BatchNorm2dKernel(2, 3, 3, 0.1, 1e-5);
    Tensor x = Tensor.zeros(2, 2, 3, 3);
    Tensor small = Tensor.zeros(2, 2, 3, 2);
    Tensor g = Tensor.zeros(2);
    Tensor rm = Tensor.zeros(2);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> kernel.forwardTrain(x, 2, g, g, rm, g, x, small));
    assertThat(e).hasMessageThat().contains("y has 24 elements; 36 needed");
  }
}
