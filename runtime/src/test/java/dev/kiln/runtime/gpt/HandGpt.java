package dev.kiln.runtime.gpt;

import dev.kiln.runtime.ops.Dense;
import dev.kiln.runtime.ops.Embedding;
import dev.kiln.runtime.ops.LayerNorm;
import dev.kiln.runtime.ops.SequenceCrossEntropy;
import dev.kiln.runtime.optim.AdamOptimizer;
import dev.kiln.runtime.optim.GradientClipper;
import dev.kiln.runtime.optim.ParameterKind;
import dev.kiln.runtime.optim.ParameterSet;
import dev.kiln.runtime.schedule.CosineDecaySchedule;
import dev.kiln.runtime.schedule.LearningRateSchedule;
import dev.kiln.runtime.schedule.WarmupSchedule;
import dev.kiln.runtime.tensor.SplitMix64;
import dev.kiln.runtime.tensor.Tensor;

/**
 * A hand-written GPT trainer on the runtime's sequence kernels: the step a generated trainer of a
 * {@code @Model(vocabulary, context)} decoder will do, written out once to prove that the kernels
 * compose (checked against {@code gpt_trajectory.json}) and to measure it. Forward: {@code x =
 * tokens[ids] + positions[0..t-1]}, the {@link GptBlock}s, {@code logits = ln_f(x)·head.W}; the
 * mean softmax cross-entropy over all {@code n·t} positions; backward; the global L2 norm of every
 * gradient (recorded), clipping to {@code maxNorm}; AdamW with decay on weights and embeddings
 * only; warm-up then cosine. Every buffer is allocated in the constructor; a step allocates
 * nothing. Not safe for use by two threads at once.
 */
public final class HandGpt {
  private final GptConfig config;
  private final int batch;
  private final Tensor tokens;
  private final Tensor positions;
  private final Tensor lnfGamma;
  private final Tensor lnfBeta;
  private final Tensor head;
  private final Tensor tokensGrad;
  private final Tensor positionsGrad;
  private final Tensor lnfGammaGrad;
  private final Tensor lnfBetaGrad;
  private final Tensor headGrad;
  private final GptBlock[] blocks;
  private final LayerNorm lnf;
  private final Tensor embedded;
  private final Tensor lnfOut;
  private final Tensor lnfMean;
  private final Tensor lnfRstd;
  private final Tensor logits;
  private final Tensor logitsGrad;
  private final Tensor stream;
  private final Tensor scratch;
  private final Tensor hiddenScratch;
  private final ParameterSet parameters;
  private final AdamOptimizer optimizer;
  private final GradientClipper clipper;
  private final LearningRateSchedule schedule;
  private long iteration;
  private double lastGradientNorm = Double.NaN;

  /**
   * @param config the model
   * @param batch the most samples a step may pass
   * @param training optimizer, schedule and clipping
   * @throws IllegalArgumentException for a batch below 1 or a training value out of range
   */
  public HandGpt(GptConfig config, int batch, GptTraining training) {
    if (batch < 1) {
      throw new IllegalArgumentException("batch must be at least 1, got " + batch);
    }
    this.config = config;
    this.batch = batch;
    int v = config.vocabulary();
    int d = config.width();
    long rows = (long) batch * config.context();
    tokens = Tensor.alignedZeros(v, d);
    positions = Tensor.alignedZeros(config.context(), d);
    lnfGamma = Tensor.alignedZeros(d);
    lnfBeta = Tensor.alignedZeros(d);
    head = Tensor.alignedZeros(d, v);
    tokensGrad = Tensor.alignedZeros(v, d);
    positionsGrad = Tensor.alignedZeros(config.context(), d);
    lnfGammaGrad = Tensor.alignedZeros(d);
    lnfBetaGrad = Tensor.alignedZeros(d);
    headGrad = Tensor.alignedZeros(d, v);
    blocks = new GptBlock[config.blocks()];
    for (int b = 0; b < blocks.length; b++) {
      blocks[b] = new GptBlock(config, batch, b);
    }
    lnf = new LayerNorm(d, 1e-5);
    embedded = Tensor.alignedZeros(rows, d);
    lnfOut = Tensor.alignedZeros(rows, d);
    lnfMean = Tensor.alignedZeros(rows);
    lnfRstd = Tensor.alignedZeros(rows);
    logits = Tensor.alignedZeros(rows, v);
    logitsGrad = Tensor.alignedZeros(rows, v);
    stream = Tensor.alignedZeros(rows, d);
    scratch = Tensor.alignedZeros(rows, d);
    hiddenScratch = Tensor.alignedZeros(rows, config.hidden());

    ParameterSet.Builder set = ParameterSet.builder()
        .add("tokens.weight", "tokens", ParameterKind.WEIGHT, tokens, tokensGrad)
        .add("positions.weight", "positions", ParameterKind.WEIGHT, positions, positionsGrad);
    for (GptBlock block : blocks) {
      block.addTo(set);
    }
    parameters = set
        .add("ln_f.gamma", "ln_f", ParameterKind.GAMMA, lnfGamma, lnfGammaGrad)
        .add("ln_f.beta", "ln_f", ParameterKind.BETA, lnfBeta, lnfBetaGrad)
        .add("head.W", "head", ParameterKind.WEIGHT, head, headGrad)
        .build();
    double[] decay = new double[parameters.size()];
    for (int i = 0; i < decay.length; i++) {
      decay[i] = parameters.kind(i) == ParameterKind.WEIGHT ? training.weightDecay() : 0;
    }
    optimizer = new AdamOptimizer(parameters, training.beta1(), training.beta2(),
        training.epsilon(), false, decay);
    clipper = GradientClipper.byNorm(parameters, training.maxNorm(), 2,
        GradientClipper.Scope.GLOBAL);
    double lr = training.learningRate();
    schedule = new WarmupSchedule(lr, training.warmup(), 1, training.startFactor(), false,
        new CosineDecaySchedule(lr, training.steps() - training.warmup(),
            training.minimumRate(), true));
  }

