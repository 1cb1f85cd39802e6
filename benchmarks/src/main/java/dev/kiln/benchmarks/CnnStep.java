package dev.kiln.benchmarks;

import dev.kiln.runtime.internal.BatchInput;
import dev.kiln.runtime.internal.StatisticsSnapshot;
import dev.kiln.runtime.ops.Activations;
import dev.kiln.runtime.ops.BatchNorm2dKernel;
import dev.kiln.runtime.ops.Conv2d;
import dev.kiln.runtime.ops.Dense;
import dev.kiln.runtime.ops.DropoutKernel;
import dev.kiln.runtime.ops.LossKind;
import dev.kiln.runtime.ops.Losses;
import dev.kiln.runtime.ops.MaxPool2d;
import dev.kiln.runtime.optim.AdamOptimizer;
import dev.kiln.runtime.optim.GradientClipper;
import dev.kiln.runtime.optim.ParameterKind;
import dev.kiln.runtime.optim.ParameterSet;
import dev.kiln.runtime.optim.Regularization;
import dev.kiln.runtime.schedule.CosineDecaySchedule;
import dev.kiln.runtime.tensor.SplitMix64;
import dev.kiln.runtime.tensor.Tensor;

/**
 * The training step of the benchmark CNN written by hand with the runtime kernels, as a generated
 * trainer will do it once the processor supports convolutions (the same kernel calls, buffers and
 * order as {@code TaggerTrainingTrainer} / {@code FashionTrainingTrainer} use for dense layers).
 * The network is the PyTorch peer's ({@code benchmarks/pytorch/cnn_peer.py}):
 *
 * <pre>
 * conv1   Conv2d(1 -> 32, 3x3, padding 1)  BatchNorm2d ReLU MaxPool(2)   [32, 14, 14]
 * conv2   Conv2d(32 -> 64, 3x3, padding 1) BatchNorm2d ReLU MaxPool(2)   [64, 7, 7]
 * hidden  Dense(3136 -> 128) ReLU Dropout(0.25)                           [128]
 * logits  Dense(128 -> 10)                                                [10]
 * </pre>
 *
 * <p>Softmax cross-entropy, global-norm clipping at 1, coupled L2 1e-4 on the conv and dense
 * weights (after clipping, as PyTorch's {@code Adam(weight_decay)}), Adam (lr 1e-3, betas 0.9 /
 * 0.999, eps 1e-8) with cosine decay to 1e-5 over {@code totalSteps}. Batch norm: momentum 0.1,
 * eps 1e-5 (PyTorch's defaults).
 *
 * <p>Initialisation: PyTorch's default for {@code Conv2d} and {@code Linear} (weights and biases
 * uniform in {@code ±1/sqrt(fan_in)}), drawn from {@code SplitMix64(seed).nextDouble()} in the
 * order conv1.weight, conv1.bias, conv2.weight, conv2.bias, hidden.weight, hidden.bias,
 * logits.weight, logits.bias, each in its row-major layout here ({@code [out, in, kh, kw]} for
 * conv, {@code [in, out]} for dense) as {@code (float) ((2u - 1)·bound)}; gamma 1, beta 0. The
 * dropout mask comes from {@code SplitMix64(seed ^ 0x5DEECE66DL)} as in a generated trainer.
 * {@code benchmarks/pytorch/cnn_step_reference.py} repeats exactly this in PyTorch.
 *
 * <p>After construction, {@link #step} allocates nothing.
 */
public final class CnnStep {
  static final int C0 = 1;
  static final int H0 = 28;
  static final int C1 = 32;
  static final int H1 = 14;
  static final int C2 = 64;
  static final int H2 = 7;
  static final int FLAT = C2 * H2 * H2;
  static final int HIDDEN = 128;
  static final int CLASSES = 10;
  static final double DROPOUT = 0.25;
  static final double L2 = 1e-4;

  final int capacity;
  private final CosineDecaySchedule schedule;
  private long iteration;
  private double lastGradientNorm;

