package dev.kiln.runtime.pruning;

import dev.kiln.runtime.checkpoint.Checkpoint;
import dev.kiln.runtime.ops.AvgPool2d;
import dev.kiln.runtime.ops.BatchNorm2dKernel;
import dev.kiln.runtime.ops.Conv2d;
import dev.kiln.runtime.ops.GlobalAvgPool;
import dev.kiln.runtime.ops.MaxPool2d;
import dev.kiln.runtime.tensor.Tensor;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Map;

/**
 * One compacted layer of a {@link CompactNetwork} on images {@code [n, C, H, W]} (NCHW, as the
 * generated networks): convolution (optional, PyTorch's {@code nn.Conv2d} layout {@code [out, in,
 * kh, kw]}), per-channel batch norm in eval mode, activation, max or average pooling, global
 * average pooling; dropout is the identity in eval mode.
 *
 * <p>A removed output channel's filter and bias are zero (structured pruning), so its output is
 * a map {@code m_c[h, w]} that does not depend on the input: its (zero) pre-activation through the
 * layer's batch norm, activation and pooling, where padded average pooling makes it vary at the
 * borders. The next layer absorbs it: a dense layer in its bias ({@link CompactNetwork}, from the
 * flattened maps); a convolution in its bias when the contribution {@code Σ_c conv(m_c, W[o, c])}
 * is the same at every output position (no padding), otherwise in a per-position bias {@code
 * [out, outH, outW]} added after the product. Outputs equal the masked network's up to float
 * rounding.
 */
final class ImageStage implements CompactNetwork.Stage {
  /** Pooling after the activation. */
  enum Pool {
    MAX,
    AVG
  }

  private final String name;
  private final int channels;
  private final int height;
  private final int width;
  private final int[] conv; // out, kh, kw, sh, sw, ph, pw; null without a convolution
  private final Tensor weight;
  private final Tensor bias;
  private final Tensor biasMap;
  private final Tensor gamma;
  private final Tensor beta;
  private final Tensor runningMean;
  private final Tensor runningVar;
  private final double epsilon;
  private final CompactNetwork.Activation activation;
  private final float slope;
  private final Pool pool;
  private final int[] window; // kh, kw, sh, sw, ph, pw; null without pooling
  private final boolean global;

  ImageStage(String name, int channels, int height, int width, int[] conv, Tensor weight,
      Tensor bias, Tensor biasMap, Tensor gamma, Tensor beta, Tensor runningMean,
      Tensor runningVar, double epsilon, CompactNetwork.Activation activation, float slope,
      Pool pool, int[] window, boolean global) {
    this.name = name;
    this.channels = channels;
    this.height = height;
    this.width = width;
    this.conv = conv;
    this.weight = weight;
    this.bias = bias;
    this.biasMap = biasMap;
    this.gamma = gamma;
    this.beta = beta;
    this.runningMean = runningMean;
    this.runningVar = runningVar;
    this.epsilon = epsilon;
    this.activation = activation;
    this.slope = slope;
    this.pool = pool;
    this.window = window;
    this.global = global;
  }

  /** The kernel of the convolution, or null. */
  private Conv2d convolution() {
    return conv == null ? null : new Conv2d(channels, height, width, conv[0], conv[1], conv[2],
        conv[3], conv[4], conv[5], conv[6]);
  }

  /** {@code [channels, height, width]} after the convolution (the batch-norm input). */
  int[] convolved() {
    Conv2d c = convolution();
    return c == null ? new int[] {channels, height, width}
        : new int[] {conv[0], c.outHeight(), c.outWidth()};
  }

  /** {@code [channels, height, width]} of the output, or {@code [channels, 1, 1]} after GAP. */
  int[] output() {
    int[] s = convolved();
    if (pool != null) {
      s = new int[] {s[0], pooledSize(s[1], window[0], window[2], window[4]),
          pooledSize(s[2], window[1], window[3], window[5])};
    }
    return global ? new int[] {s[0], 1, 1} : s;
  }

