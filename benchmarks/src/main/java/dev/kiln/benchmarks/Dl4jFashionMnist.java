package dev.kiln.benchmarks;

import dev.kiln.runtime.tensor.SplitMix64;
import dev.kiln.runtime.data.Dataset;
import dev.kiln.runtime.data.Idx;
import dev.kiln.runtime.data.IdxArray;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The DL4J side of the accuracy comparison: the {@link Dl4jNetworks} reference MLP trained for 10
 * epochs on Fashion-MNIST as the Kiln sample trains (batch 128, shuffled each epoch, cosine decay
 * over 4690 steps), printing the test accuracy after each epoch and at the end.
 *
 * <p>Usage: {@code Dl4jFashionMnist [DATA_DIR]}; the default is the directory of the Debian
 * package {@code dataset-fashion-mnist}.
 */
public final class Dl4jFashionMnist {
  private static final String[] FILES = {"train-images-idx3-ubyte", "train-labels-idx1-ubyte",
      "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"};

  private Dl4jFashionMnist() {}

  public static void main(String[] args) throws IOException {
    Path dir = Path.of(args.length > 0 ? args[0] : "/usr/share/datasets/fashion-mnist");
    IdxArray[] idx = new IdxArray[FILES.length];
    for (int i = 0; i < FILES.length; i++) {
      Path gz = dir.resolve(FILES[i] + ".gz");
      idx[i] = Idx.read(Files.isRegularFile(gz) ? gz : dir.resolve(FILES[i]));
    }
    Dataset train = Dataset.fromIdx(idx[0], idx[1], Workload.CLASSES, "train");
    Dataset test = Dataset.fromIdx(idx[2], idx[3], Workload.CLASSES, "test");
    int batch = 128;
    int epochs = 10;
    int stepsPerEpoch = (train.size() + batch - 1) / batch;
    MultiLayerNetwork net = Dl4jNetworks.create(Workload.of("reference", batch),
        stepsPerEpoch * epochs);
    INDArray testX = Nd4j.create(test.features(), new long[] {test.size(), Workload.INPUTS}, 'c');
    int[] order = new int[train.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    SplitMix64 rng = new SplitMix64(42);
    long start = System.nanoTime();
    double accuracy = 0;
    for (int epoch = 1; epoch <= epochs; epoch++) {
      for (int i = order.length - 1; i > 0; i--) {
        int j = rng.nextInt(i + 1);
        int t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
      long t0 = System.nanoTime();
      for (int from = 0; from < order.length; from += batch) {
        int n = Math.min(batch, order.length - from);
        if (n < 2) {
          continue;
        }
        float[] x = new float[n * Workload.INPUTS];
        float[] y = new float[n * Workload.CLASSES];
        for (int r = 0; r < n; r++) {
          int row = order[from + r];
          System.arraycopy(train.features(), row * Workload.INPUTS, x, r * Workload.INPUTS,
              Workload.INPUTS);
          System.arraycopy(train.labels(), row * Workload.CLASSES, y, r * Workload.CLASSES,
              Workload.CLASSES);
        }
        net.fit(Nd4j.create(x, new long[] {n, Workload.INPUTS}, 'c'),
            Nd4j.create(y, new long[] {n, Workload.CLASSES}, 'c'));
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      INDArray predicted = net.output(testX, false).argMax(1);
      int correct = 0;
      for (int r = 0; r < test.size(); r++) {
        if (predicted.getInt(r) == test.classIndex(r)) {
          correct++;
        }
      }
      accuracy = (double) correct / test.size();
      System.out.printf(Locale.ROOT, "epoch %2d  test accuracy %.4f  %.1f s  %,.0f samples/s%n",
          epoch, accuracy, seconds, train.size() / seconds);
    }
    System.out.printf(Locale.ROOT, "{\"peer\": \"dl4j\", \"final_test_accuracy\": %.4f, "
        + "\"seconds\": %.1f}%n", accuracy, (System.nanoTime() - start) / 1e9);
  }
}
