package dev.kiln.runtime.pruning;

import dev.kiln.runtime.checkpoint.Checkpoint;
import dev.kiln.runtime.ops.BatchNormKernel;
import dev.kiln.runtime.ops.Dense;
import dev.kiln.runtime.pruning.CompactNetwork.Activation;
import dev.kiln.runtime.tensor.Tensor;
import java.util.Map;

/**
 * One compacted layer of a {@link CompactNetwork} on flat features: dense (optional), batch norm
 * (optional, eval mode), activation (optional).
 */
final class DenseStage implements CompactNetwork.Stage {
  final String name;
  final int in;
  final int out;
  final Tensor weight;
  final Tensor bias;
  final Tensor gamma;
  final Tensor beta;
  final Tensor runningMean;
  final Tensor runningVar;
  final double epsilon;
  final Activation activation;
  final float slope;

  DenseStage(String name, int in, int out, Tensor weight, Tensor bias, Tensor gamma, Tensor beta,
      Tensor runningMean, Tensor runningVar, double epsilon, Activation activation,
      float slope) {
    this.name = name;
    this.in = in;
    this.out = out;
    this.weight = weight;
    this.bias = bias;
    this.gamma = gamma;
    this.beta = beta;
    this.runningMean = runningMean;
    this.runningVar = runningVar;
    this.epsilon = epsilon;
    this.activation = activation;
    this.slope = slope;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public int out() {
    return out;
  }

  @Override
  public long parameterCount() {
    return (weight == null ? 0 : (long) in * out) + (bias == null ? 0 : out)
        + (gamma == null ? 0 : 2L * out);
  }

  @Override
  public void arrays(Map<String, Checkpoint.Array> arrays) {
    CompactNetwork.put(arrays, name + ".weight", weight);
    CompactNetwork.put(arrays, name + ".bias", bias);
    CompactNetwork.put(arrays, name + ".gamma", gamma);
    CompactNetwork.put(arrays, name + ".beta", beta);
    CompactNetwork.put(arrays, name + ".runningMean", runningMean);
    CompactNetwork.put(arrays, name + ".runningVar", runningVar);
  }

  @Override
  public Tensor forward(Tensor x, int n) {
    Tensor y = x;
    if (weight != null) {
      y = Tensor.zeros(n, out);
      Dense.forward(x, n, in, weight, bias, out, y);
    }
    if (gamma != null) {
      Tensor z = y == x ? Tensor.zeros(n, out) : y;
      BatchNormKernel.forwardEval(y, n, out, epsilon, gamma, beta, runningMean, runningVar, z);
      y = z;
    }
    if (activation != null) {
      Tensor z = y == x ? Tensor.zeros(n, out) : y;
      CompactNetwork.activate(activation, slope, y, z, n * out);
      y = z;
    }
    return y;
  }

  @Override
  public String describe() {
    return String.join("|", name, Integer.toString(in), Integer.toString(out),
        Boolean.toString(weight != null), Boolean.toString(bias != null),
        gamma == null ? "-" : Double.toString(epsilon),
        activation == null ? "-" : activation.name(), Float.toString(slope));
  }

  static DenseStage parse(String text, Map<String, Checkpoint.Array> arrays) {
    String[] f = text.split("\\|");
    String name = f[0];
    int in = Integer.parseInt(f[1]);
    int out = Integer.parseInt(f[2]);
    boolean dense = Boolean.parseBoolean(f[3]);
    boolean bias = Boolean.parseBoolean(f[4]);
    boolean bn = !f[5].equals("-");
    return new DenseStage(name, in, out,
        dense ? CompactNetwork.tensor(arrays, name + ".weight", in, out) : null,
        bias ? CompactNetwork.tensor(arrays, name + ".bias", out) : null,
        bn ? CompactNetwork.tensor(arrays, name + ".gamma", out) : null,
        bn ? CompactNetwork.tensor(arrays, name + ".beta", out) : null,
        bn ? CompactNetwork.tensor(arrays, name + ".runningMean", out) : null,
        bn ? CompactNetwork.tensor(arrays, name + ".runningVar", out) : null,
        bn ? Double.parseDouble(f[5]) : Double.NaN,
        f[6].equals("-") ? null : Activation.valueOf(f[6]), Float.parseFloat(f[7]));
  }
}