  /** The model's shape. */
  public GptConfig config() {
    return config;
  }

  /** Every parameter with its gradient, in {@code gpt_trajectory.json}'s order. */
  public ParameterSet parameters() {
    return parameters;
  }

  /**
   * GPT-2's initialisation (as nanoGPT's): weights and embeddings normal with standard deviation
   * 0.02, the two projections into the residual stream ({@code attn.output.W}, {@code down.W})
   * 0.02/sqrt(2·blocks), biases and LayerNorm shifts 0, LayerNorm scales 1.
   */
  public void initialize(long seed) {
    SplitMix64 random = new SplitMix64(seed);
    double residualStd = 0.02 / Math.sqrt(2.0 * config.blocks());
    for (int i = 0; i < parameters.size(); i++) {
      Tensor value = parameters.value(i);
      String name = parameters.name(i);
      switch (parameters.kind(i)) {
        case WEIGHT -> {
          boolean residual = name.endsWith("attn.output.W") || name.endsWith("down.W");
          double std = residual ? residualStd : 0.02;
          for (int j = 0; j < value.length(); j++) {
            value.set(j, (float) (std * random.nextGaussian()));
          }
        }
        case GAMMA -> value.fill(1f);
        default -> value.fill(0f);
      }
    }
  }

  /** The rate the next {@link #step} uses. */
  public double learningRate() {
    return schedule.rate(iteration);
  }

  /** The global gradient norm of the last step, before clipping. */
  public double lastGradientNorm() {
    return lastGradientNorm;
  }

  /** Steps taken. */
  public long iteration() {
    return iteration;
  }

  /**
   * One training step on {@code n} sequences of {@code t} tokens.
   *
   * @param ids token ids {@code [n, t]}, row-major
   * @param targets next-token ids {@code [n, t]}
   * @return the mean loss over the {@code n·t} positions, before the update
   * @throws IllegalArgumentException for {@code n} outside {@code [1, batch]}, {@code t} outside
   *     {@code [1, context]} or an id out of range, before any state changes
   */
  public double step(int[] ids, int[] targets, int n, int t) {
    double loss = lossAndGradients(ids, targets, n, t);
    lastGradientNorm = clipper.measure();
    clipper.clip();
    optimizer.update(schedule.rate(iteration));
    iteration++;
    return loss;
  }

  /**
   * Forward, loss and every gradient, without clipping or update.
   *
   * @return the mean loss over the {@code n·t} positions
   */
  public double lossAndGradients(int[] ids, int[] targets, int n, int t) {
    double loss = loss(ids, targets, n, t);
    backward(ids, n, t);
    return loss;
  }

  /** The mean loss of a batch (forward only; writes the logits' gradient, nothing else). */
  public double loss(int[] ids, int[] targets, int n, int t) {
    forward(ids, n, t);
    return SequenceCrossEntropy.compute(logits, targets, n * t, config.vocabulary(), t,
        logitsGrad);
  }

  /**
   * The forward pass.
   *
   * @return the logits, packed {@code [n, t, V]} at the start of a buffer sized for the batch
   */
  public Tensor forward(int[] ids, int n, int t) {
    if (n < 1 || n > batch || t < 1 || t > config.context()) {
      throw new IllegalArgumentException("expected 1 <= n <= " + batch + " and 1 <= t <= "
          + config.context() + ", got n=" + n + ", t=" + t);
    }
    int rows = n * t;
    int v = config.vocabulary();
    int d = config.width();
    Embedding.forward(ids, rows, t, tokens, v, d, embedded);
    Embedding.addPositions(positions, config.context(), n, t, d, embedded);
    Tensor x = embedded;
    for (GptBlock block : blocks) {
      block.forward(x, n, t, scratch);
      x = block.out;
    }
    lnf.forward(x, rows, lnfGamma, lnfBeta, lnfMean, lnfRstd, lnfOut);
    Dense.forward(lnfOut, rows, d, head, null, v, logits);
    return logits;
  }

  private void backward(int[] ids, int n, int t) {
    int rows = n * t;
    int v = config.vocabulary();
    int d = config.width();
    Tensor last = blocks[blocks.length - 1].out;
    Dense.backward(lnfOut, logitsGrad, rows, d, head, v, headGrad, null, scratch);
    lnf.backward(last, scratch, rows, lnfGamma, lnfMean, lnfRstd, stream, lnfGammaGrad,
        lnfBetaGrad);
    for (int b = blocks.length - 1; b >= 0; b--) {
      Tensor x = b == 0 ? embedded : blocks[b - 1].out;
      blocks[b].backward(x, stream, n, t, scratch, hiddenScratch);
    }
    Embedding.backward(ids, rows, t, stream, v, d, tokensGrad);
    Embedding.positionsBackward(stream, n, t, d, positionsGrad, config.context());
  }
}
