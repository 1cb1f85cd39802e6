package dev.kiln.spark;

import dev.kiln.runtime.checkpoint.TrainingState;
import dev.kiln.runtime.ops.LossKind;
import dev.kiln.runtime.schedule.LearningRateSchedule;
import dev.kiln.runtime.tensor.Tensor;
import dev.kiln.runtime.train.Trainer;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.TaskContext;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A generated trainer that throws once: in the first attempt of the Spark task for partition
 * {@code partition}, just before the optimizer step {@code failAt} (after the round's earlier
 * steps already changed it). Everything else is delegated.
 */
final class FaultyTrainer implements Trainer {
  /** Injected failures so far (local mode: one JVM). */
  static final AtomicInteger FAILURES = new AtomicInteger();
  private final Trainer t;
  private final int partition;
  private final long failAt;

  FaultyTrainer(Trainer t, int partition, long failAt) {
    this.t = t;
    this.partition = partition;
    this.failAt = failAt;
  }

  @Override
  public float stepBuffered(int n) {
    TaskContext task = TaskContext.get();
    if (task != null && task.attemptNumber() == 0 && task.partitionId() == partition
        && t.iteration() == failAt) {
      FAILURES.incrementAndGet();
      throw new IllegalStateException("injected failure at step " + failAt);
    }
    return t.stepBuffered(n);
  }

  @Override public float step(INDArray features, INDArray labels) { return t.step(features, labels); }
  @Override public Tensor featureBuffer() { return t.featureBuffer(); }
  @Override public Tensor labelBuffer() { return t.labelBuffer(); }
  @Override public double learningRate() { return t.learningRate(); }
  @Override public LearningRateSchedule schedule() { return t.schedule(); }
  @Override public long iteration() { return t.iteration(); }
  @Override public double lastGradientNorm() { return t.lastGradientNorm(); }
  @Override public long skippedSteps() { return t.skippedSteps(); }
  @Override public int accumulationSteps() { return t.accumulationSteps(); }
  @Override public int batchSize() { return t.batchSize(); }
  @Override public int epochs() { return t.epochs(); }
  @Override public int minimumRows() { return t.minimumRows(); }
  @Override public void planRun(long totalSteps, int stepsPerEpoch) { t.planRun(totalSteps, stepsPerEpoch); }
  @Override public void endEpoch(int epoch, double validationLoss) { t.endEpoch(epoch, validationLoss); }
  @Override public void setBaseLearningRate(double rate) { t.setBaseLearningRate(rate); }
  @Override public TrainingState trainingState() { return t.trainingState(); }
  @Override public long seed() { return t.seed(); }
  @Override public INDArray predict(INDArray features) { return t.predict(features); }
  @Override public Map<String, INDArray> parameters() { return t.parameters(); }
  @Override public Tensor outputBuffer() { return t.outputBuffer(); }
  @Override public LossKind loss() { return t.loss(); }
  @Override public double labelSmoothing() { return t.labelSmoothing(); }
}