  // Kernels (geometry only) and batch-norm state.
  final Conv2d conv1 = new Conv2d(C0, H0, H0, C1, 3, 3, 1, 1, 1, 1);
  final Conv2d conv2 = new Conv2d(C1, H1, H1, C2, 3, 3, 1, 1, 1, 1);
  final BatchNorm2dKernel conv1BatchNorm = new BatchNorm2dKernel(C1, H0, H0, 0.1, 1e-5);
  final BatchNorm2dKernel conv2BatchNorm = new BatchNorm2dKernel(C2, H1, H1, 0.1, 1e-5);
  final MaxPool2d conv1Pool = new MaxPool2d(C1, H0, H0, 2, 2, 2, 2, 0, 0);
  final MaxPool2d conv2Pool = new MaxPool2d(C2, H1, H1, 2, 2, 2, 2, 0, 0);
  private final SplitMix64 dropoutRandom;

  // Parameters: conv weights [out, in, kh, kw] (PyTorch), dense weights [in, out] (Kiln).
  final Tensor conv1Weight = Tensor.zeros(C1, C0, 3, 3);
  final Tensor conv1Bias = Tensor.zeros(C1);
  final Tensor conv1Gamma = Tensor.zeros(C1);
  final Tensor conv1Beta = Tensor.zeros(C1);
  final Tensor conv1RunningMean = Tensor.zeros(C1);
  final Tensor conv1RunningVar = Tensor.zeros(C1);
  final Tensor conv2Weight = Tensor.zeros(C2, C1, 3, 3);
  final Tensor conv2Bias = Tensor.zeros(C2);
  final Tensor conv2Gamma = Tensor.zeros(C2);
  final Tensor conv2Beta = Tensor.zeros(C2);
  final Tensor conv2RunningMean = Tensor.zeros(C2);
  final Tensor conv2RunningVar = Tensor.zeros(C2);
  final Tensor hiddenWeight = Tensor.zeros(FLAT, HIDDEN);
  final Tensor hiddenBias = Tensor.zeros(HIDDEN);
  final Tensor logitsWeight = Tensor.zeros(HIDDEN, CLASSES);
  final Tensor logitsBias = Tensor.zeros(CLASSES);

  // Activations and their gradients, each for the whole capacity.
  final Tensor input;
  final Tensor target;
  final Tensor conv1Pre;   // conv output, then batch norm's output in place [B, 32, 28, 28]
  final Tensor conv1Xhat;
  final Tensor conv1Out;   // after max pooling and ReLU [B, 32, 14, 14]
  final int[] conv1Argmax;
  final Tensor conv1ActDelta;
  final Tensor conv1Delta;
  final Tensor conv2Pre;   // [B, 64, 14, 14]
  final Tensor conv2Xhat;
  final Tensor conv2Out;   // [B, 64, 7, 7] = the flattened [B, 3136] dense input
  final int[] conv2Argmax;
  final Tensor conv2ActDelta;
  final Tensor conv2Delta;
  final Tensor hiddenPre;
  final Tensor hiddenOut;
  final Tensor hiddenMask;
  final Tensor hiddenDelta;
  final Tensor logitsPre;
  final Tensor logitsDelta;
  /** One scratch area for both convolutions' lowered input (they run one after the other). */
  final Tensor convWorkspace;

  // Gradients.
  final Tensor conv1WeightGrad = Tensor.alignedZeros(C1, C0, 3, 3);
  final Tensor conv1BiasGrad = Tensor.alignedZeros(C1);
  final Tensor conv1GammaGrad = Tensor.alignedZeros(C1);
  final Tensor conv1BetaGrad = Tensor.alignedZeros(C1);
  final Tensor conv2WeightGrad = Tensor.alignedZeros(C2, C1, 3, 3);
  final Tensor conv2BiasGrad = Tensor.alignedZeros(C2);
  final Tensor conv2GammaGrad = Tensor.alignedZeros(C2);
  final Tensor conv2BetaGrad = Tensor.alignedZeros(C2);
  final Tensor hiddenWeightGrad = Tensor.alignedZeros(FLAT, HIDDEN);
  final Tensor hiddenBiasGrad = Tensor.alignedZeros(HIDDEN);
  final Tensor logitsWeightGrad = Tensor.alignedZeros(HIDDEN, CLASSES);
  final Tensor logitsBiasGrad = Tensor.alignedZeros(CLASSES);

