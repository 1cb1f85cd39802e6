package dev.kiln.benchmarks;

import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * The DL4J peer of the CNN benchmark: the network of {@code benchmarks/pytorch/cnn_peer.py} and
 * {@link CnnStep} as a {@code MultiLayerNetwork} in DL4J 1.0.0-M2.1, float32, NCHW:
 * {@code ConvolutionLayer} (3×3, padding 1, identity) → {@code BatchNormalization} (decay 0.9 =
 * PyTorch's momentum 0.1, eps 1e-5) → ReLU → {@code SubsamplingLayer} (max, 2×2, stride 2), twice
 * (32 then 64 channels), then {@code DenseLayer} (128, ReLU), {@code DropoutLayer} (DL4J's
 * argument is the retain probability: 0.75 = PyTorch's {@code Dropout(0.25)}) and a softmax
 * {@code OutputLayer} with multi-class cross-entropy. Adam (lr 1e-3, betas 0.9 / 0.999, eps
 * 1e-8) with the cosine schedule to 1e-5 ({@link Dl4jNetworks.Cosine}), L2 1e-4 on weights.
 *
 * <p>Where DL4J differs, the nearest it has: it clips per layer ({@code ClipL2PerLayer} at 1),
 * not by the global norm of all gradients; initialisation is He-uniform (Xavier-uniform for the
 * output), not PyTorch's {@code ±1/sqrt(fan_in)}.
 */
public final class Dl4jCnn {
  private Dl4jCnn() {}

  /**
   * A new, initialised network, seed 42.
   *
   * @param totalSteps steps of the cosine schedule
   */
  public static MultiLayerNetwork create(int totalSteps) {
    MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
        .seed(42)
        .dataType(DataType.FLOAT)
        .updater(new Adam(new Dl4jNetworks.Cosine(1e-3, 1e-5, totalSteps)))
        .l2(1e-4)
        .gradientNormalization(GradientNormalization.ClipL2PerLayer)
        .gradientNormalizationThreshold(1.0)
        .weightInit(WeightInit.RELU_UNIFORM)
        .trainingWorkspaceMode(WorkspaceMode.ENABLED)
        .inferenceWorkspaceMode(WorkspaceMode.ENABLED)
        .list()
        .layer(conv(1, 32))
        .layer(new BatchNormalization.Builder().nOut(32).decay(0.9).eps(1e-5).build())
        .layer(new ActivationLayer.Builder().activation(Activation.RELU).build())
        .layer(maxPool())
        .layer(conv(32, 64))
        .layer(new BatchNormalization.Builder().nOut(64).decay(0.9).eps(1e-5).build())
        .layer(new ActivationLayer.Builder().activation(Activation.RELU).build())
        .layer(maxPool())
        .layer(new DenseLayer.Builder().nOut(128).activation(Activation.RELU).build())
        .layer(new DropoutLayer.Builder(0.75).build())
        .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
            .nOut(10)
            .activation(Activation.SOFTMAX)
            .weightInit(WeightInit.XAVIER_UNIFORM)
            .build())
        .setInputType(InputType.convolutional(28, 28, 1))
        .build();
    MultiLayerNetwork net = new MultiLayerNetwork(conf);
    net.init();
    return net;
  }

  private static ConvolutionLayer conv(int in, int out) {
    return new ConvolutionLayer.Builder(3, 3).nIn(in).nOut(out).stride(1, 1).padding(1, 1)
        .activation(Activation.IDENTITY).build();
  }

  private static SubsamplingLayer maxPool() {
    return new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2)
        .stride(2, 2).build();
  }

  /** Sanity check: the loss on the benchmark's repeated batch falls over 30 steps. */
  public static void main(String[] args) {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 32;
    MultiLayerNetwork net = create(1000);
    INDArray x = CnnWorkload.features(n);
    INDArray y = CnnWorkload.labels(n);
    for (int s = 0; s < 30; s++) {
      net.fit(x, y);
      if (s % 5 == 0 || s == 29) {
        System.out.printf("step %2d  loss %.4f%n", s, net.score());
      }
    }
  }
}
