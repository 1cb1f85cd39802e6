package dev.kiln.benchmarks;

import dev.kiln.runtime.tensor.SplitMix64;
import dev.kiln.runtime.train.Trainer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What one benchmark configuration trains: a network ({@code reference} or {@code wide}), a batch
 * size, and a fixed synthetic batch (features uniform in [0, 1) like scaled pixels, one-hot labels
 * of random classes), made once so that every peer steps on the same data.
 */
public final class Workload {
  /** Inputs of both networks: 28 x 28 pixels. */
  public static final int INPUTS = 784;
  /** Classes of both networks. */
  public static final int CLASSES = 10;

  private final String model;
  private final int hidden;
  private final int batch;

  private Workload(String model, int hidden, int batch) {
    this.model = model;
    this.hidden = hidden;
    this.batch = batch;
  }

  /**
   * @param model {@code reference} (784-256-BN-ReLU-256-BN-ReLU-10) or {@code wide}
   *     (784-1024-BN-ReLU-1024-BN-ReLU-10)
   * @param batch 32, 128 or 512
   * @throws IllegalArgumentException for another model or batch size
   */
  public static Workload of(String model, int batch) {
    int hidden = switch (model) {
      case "reference" -> 256;
      case "wide" -> 1024;
      default -> throw new IllegalArgumentException("model must be reference or wide, got " + model);
    };
    if (batch != 32 && batch != 128 && batch != 512) {
      throw new IllegalArgumentException("batch must be 32, 128 or 512, got " + batch);
    }
    return new Workload(model, hidden, batch);
  }

  public String model() {
    return model;
  }

  /** Width of both hidden layers. */
  public int hidden() {
    return hidden;
  }

  public int batch() {
    return batch;
  }

  /** Layer widths from input to logits: {@code [784, hidden, hidden, 10]}. */
  public int[] widths() {
    return new int[] {INPUTS, hidden, hidden, CLASSES};
  }

  /** A Kiln trainer generated for this network and batch size, initialised with seed 42. */
  public Trainer kilnTrainer() {
    if (hidden == 256) {
      ReferenceMlpNetwork net = ReferenceMlpNetwork.initialize(42);
      return switch (batch) {
        case 32 -> new ReferenceBatch32Trainer(net);
        case 128 -> new ReferenceBatch128Trainer(net);
        default -> new ReferenceBatch512Trainer(net);
      };
    }
    WideMlpNetwork net = WideMlpNetwork.initialize(42);
    return switch (batch) {
      case 32 -> new WideBatch32Trainer(net);
      case 128 -> new WideBatch128Trainer(net);
      default -> new WideBatch512Trainer(net);
    };
  }

  /** Features {@code [batch, 784]}, float32 in [0, 1). */
  public INDArray features() {
    SplitMix64 rng = new SplitMix64(7);
    float[] x = new float[batch * INPUTS];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) rng.nextDouble();
    }
    return Nd4j.create(x, new long[] {batch, INPUTS}, 'c');
  }

  /** One-hot labels {@code [batch, 10]}, float32. */
  public INDArray labels() {
    SplitMix64 rng = new SplitMix64(11);
    INDArray y = Nd4j.zeros(DataType.FLOAT, batch, CLASSES);
    for (int r = 0; r < batch; r++) {
      y.putScalar(r, (int) (rng.nextDouble() * CLASSES), 1f);
    }
    return y;
  }

  @Override
  public String toString() {
    return model + "/" + batch;
  }
}
