package dev.kiln.runtime.train;

import dev.kiln.runtime.tensor.Tensor;
import dev.kiln.runtime.train.Trainer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A two-class trainer whose "network" is one score {@code w}: every step of epoch {@code e}
 * (from 1) sets {@code w = scores[e − 1]}, and {@code predict} gives logits {@code [w, 0]} for
 * every row, so validation on class-0 samples has loss {@code ln(1 + e^−w)}: a scripted
 * validation curve. It records each step's row count and the feature rows it saw.
 */
class ScriptedTrainer implements Trainer {
  final double[] scores;
  final Tensor features;
  final Tensor labels;
  final Tensor outputs;
  final INDArray w = Nd4j.zeros(org.nd4j.linalg.api.buffer.DataType.FLOAT, 1);
  final INDArray runningMean = Nd4j.zeros(org.nd4j.linalg.api.buffer.DataType.FLOAT, 3);
  final List<Integer> rows = new ArrayList<>();
  final List<Float> firstFeatures = new ArrayList<>();
  private final int batchSize;
  private final int epochs;
  private final int minimumRows;
  private final int inputs;
  private long iteration;
  private int stepsPerEpoch = -1;
  long plannedSteps = -1;

  ScriptedTrainer(int inputs, int batchSize, int epochs, int minimumRows, double... scores) {
    this.inputs = inputs;
    this.batchSize = batchSize;
    this.epochs = epochs;
    this.minimumRows = minimumRows;
    this.scores = scores;
    this.features = Tensor.zeros(batchSize, inputs);
    this.labels = Tensor.zeros(batchSize, 2);
    this.outputs = Tensor.zeros(batchSize, 2);
  }

  @Override
  public dev.kiln.runtime.ops.LossKind loss() {
    return dev.kiln.runtime.ops.LossKind.SOFTMAX_CROSS_ENTROPY;
  }

  @Override
  public float step(INDArray f, INDArray l) {
    throw new UnsupportedOperationException();
  }

  @Override
  public float stepBuffered(int n) {
    if (n < minimumRows || n > batchSize) {
      throw new IllegalArgumentException("rows " + n);
    }
    rows.add(n);
    for (int r = 0; r < n; r++) {
      firstFeatures.add(features.get(r * inputs));
      outputs.set(r * 2, 1f); // predicts class 0
      outputs.set(r * 2 + 1, 0f);
    }
    iteration++;
    int epoch = (int) ((iteration - 1) / stepsPerEpoch);
    float score = (float) scores[Math.min(epoch, scores.length - 1)];
    w.putScalar(0, score);
    runningMean.assign(score * 10);
    return 1f / (1 + score);
  }

  @Override
  public Tensor featureBuffer() {
    return features;
  }

  @Override
  public Tensor labelBuffer() {
    return labels;
  }

  @Override
  public Tensor outputBuffer() {
    return outputs;
  }

  @Override
  public double learningRate() {
    return 0.1;
  }

  @Override
  public long iteration() {
    return iteration;
  }

  @Override
  public double lastGradientNorm() {
    return 0;
  }

  @Override
  public int batchSize() {
    return batchSize;
  }

  @Override
  public int epochs() {
    return epochs;
  }

  @Override
  public int minimumRows() {
    return minimumRows;
  }

  @Override
  public void planRun(long totalSteps, int stepsPerEpoch) {
    this.plannedSteps = totalSteps;
    this.stepsPerEpoch = stepsPerEpoch;
  }

  @Override
  public void setBaseLearningRate(double learningRate) {}

  @Override
  public long seed() {
    return 3;
  }

  @Override
  public INDArray predict(INDArray x) {
    INDArray out = Nd4j.zeros(org.nd4j.linalg.api.buffer.DataType.FLOAT, x.size(0), 2);
    out.getColumn(0).assign(w.getFloat(0));
    return out;
  }

  // no @Override: Trainer gains this method with checkpoints
  public dev.kiln.runtime.checkpoint.TrainingState trainingState() {
    return new dev.kiln.runtime.checkpoint.TrainingState(
        dev.kiln.runtime.checkpoint.Fingerprint.of("model", "scripted"));
  }

  @Override
  public Map<String, INDArray> parameters() {
    Map<String, INDArray> map = new LinkedHashMap<>();
    map.put("score.weight", w);
    map.put("score.runningMean", runningMean);
    return map;
  }
}
