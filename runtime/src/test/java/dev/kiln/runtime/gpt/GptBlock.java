package dev.kiln.runtime.gpt;

import dev.kiln.runtime.ops.Dense;
import dev.kiln.runtime.ops.Gelu;
import dev.kiln.runtime.ops.LayerNorm;
import dev.kiln.runtime.ops.Residuals;
import dev.kiln.runtime.ops.SelfAttention;
import dev.kiln.runtime.optim.ParameterKind;
import dev.kiln.runtime.optim.ParameterSet;
import dev.kiln.runtime.tensor.Tensor;

/**
 * One pre-LayerNorm decoder block on {@code [n, t, D]}: {@code mid = x + attention(ln1(x))}, {@code
 * out = mid + down(gelu(up(ln2(mid))))}, with its parameters, their gradients and the activations
 * its backward pass reads, all allocated here for {@code batch} samples of {@code context}
 * positions. Forward and backward allocate nothing.
 */
final class GptBlock {
  private final GptConfig config;
  private final String prefix;
  final Tensor ln1Gamma;
  final Tensor ln1Beta;
  final Tensor ln2Gamma;
  final Tensor ln2Beta;
  final Tensor upWeight;
  final Tensor upBias;
  final Tensor downWeight;
  final Tensor downBias;
  final SelfAttention.Parameters attention;
  private final Tensor ln1GammaGrad;
  private final Tensor ln1BetaGrad;
  private final Tensor ln2GammaGrad;
  private final Tensor ln2BetaGrad;
  private final Tensor upWeightGrad;
  private final Tensor upBiasGrad;
  private final Tensor downWeightGrad;
  private final Tensor downBiasGrad;
  private final SelfAttention.Parameters attentionGrad;

  private final LayerNorm ln1;
  private final LayerNorm ln2;
  private final SelfAttention selfAttention;
  private final Tensor ln1Out;
  private final Tensor ln1Mean;
  private final Tensor ln1Rstd;
  private final Tensor ln2Out;
  private final Tensor ln2Mean;
  private final Tensor ln2Rstd;
  private final Tensor upOut;
  private final Tensor geluOut;
  /** The residual stream after the attention half, {@code [batch, context, D]}. */
  private final Tensor mid;
  /** The block's output, {@code [batch, context, D]}. */
  final Tensor out;

  GptBlock(GptConfig config, int batch, int index) {
    this.config = config;
    this.prefix = "blocks." + index + ".";
    int d = config.width();
    int h = config.hidden();
    long rows = (long) batch * config.context();
    ln1Gamma = Tensor.alignedZeros(d);
    ln1Beta = Tensor.alignedZeros(d);
    ln2Gamma = Tensor.alignedZeros(d);
    ln2Beta = Tensor.alignedZeros(d);
    upWeight = Tensor.alignedZeros(d, h);
    upBias = Tensor.alignedZeros(h);
    downWeight = Tensor.alignedZeros(h, d);
    downBias = Tensor.alignedZeros(d);
    attention = projections(d, config.attentionBias());
    ln1GammaGrad = Tensor.alignedZeros(d);
    ln1BetaGrad = Tensor.alignedZeros(d);
    ln2GammaGrad = Tensor.alignedZeros(d);
    ln2BetaGrad = Tensor.alignedZeros(d);
    upWeightGrad = Tensor.alignedZeros(d, h);
    upBiasGrad = Tensor.alignedZeros(h);
    downWeightGrad = Tensor.alignedZeros(h, d);
    downBiasGrad = Tensor.alignedZeros(d);
    attentionGrad = projections(d, config.attentionBias());
    ln1 = new LayerNorm(d, 1e-5);
    ln2 = new LayerNorm(d, 1e-5);
    selfAttention = new SelfAttention(batch, config.context(), d, config.heads(), true);
    ln1Out = Tensor.alignedZeros(rows, d);
    ln1Mean = Tensor.alignedZeros(rows);
    ln1Rstd = Tensor.alignedZeros(rows);
    ln2Out = Tensor.alignedZeros(rows, d);
    ln2Mean = Tensor.alignedZeros(rows);
    ln2Rstd = Tensor.alignedZeros(rows);
    upOut = Tensor.alignedZeros(rows, h);
    geluOut = Tensor.alignedZeros(rows, h);
    mid = Tensor.alignedZeros(rows, d);
    out = Tensor.alignedZeros(rows, d);
  }

  private static SelfAttention.Parameters projections(int d, boolean bias) {
    return new SelfAttention.Parameters(Tensor.alignedZeros(d, d),
        bias ? Tensor.alignedZeros(d) : null, Tensor.alignedZeros(d, d),
        bias ? Tensor.alignedZeros(d) : null, Tensor.alignedZeros(d, d),
        bias ? Tensor.alignedZeros(d) : null, Tensor.alignedZeros(d, d),
        bias ? Tensor.alignedZeros(d) : null);
  }

