package dev.kiln.benchmarks;

import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.schedule.ISchedule;

/**
 * The DL4J peer: a {@code MultiLayerNetwork} as close to the Kiln configuration as DL4J 1.0.0-M2.1
 * allows. Same layers (Dense with identity activation → BatchNormalization with PyTorch's
 * momentum 0.1 (DL4J {@code decay 0.9}) and eps 1e-5 → ReLU, twice, then a softmax output with
 * multi-class cross-entropy), float32, He-uniform / Xavier-uniform initialisation, L2 1e-4 on
 * weights, the same cosine learning-rate schedule, momentum 0.9.
 *
 * <p>Where DL4J differs, the nearest it has: its only momentum SGD is {@code Nesterovs}
 * (Nesterov momentum, where Kiln's configuration uses plain momentum), and it clips per layer
 * ({@code ClipL2PerLayer}), not by the global norm of all gradients.
 */
public final class Dl4jNetworks {
  private Dl4jNetworks() {}

  /**
   * A new, initialised network for {@code w}'s widths, seed 42.
   *
   * @param totalSteps steps of the cosine schedule (4690 for 10 epochs of batch 128)
   */
  public static MultiLayerNetwork create(Workload w, int totalSteps) {
    int hidden = w.hidden();
    MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
        .seed(42)
        .dataType(DataType.FLOAT)
        .updater(new Nesterovs(new Cosine(0.1, 1e-3, totalSteps), 0.9))
        .l2(1e-4)
        .gradientNormalization(GradientNormalization.ClipL2PerLayer)
        .gradientNormalizationThreshold(1.0)
        .trainingWorkspaceMode(WorkspaceMode.ENABLED)
        .inferenceWorkspaceMode(WorkspaceMode.ENABLED)
        .list()
        .layer(dense(Workload.INPUTS, hidden))
        .layer(batchNorm(hidden))
        .layer(new ActivationLayer.Builder().activation(Activation.RELU).build())
        .layer(dense(hidden, hidden))
        .layer(batchNorm(hidden))
        .layer(new ActivationLayer.Builder().activation(Activation.RELU).build())
        .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
            .nIn(hidden).nOut(Workload.CLASSES)
            .activation(Activation.SOFTMAX)
            .weightInit(WeightInit.XAVIER_UNIFORM)
            .build())
        .build();
    MultiLayerNetwork net = new MultiLayerNetwork(conf);
    net.init();
    return net;
  }

  private static DenseLayer dense(int in, int out) {
    return new DenseLayer.Builder().nIn(in).nOut(out)
        .activation(Activation.IDENTITY)
        .weightInit(WeightInit.RELU_UNIFORM)
        .build();
  }

  private static BatchNormalization batchNorm(int features) {
    return new BatchNormalization.Builder().nOut(features).decay(0.9).eps(1e-5).build();
  }

  /**
   * Kiln's {@code CosineDecaySchedule} as a DL4J schedule: {@code lr(t) = min + (lr0 -
   * min)·(1 + cos(π·t/T))/2}, held at {@code min} from {@code T} on.
   */
  static final class Cosine implements ISchedule {
    private static final long serialVersionUID = 1L;
    private final double base;
    private final double minimum;
    private final int steps;

    Cosine(double base, double minimum, int steps) {
      this.base = base;
      this.minimum = minimum;
      this.steps = steps;
    }

    @Override
    public double valueAt(int iteration, int epoch) {
      if (iteration >= steps) {
        return minimum;
      }
      return minimum + (base - minimum) * (1 + Math.cos(Math.PI * iteration / steps)) / 2;
    }

    @Override
    public ISchedule clone() {
      return new Cosine(base, minimum, steps);
    }
  }
}