  private static int pooledSize(int size, int kernel, int stride, int padding) {
    return (size + 2 * padding - kernel) / stride + 1;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public int out() {
    int[] s = output();
    return s[0] * s[1] * s[2];
  }

  @Override
  public long parameterCount() {
    long n = 0;
    for (Tensor t : new Tensor[] {weight, bias, biasMap, gamma, beta}) {
      n += t == null ? 0 : t.length();
    }
    return n;
  }

  /** Eval-mode forward of the first {@code n} samples of {@code x} into a new tensor. */
  @Override
  public Tensor forward(Tensor x, int n) {
    Tensor y = x;
    int[] s = convolved();
    int plane = s[1] * s[2];
    Conv2d c = convolution();
    if (c != null) {
      y = Tensor.zeros(n, (long) s[0] * plane);
      c.forward(x, n, weight, bias, y, Tensor.alignedZeros(c.workspaceElements(n)));
      if (biasMap != null) {
        FloatBuffer yb = y.data();
        FloatBuffer mb = biasMap.data();
        int sample = s[0] * plane;
        for (int i = 0; i < n * sample; i++) {
          yb.put(i, yb.get(i) + mb.get(i % sample));
        }
      }
    }
    if (gamma != null) {
      Tensor z = y == x ? Tensor.zeros(n, (long) s[0] * plane) : y;
      new BatchNorm2dKernel(s[0], s[1], s[2], 0.1, epsilon).forwardEval(y, n, gamma, beta,
          runningMean, runningVar, z);
      y = z;
    }
    if (activation != null) {
      Tensor z = y == x ? Tensor.zeros(n, (long) s[0] * plane) : y;
      CompactNetwork.activate(activation, slope, y, z, n * s[0] * plane);
      y = z;
    }
    if (pool != null) {
      int oh = pooledSize(s[1], window[0], window[2], window[4]);
      int ow = pooledSize(s[2], window[1], window[3], window[5]);
      Tensor z = Tensor.zeros(n, (long) s[0] * oh * ow);
      if (pool == Pool.MAX) {
        new MaxPool2d(s[0], s[1], s[2], window[0], window[1], window[2], window[3], window[4],
            window[5]).forward(y, n, z, new int[n * s[0] * oh * ow]);
      } else {
        new AvgPool2d(s[0], s[1], s[2], window[0], window[1], window[2], window[3], window[4],
            window[5]).forward(y, n, z);
      }
      y = z;
      s = new int[] {s[0], oh, ow};
    }
    if (global) {
      Tensor z = Tensor.zeros(n, s[0]);
      GlobalAvgPool.forward(y, n, s[0], s[1], s[2], z);
      y = z;
    }
    if (y == x) {
      y = Tensor.zeros(n, out());
      y.data().put(0, x.data(), 0, n * out());
    }
    return y;
  }

  static final String MARK = "#image";

  @Override
  public String describe() {
    return String.join("|", MARK, name, Integer.toString(channels), Integer.toString(height),
        Integer.toString(width), ints(conv), Boolean.toString(bias != null),
        Boolean.toString(biasMap != null), gamma == null ? "-" : Double.toString(epsilon),
        activation == null ? "-" : activation.name(), Float.toString(slope),
        pool == null ? "-" : pool.name(), ints(window), Boolean.toString(global));
  }

  private static String ints(int[] values) {
    if (values == null) {
      return "-";
    }
    StringBuilder b = new StringBuilder();
    for (int v : values) {
      b.append(b.length() == 0 ? "" : ",").append(v);
    }
    return b.toString();
  }

  private static int[] parseInts(String text) {
    return text.equals("-") ? null
        : Arrays.stream(text.split(",")).mapToInt(Integer::parseInt).toArray();
  }

  @Override
  public void arrays(Map<String, Checkpoint.Array> arrays) {
    CompactNetwork.put(arrays, name + ".weight", weight);
    CompactNetwork.put(arrays, name + ".bias", bias);
    CompactNetwork.put(arrays, name + ".biasMap", biasMap);
    CompactNetwork.put(arrays, name + ".gamma", gamma);
    CompactNetwork.put(arrays, name + ".beta", beta);
    CompactNetwork.put(arrays, name + ".runningMean", runningMean);
    CompactNetwork.put(arrays, name + ".runningVar", runningVar);
  }

  /** Reads a stage {@link #describe} wrote, its arrays from {@code arrays}. */
  static ImageStage parse(String text, Map<String, Checkpoint.Array> arrays) {
    String[] f = text.split("\\|");
    String name = f[1];
    int channels = Integer.parseInt(f[2]);
    int height = Integer.parseInt(f[3]);
    int width = Integer.parseInt(f[4]);
    int[] conv = parseInts(f[5]);
    boolean bn = !f[8].equals("-");
    ImageStage shape = new ImageStage(name, channels, height, width, conv, null, null, null, null,
        null, null, null, 0, null, 0, f[11].equals("-") ? null : Pool.valueOf(f[11]),
        parseInts(f[12]), Boolean.parseBoolean(f[13]));
    int[] s = shape.convolved();
    return new ImageStage(name, channels, height, width, conv,
        conv == null ? null : CompactNetwork.tensor(arrays, name + ".weight", conv[0], channels,
            conv[1], conv[2]),
        Boolean.parseBoolean(f[6]) ? CompactNetwork.tensor(arrays, name + ".bias", s[0]) : null,
        Boolean.parseBoolean(f[7]) ? CompactNetwork.tensor(arrays, name + ".biasMap", s[0], s[1],
            s[2]) : null,
        bn ? CompactNetwork.tensor(arrays, name + ".gamma", s[0]) : null,
        bn ? CompactNetwork.tensor(arrays, name + ".beta", s[0]) : null,
        bn ? CompactNetwork.tensor(arrays, name + ".runningMean", s[0]) : null,
        bn ? CompactNetwork.tensor(arrays, name + ".runningVar", s[0]) : null,
        bn ? Double.parseDouble(f[8]) : Double.NaN,
        f[9].equals("-") ? null : CompactNetwork.Activation.valueOf(f[9]), Float.parseFloat(f[10]),
        shape.pool, shape.window, shape.global);
  }
}