  final ParameterSet parameters;
  final AdamOptimizer optimizer;
  final GradientClipper clipper;
  final StatisticsSnapshot batchNormStatistics;

  /**
   * @param capacity the largest batch, at least 2
   * @param seed seed of the initialisation and of dropout
   * @param totalSteps steps of the cosine schedule
   * @throws IllegalArgumentException for a capacity below 2 or no steps
   */
  public CnnStep(int capacity, long seed, long totalSteps) {
    if (capacity < 2) {
      throw new IllegalArgumentException("capacity must be at least 2, got " + capacity);
    }
    this.capacity = capacity;
    this.schedule = new CosineDecaySchedule(1e-3, totalSteps, 1e-5, false);
    this.dropoutRandom = new SplitMix64(seed ^ 0x5DEECE66DL);
    int b = capacity;
    input = Tensor.alignedZeros(b, C0, H0, H0);
    target = Tensor.alignedZeros(b, CLASSES);
    conv1Pre = Tensor.alignedZeros(b, C1, H0, H0);
    conv1Xhat = Tensor.alignedZeros(b, C1, H0, H0);
    conv1Out = Tensor.alignedZeros(b, C1, H1, H1);
    conv1Argmax = new int[b * C1 * H1 * H1];
    conv1ActDelta = Tensor.alignedZeros(b, C1, H0, H0);
    conv1Delta = Tensor.alignedZeros(b, C1, H1, H1);
    conv2Pre = Tensor.alignedZeros(b, C2, H1, H1);
    conv2Xhat = Tensor.alignedZeros(b, C2, H1, H1);
    conv2Out = Tensor.alignedZeros(b, C2, H2, H2);
    conv2Argmax = new int[b * C2 * H2 * H2];
    conv2ActDelta = Tensor.alignedZeros(b, C2, H1, H1);
    conv2Delta = Tensor.alignedZeros(b, C2, H2, H2);
    hiddenPre = Tensor.alignedZeros(b, HIDDEN);
    hiddenOut = Tensor.alignedZeros(b, HIDDEN);
    hiddenMask = Tensor.alignedZeros(b, HIDDEN);
    hiddenDelta = Tensor.alignedZeros(b, HIDDEN);
    logitsPre = Tensor.alignedZeros(b, CLASSES);
    logitsDelta = Tensor.alignedZeros(b, CLASSES);
    convWorkspace = Tensor.alignedZeros(Math.max(conv1.workspaceElements(b),
        conv2.workspaceElements(b)));
    initialize(seed);
    parameters = ParameterSet.builder()
        .add("conv1.weight", "conv1", ParameterKind.WEIGHT, conv1Weight, conv1WeightGrad)
        .add("conv1.bias", "conv1", ParameterKind.BIAS, conv1Bias, conv1BiasGrad)
        .add("conv1.gamma", "conv1", ParameterKind.GAMMA, conv1Gamma, conv1GammaGrad)
        .add("conv1.beta", "conv1", ParameterKind.BETA, conv1Beta, conv1BetaGrad)
        .add("conv2.weight", "conv2", ParameterKind.WEIGHT, conv2Weight, conv2WeightGrad)
        .add("conv2.bias", "conv2", ParameterKind.BIAS, conv2Bias, conv2BiasGrad)
        .add("conv2.gamma", "conv2", ParameterKind.GAMMA, conv2Gamma, conv2GammaGrad)
        .add("conv2.beta", "conv2", ParameterKind.BETA, conv2Beta, conv2BetaGrad)
        .add("hidden.weight", "hidden", ParameterKind.WEIGHT, hiddenWeight, hiddenWeightGrad)
        .add("hidden.bias", "hidden", ParameterKind.BIAS, hiddenBias, hiddenBiasGrad)
        .add("logits.weight", "logits", ParameterKind.WEIGHT, logitsWeight, logitsWeightGrad)
        .add("logits.bias", "logits", ParameterKind.BIAS, logitsBias, logitsBiasGrad)
        .build();
    optimizer = new AdamOptimizer(parameters, 0.9, 0.999, 1e-8, false, null);
    clipper = GradientClipper.byNorm(parameters, 1.0, 2.0, GradientClipper.Scope.GLOBAL);
    batchNormStatistics = new StatisticsSnapshot(conv1RunningMean, conv1RunningVar,
        conv2RunningMean, conv2RunningVar);
  }