  /** Adds the block's parameters, named as {@code gpt_trajectory.json}'s {@code param_order}. */
  void addTo(ParameterSet.Builder set) {
    add(set, "ln1.gamma", ParameterKind.GAMMA, ln1Gamma, ln1GammaGrad);
    add(set, "ln1.beta", ParameterKind.BETA, ln1Beta, ln1BetaGrad);
    SelfAttention.Parameters p = attention;
    SelfAttention.Parameters g = attentionGrad;
    addProjection(set, "query", p.queryWeight(), g.queryWeight(), p.queryBias(), g.queryBias());
    addProjection(set, "key", p.keyWeight(), g.keyWeight(), p.keyBias(), g.keyBias());
    addProjection(set, "value", p.valueWeight(), g.valueWeight(), p.valueBias(), g.valueBias());
    addProjection(set, "output", p.outputWeight(), g.outputWeight(), p.outputBias(),
        g.outputBias());
    add(set, "ln2.gamma", ParameterKind.GAMMA, ln2Gamma, ln2GammaGrad);
    add(set, "ln2.beta", ParameterKind.BETA, ln2Beta, ln2BetaGrad);
    add(set, "up.W", ParameterKind.WEIGHT, upWeight, upWeightGrad);
    add(set, "up.b", ParameterKind.BIAS, upBias, upBiasGrad);
    add(set, "down.W", ParameterKind.WEIGHT, downWeight, downWeightGrad);
    add(set, "down.b", ParameterKind.BIAS, downBias, downBiasGrad);
  }

  private void addProjection(ParameterSet.Builder set, String name, Tensor w, Tensor wGrad,
      Tensor b, Tensor bGrad) {
    add(set, "attn." + name + ".W", ParameterKind.WEIGHT, w, wGrad);
    if (b != null) {
      add(set, "attn." + name + ".b", ParameterKind.BIAS, b, bGrad);
    }
  }

  private void add(ParameterSet.Builder set, String name, ParameterKind kind, Tensor value,
      Tensor gradient) {
    set.add(prefix + name, prefix + name.substring(0, name.lastIndexOf('.')), kind, value,
        gradient);
  }

  /**
   * {@code out = mid + down(gelu(up(ln2(mid))))} with {@code mid = x + attention(ln1(x))}.
   *
   * @param x the block input {@code [n, t, D]}
   * @param scratch {@code [n, t, D]} scratch, apart from every buffer of the block
   */
  void forward(Tensor x, int n, int t, Tensor scratch) {
    int rows = n * t;
    int d = config.width();
    int h = config.hidden();
    ln1.forward(x, rows, ln1Gamma, ln1Beta, ln1Mean, ln1Rstd, ln1Out);
    selfAttention.forward(ln1Out, n, t, attention, scratch);
    Residuals.add(x, scratch, mid, rows * d);
    ln2.forward(mid, rows, ln2Gamma, ln2Beta, ln2Mean, ln2Rstd, ln2Out);
    Dense.forward(ln2Out, rows, d, upWeight, upBias, h, upOut);
    Gelu.forward(upOut, geluOut, rows * h, config.gelu());
    Dense.forward(geluOut, rows, h, downWeight, downBias, d, scratch);
    Residuals.add(mid, scratch, out, rows * d);
  }

  /**
   * Gradients of {@link #forward} (after it, with the same {@code x, n, t}): every parameter
   * gradient overwritten.
   *
   * @param x the forward input
   * @param stream on entry the gradient with respect to {@code out}; on return the gradient with
   *     respect to {@code x}
   * @param scratch {@code [n, t, D]} scratch
   * @param hiddenScratch {@code [n, t, hidden]} scratch
   */
  void backward(Tensor x, Tensor stream, int n, int t, Tensor scratch, Tensor hiddenScratch) {
    int rows = n * t;
    int d = config.width();
    int h = config.hidden();
    Dense.backward(geluOut, stream, rows, h, downWeight, d, downWeightGrad, downBiasGrad,
        hiddenScratch);
    Gelu.backward(upOut, geluOut, hiddenScratch, hiddenScratch, rows * h, config.gelu());
    Dense.backward(ln2Out, hiddenScratch, rows, d, upWeight, h, upWeightGrad, upBiasGrad,
        scratch);
    ln2.backward(mid, scratch, rows, ln2Gamma, ln2Mean, ln2Rstd, scratch, ln2GammaGrad,
        ln2BetaGrad);
    Residuals.accumulate(scratch, stream, rows * d);
    selfAttention.backward(ln1Out, stream, n, t, attention, attentionGrad, scratch);
    ln1.backward(x, scratch, rows, ln1Gamma, ln1Mean, ln1Rstd, scratch, ln1GammaGrad,
        ln1BetaGrad);
    Residuals.accumulate(scratch, stream, rows * d);
  }
}