  /** PyTorch's default initialisation from one SplitMix64 stream (see the class comment). */
  private void initialize(long seed) {
    SplitMix64 rng = new SplitMix64(seed);
    uniform(conv1Weight, C0 * 9, rng);
    uniform(conv1Bias, C0 * 9, rng);
    uniform(conv2Weight, C1 * 9, rng);
    uniform(conv2Bias, C1 * 9, rng);
    uniform(hiddenWeight, FLAT, rng);
    uniform(hiddenBias, FLAT, rng);
    uniform(logitsWeight, HIDDEN, rng);
    uniform(logitsBias, HIDDEN, rng);
    conv1Gamma.fill(1f);
    conv2Gamma.fill(1f);
    conv1RunningVar.fill(1f);
    conv2RunningVar.fill(1f);
  }

  private static void uniform(Tensor t, int fanIn, SplitMix64 rng) {
    double bound = 1 / Math.sqrt(fanIn);
    float[] v = new float[t.length()];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) ((2 * rng.nextDouble() - 1) * bound);
    }
    t.setFrom(v);
  }

  /** The feature buffer {@code [capacity, 1, 28, 28]} that {@link #step} reads. */
  public Tensor features() {
    return input;
  }

  /** The label buffer {@code [capacity, 10]} (one-hot) that {@link #step} reads. */
  public Tensor labels() {
    return target;
  }

  /** Gradient norm before clipping of the last step. */
  public double lastGradientNorm() {
    return lastGradientNorm;
  }

  /** The learning rate the next step uses. */
  public double learningRate() {
    return schedule.rate(iteration);
  }

  /**
   * One training step on the first {@code n} samples of {@link #features()} / {@link #labels()}.
   *
   * @return the batch's mean data loss
   * @throws IllegalArgumentException if {@code n} is outside [2, capacity]
   */
  public float step(int n) {
    if (n < 2 || n > capacity) {
      throw new IllegalArgumentException("expected 2 <= n <= " + capacity + ", got " + n);
    }
    checkInput(n);
    double rate = schedule.rate(iteration);
    batchNormStatistics.save();
    conv1Forward(n);
    conv2Forward(n);
    hiddenForward(n);
    logitsForward(n);
    double loss = loss(n);
    logitsBackward(n);
    hiddenBackward(n);
    conv2Backward(n);
    conv1Backward(n);
    lastGradientNorm = clipper.measure();
    if (!Double.isFinite(lastGradientNorm)) {
      batchNormStatistics.restore();
      throw new IllegalStateException("non-finite gradient at step " + iteration);
    }
    clipAndRegularize();
    optimizer.update(rate);
    iteration++;
    return (float) loss;
  }

  void checkInput(int n) {
    BatchInput.checkFinite("features", input, n, C0 * H0 * H0, iteration);
    BatchInput.checkLabels(LossKind.SOFTMAX_CROSS_ENTROPY, target, n, CLASSES, iteration);
  }

  /**
   * conv1: Conv2d(1 -> 32, 3x3, pad 1) BatchNorm2d ReLU MaxPool(2). ReLU then max pooling is
   * {@code MaxPool2d.forwardRelu} (the same values, one pass instead of two over the large
   * activations; its backward gates the gradient on the pooled output).
   */
  void conv1Forward(int n) {
    conv1.forward(input, n, conv1Weight, conv1Bias, conv1Pre, convWorkspace);
    conv1BatchNorm.forwardTrain(conv1Pre, n, conv1Gamma, conv1Beta, conv1RunningMean,
        conv1RunningVar, conv1Xhat, conv1Pre);
    conv1Pool.forwardRelu(conv1Pre, n, conv1Out, conv1Argmax);
  }

  /** conv2: Conv2d(32 -> 64, 3x3, pad 1) BatchNorm2d ReLU MaxPool(2). */
  void conv2Forward(int n) {
    conv2.forward(conv1Out, n, conv2Weight, conv2Bias, conv2Pre, convWorkspace);
    conv2BatchNorm.forwardTrain(conv2Pre, n, conv2Gamma, conv2Beta, conv2RunningMean,
        conv2RunningVar, conv2Xhat, conv2Pre);
    conv2Pool.forwardRelu(conv2Pre, n, conv2Out, conv2Argmax);
  }

  /** hidden: Dense(3136 -> 128) ReLU Dropout(0.25), on conv2's output flattened in place. */
  void hiddenForward(int n) {
    Dense.forward(conv2Out, n, FLAT, hiddenWeight, hiddenBias, HIDDEN, hiddenPre);
    Activations.relu(hiddenPre, hiddenOut, n * HIDDEN);
    DropoutKernel.forward(hiddenOut, hiddenMask, hiddenOut, n * HIDDEN, DROPOUT, dropoutRandom);
  }

  /** logits: Dense(128 -> 10). */
  void logitsForward(int n) {
    Dense.forward(hiddenOut, n, HIDDEN, logitsWeight, logitsBias, CLASSES, logitsPre);
  }

  double loss(int n) {
    return Losses.softmaxCrossEntropy(logitsPre, target, n, CLASSES, 0.0, logitsDelta);
  }

  void logitsBackward(int n) {
    Dense.backward(hiddenOut, logitsDelta, n, HIDDEN, logitsWeight, CLASSES, logitsWeightGrad,
        logitsBiasGrad, hiddenDelta);
  }

  void hiddenBackward(int n) {
    DropoutKernel.backward(hiddenDelta, hiddenMask, hiddenDelta, n * HIDDEN);
    Activations.reluBackward(hiddenPre, hiddenDelta, hiddenDelta, n * HIDDEN);
    Dense.backward(conv2Out, hiddenDelta, n, FLAT, hiddenWeight, HIDDEN, hiddenWeightGrad,
        hiddenBiasGrad, conv2Delta);
  }

  void conv2Backward(int n) {
    conv2Pool.backwardRelu(conv2Delta, conv2Out, n, conv2Argmax, conv2ActDelta);
    conv2BatchNorm.backward(conv2ActDelta, conv2Xhat, n, conv2Gamma, conv2GammaGrad,
        conv2BetaGrad, conv2ActDelta);
    conv2.backward(conv1Out, conv2ActDelta, n, conv2Weight, conv2WeightGrad, conv2BiasGrad,
        conv1Delta, convWorkspace);
  }

  void conv1Backward(int n) {
    conv1Pool.backwardRelu(conv1Delta, conv1Out, n, conv1Argmax, conv1ActDelta);
    conv1BatchNorm.backward(conv1ActDelta, conv1Xhat, n, conv1Gamma, conv1GammaGrad,
        conv1BetaGrad, conv1ActDelta);
    conv1.backward(input, conv1ActDelta, n, conv1Weight, conv1WeightGrad, conv1BiasGrad, null,
        convWorkspace);
  }

  /** Clipping, then coupled L2 on the conv and dense weights (PyTorch's Adam weight_decay). */
  void clipAndRegularize() {
    clipper.clip();
    Regularization.addL2(conv1Weight, conv1WeightGrad, conv1Weight.length(), L2);
    Regularization.addL2(conv2Weight, conv2WeightGrad, conv2Weight.length(), L2);
    Regularization.addL2(hiddenWeight, hiddenWeightGrad, hiddenWeight.length(), L2);
    Regularization.addL2(logitsWeight, logitsWeightGrad, logitsWeight.length(), L2);
  }

  void update() {
    optimizer.update(schedule.rate(iteration));
    iteration++;
  }
}
