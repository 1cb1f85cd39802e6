package dev.kiln.runtime.pruning;

import dev.kiln.runtime.ops.Activations;
import dev.kiln.runtime.ops.Gelu;
import dev.kiln.runtime.internal.BatchInput;
import dev.kiln.runtime.ops.BatchNormKernel;
import dev.kiln.runtime.tensor.Tensor;
import dev.kiln.runtime.checkpoint.Checkpoint;
import dev.kiln.runtime.checkpoint.CheckpointException;
import dev.kiln.runtime.checkpoint.CheckpointFile;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The eval-mode network a structurally pruned model compacts into: every dense unit whose weight
 * column the mask prunes entirely is removed, with its column and its row in the next dense
 * layer, so the layers are physically smaller and {@link #predict} does less work.
 *
 * <p>A removed unit's incoming weights are all zero, so in eval mode its output is a constant
 * {@code c_j}: its bias passed through the layer's batch norm (running statistics) and
 * activation. The next dense layer's bias absorbs it, {@code b'_k = b_k + Σ_j c_j·W[j, k]}, so
 * the compact network computes the same function as the masked one: equal up to float rounding
 * (the folded sums are added in another order). Batch-norm parameters and running statistics of
 * removed units are dropped with them; dropout is the identity in eval mode.
 *
 * <p>On images ({@link #builder(int, int, int)}) a convolution output channel whose whole filter
 * is pruned is removed the same way, with the matching channels of its batch norm, the input
 * channels of the next convolution and the flattened inputs (C, H, W order) of the next dense
 * layer; {@link ImageStage} says how its constant output map is absorbed.
 *
 * <p>Built from a description of the full network ({@link #builder}) that a generated trainer
 * writes in its {@code compact()} method; saved and loaded on its own ({@link #save}, {@link
 * #load}: the checkpoint format with kind {@code compact-network}, its layout in the manifest).
 */
public final class CompactNetwork {
  /** An element-wise activation, as the DSL's {@code ActivationFunction} (identity: none). */
  public enum Activation {
    /** {@code max(0, x)}. */
    RELU,
    /** {@code x > 0 ? x : slope·x}. */
    LEAKY_RELU,
    /** {@code tanh(x)}. */
    TANH,
    /** {@code 1/(1 + exp(-x))}. */
    SIGMOID,
    /** {@code x·Φ(x)}, exact (PyTorch's {@code approximate='none'}). */
    GELU,
    /** GELU's tanh approximation (PyTorch's {@code approximate='tanh'}). */
    GELU_TANH
  }

  private final int inputs;
  private final int[] image;
  private final List<Stage> stages;

  private CompactNetwork(int inputs, int[] image, List<Stage> stages) {
    this.inputs = inputs;
    this.image = image;
    this.stages = List.copyOf(stages);
  }

  /** A builder of the full network with {@code inputs} features per sample. */
  public static Builder builder(int inputs) {
    return new Builder(inputs, null);
  }

  /**
   * A builder of the full network on images {@code [channels, height, width]} (features {@code
   * [n, C, H, W]} or their rows {@code [n, C·H·W]}).
   *
   * @throws IllegalArgumentException for a size below 1
   */
  public static Builder builder(int channels, int height, int width) {
    if (channels < 1 || height < 1 || width < 1) {
      throw new IllegalArgumentException("image sizes must be at least 1, got [" + channels
          + ", " + height + ", " + width + "]");
    }
    return new Builder(channels * height * width, new int[] {channels, height, width});
  }

  /** Input features per sample. */
  public int inputs() {
    return inputs;
  }

  /** Outputs per sample. */
  public int outputs() {
    return stages.get(stages.size() - 1).out();
  }

  /**
   * The output width of each layer, in order, after compaction (values per sample: {@code
   * C·H·W} for a layer on images).
   */
  public int[] widths() {
    return stages.stream().mapToInt(Stage::out).toArray();
  }

  /** Layer names, in order. */
  public List<String> layerNames() {
    return stages.stream().map(Stage::name).toList();
  }

  /**
   * Weights, biases (with a convolution's per-position bias) and batch-norm scales and shifts
   * (not running statistics).
   */
  public long parameterCount() {
    long n = 0;
    for (Stage s : stages) {
      n += s.parameterCount();
    }
    return n;
  }

  /**
   * Eval-mode forward pass.
   *
   * @param features {@code [n, inputs]} float32, any {@code n ≥ 1} (for images also {@code [n,
   *     C, H, W]})
   * @return a new {@code [n, outputs]} float32 array
   * @throws IllegalArgumentException for a wrong shape or dtype
   */
  public INDArray predict(INDArray features) {
    int n = image == null ? BatchInput.checkRows("features", features, inputs, Integer.MAX_VALUE)
        : BatchInput.checkImageRows("features", features, image[0], image[1], image[2],
            Integer.MAX_VALUE);
    Tensor x = Tensor.zeros(n, inputs);
    new BatchInput().copy(features, x, n, inputs);
    for (Stage s : stages) {
      x = s.forward(x, n);
    }
    INDArray out = Nd4j.create(DataType.FLOAT, n, outputs());
    out.assign(x.array());
    return out;
  }

  /**
   * Writes this network atomically (arrays as {@code .npy} entries, the layout in the manifest).
   *
   * @throws IOException if writing fails; a previous file is then intact
   */
  public void save(Path file) throws IOException {
    Map<String, Checkpoint.Array> arrays = new LinkedHashMap<>();
    StringBuilder layout = new StringBuilder(image == null ? Integer.toString(inputs)
        : image[0] + "x" + image[1] + "x" + image[2]);
    for (Stage s : stages) {
      layout.append(';').append(s.describe());
      s.arrays(arrays);
    }
    CheckpointFile.write(file, new Checkpoint(KIND, Map.of(LAYOUT, layout.toString()), arrays,
        Map.of()));
  }

  /**
   * Reads a network {@link #save} wrote.
   *
   * @throws CheckpointException if the file is unusable or not a compact network
   */
  public static CompactNetwork load(Path file) throws IOException {
    Checkpoint c = CheckpointFile.read(file);
    String layout = c.fingerprint().get(LAYOUT);
    if (!KIND.equals(c.kind()) || layout == null) {
      throw new CheckpointException(file + " is a " + c.kind() + " file, not a compact network");
    }
    try {
      String[] parts = layout.split(";");
      List<Stage> stages = new ArrayList<>();
      for (int i = 1; i < parts.length; i++) {
        stages.add(parts[i].startsWith(ImageStage.MARK) ? ImageStage.parse(parts[i], c.arrays())
            : DenseStage.parse(parts[i], c.arrays()));
      }
      if (parts[0].contains("x")) {
        int[] image = Arrays.stream(parts[0].split("x")).mapToInt(Integer::parseInt).toArray();
        return new CompactNetwork(image[0] * image[1] * image[2], image, stages);
      }
      return new CompactNetwork(Integer.parseInt(parts[0]), null, stages);
    } catch (RuntimeException e) {
      throw new CheckpointException(file + ": unreadable compact-network layout '" + layout
          + "': " + e.getMessage());
    }
  }

  @Override
  public String toString() {
    return "CompactNetwork" + Arrays.toString(widths()) + " from " + inputs + " inputs";
  }

  private static final String KIND = "compact-network";
  private static final String LAYOUT = "layout";

  static void put(Map<String, Checkpoint.Array> arrays, String name, Tensor t) {
    if (t != null) {
      arrays.put(name, new Checkpoint.Array(t.toFloatArray(), t.array().shape()));
    }
  }

  static Tensor tensor(Map<String, Checkpoint.Array> arrays, String name, long... shape) {
    Checkpoint.Array a = arrays.get(name);
    if (a == null || !Arrays.equals(a.shape(), shape)) {
      throw new IllegalArgumentException("array " + name + " missing or not shaped "
          + Arrays.toString(shape));
    }
    Tensor t = Tensor.zeros(shape);
    t.setFrom(a.values());
    return t;
  }

  /** One compacted layer, as {@link #predict} runs it and {@link #save} writes it. */
  interface Stage {
    /** The layer's name. */
    String name();

    /** Output values per sample. */
    int out();

    /** Weights, biases, batch-norm scales and shifts. */
    long parameterCount();

    /** Eval-mode forward of the first {@code n} rows of {@code x}, into a new tensor. */
    Tensor forward(Tensor x, int n);

    /** The stage's layout, one {@code |}-separated line of the manifest. */
    String describe();

    /** Adds the stage's arrays, named {@code <layer>.<role>}. */
    void arrays(Map<String, Checkpoint.Array> arrays);
  }

  static void activate(Activation f, float slope, Tensor x, Tensor y, int count) {
    switch (f) {
      case RELU -> Activations.relu(x, y, count);
      case LEAKY_RELU -> Activations.leakyRelu(x, y, count, slope);
      case TANH -> Activations.tanh(x, y, count);
      case SIGMOID -> Activations.sigmoid(x, y, count);
      // the kernel the generated trainers and networks use, so a compact network computes what
      // the network it came from computes
      case GELU -> Gelu.forward(x, y, count, Gelu.Approximation.NONE);
      case GELU_TANH -> Gelu.forward(x, y, count, Gelu.Approximation.TANH);
    }
  }

  /**
   * Describes the full network layer by layer, in order, and compacts it on {@link #build}. The
   * tensors are read (copied) at {@code build}; the network they belong to is not changed.
   */
  public static final class Builder {
    private final int inputs;
    private final int[] image;
    private final List<LayerSource> layers = new ArrayList<>();

    private Builder(int inputs, int[] image) {
      if (inputs < 1) {
        throw new IllegalArgumentException("inputs must be at least 1, got " + inputs);
      }
      this.inputs = inputs;
      this.image = image;
    }

    /** Starts the next layer, {@code outputs} units wide. */
    public Builder layer(String name, int outputs) {
      layers.add(new LayerSource(name, outputs));
      return this;
    }

    /**
     * The current layer's dense part.
     *
     * @param weight {@code [in, out]}
     * @param bias {@code [out]}, or null
     * @param mask {@code [in, out]} pruning mask (0 = pruned), or null: a unit whose whole column
     *     is 0 is removed
     */
    public Builder dense(Tensor weight, Tensor bias, Tensor mask) {
      LayerSource l = current();
      l.weight = weight;
      l.bias = bias;
      l.mask = mask;
      return this;
    }

    /** The current layer's batch norm, in eval mode. */
    public Builder batchNorm(Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar,
        double epsilon) {
      LayerSource l = current();
      l.gamma = gamma;
      l.beta = beta;
      l.runningMean = runningMean;
      l.runningVar = runningVar;
      l.epsilon = epsilon;
      return this;
    }

    /**
     * The current layer's convolution (PyTorch's {@code nn.Conv2d}, NCHW).
     *
     * @param weight {@code [out, in, kh, kw]}
     * @param bias {@code [out]}, or null
     * @param mask the weight's pruning mask (0 = pruned), or null: an output channel whose whole
     *     filter is 0 is removed (its filter and bias must be 0)
     */
    public Builder conv2d(Tensor weight, Tensor bias, Tensor mask, int kernelH, int kernelW,
        int strideH, int strideW, int padH, int padW) {
      LayerSource l = current();
      l.weight = weight;
      l.bias = bias;
      l.mask = mask;
      l.conv = new int[] {weight.size(0), kernelH, kernelW, strideH, strideW, padH, padW};
      return this;
    }

    /** The current layer's max pooling ({@code -∞} padding, PyTorch's {@code MaxPool2d}). */
    public Builder maxPool(int kernelH, int kernelW, int strideH, int strideW, int padH,
        int padW) {
      current().pool = ImageStage.Pool.MAX;
      current().window = new int[] {kernelH, kernelW, strideH, strideW, padH, padW};
      return this;
    }

    /** The current layer's average pooling (PyTorch's {@code count_include_pad=True}). */
    public Builder avgPool(int kernelH, int kernelW, int strideH, int strideW, int padH,
        int padW) {
      current().pool = ImageStage.Pool.AVG;
      current().window = new int[] {kernelH, kernelW, strideH, strideW, padH, padW};
      return this;
    }

    /** The current layer's global average pooling: {@code [C, H, W]} to {@code [C]}. */
    public Builder globalAvgPool() {
      current().global = true;
      return this;
    }

    /** The current layer's activation ({@code negativeSlope} for {@code LEAKY_RELU}). */
    public Builder activation(Activation activation, float negativeSlope) {
      LayerSource l = current();
      l.activation = activation;
      l.slope = negativeSlope;
      return this;
    }

    private LayerSource current() {
      if (layers.isEmpty()) {
        throw new IllegalStateException("call layer(name, outputs) first");
      }
      return layers.get(layers.size() - 1);
    }

    /**
     * Compacts the described network.
     *
     * @throws IllegalStateException if a pruned unit still has a nonzero incoming weight, if
     *     every unit of a layer is pruned, or if an output unit is pruned
     */
    public CompactNetwork build() {
      if (layers.isEmpty()) {
        throw new IllegalStateException("no layers");
      }
      int width = inputs;
      int[] kept = range(inputs);
      float[] constants = new float[inputs];
      boolean[] removed = new boolean[inputs];
      int[] shape = image;
      List<Stage> stages = new ArrayList<>();
      for (LayerSource l : layers) {
        int out = l.outputs;
        if (shape != null && l.weight != null && l.conv == null && (l.pool != null || l.global)) {
          throw new IllegalStateException("layer " + l.name + ": pooling after a dense part");
        }
        if (shape != null && (l.conv != null || l.weight == null)) {
          ImageCompaction.Flow flow = ImageCompaction.layer(l, shape, constants, removed);
          if (flow.width() != out) {
            throw new IllegalStateException("layer " + l.name + " has " + flow.width()
                + " outputs, described as " + out);
          }
          stages.add(flow.stage());
          shape = flow.shape();
          kept = flow.kept();
          constants = flow.constants();
          removed = flow.removed();
          width = out;
          continue;
        }
        if (l.conv != null || l.pool != null || l.global) {
          throw new IllegalStateException("layer " + l.name + ": a convolution or pooling on"
              + " flat features");
        }
        shape = null; // a dense part flattens images in C, H, W order
        Tensor w = null;
        Tensor b = null;
        if (l.weight != null) {
          checkShape(l.name + ".weight", l.weight, width, out);
          boolean[] removedOut = removedUnits(l, kept, width, out);
          int[] keptOut = keptIndices(removedOut);
          if (keptOut.length == 0) {
            throw new IllegalStateException("every unit of layer " + l.name + " is pruned");
          }
          w = slice(l.weight, out, kept, keptOut);
          b = foldedBias(l, width, out, removed, constants, keptOut);
          float[] next = new float[out];
          FloatBuffer bias = l.bias == null ? null : l.bias.data();
          FloatBuffer wb = l.weight.data();
          for (int j = 0; j < out; j++) {
            if (removedOut[j]) {
              double c = bias == null ? 0 : bias.get(j);
              for (int i = 0; i < width; i++) {
                if (removed[i]) {
                  c += (double) constants[i] * wb.get(i * out + j);
                }
              }
              next[j] = (float) c;
            }
          }
          constants = next;
          removed = removedOut;
          kept = keptOut;
          width = out;
        } else if (out != width) {
          throw new IllegalStateException("layer " + l.name + " has no dense part but " + out
              + " outputs after " + width);
        }
        constants = throughElementwise(l, constants, width);
        int keptWidth = kept.length;
        stages.add(new DenseStage(l.name, w == null ? keptWidth : w.size(0), keptWidth, w, b,
            pick(l.gamma, kept), pick(l.beta, kept), pick(l.runningMean, kept),
            pick(l.runningVar, kept), l.gamma == null ? Double.NaN : l.epsilon, l.activation,
            l.slope));
      }
      for (boolean r : removed) {
        if (r) {
          throw new IllegalStateException("an output unit of the last layer is pruned");
        }
      }
      return new CompactNetwork(inputs, image, stages);
    }

    /** Units whose mask column is all 0; their live incoming weights must be 0 too. */
    private static boolean[] removedUnits(LayerSource l, int[] keptIn, int width, int out) {
      boolean[] removed = new boolean[out];
      if (l.mask == null) {
        return removed;
      }
      checkShape(l.name + " mask", l.mask, width, out);
      FloatBuffer m = l.mask.data();
      FloatBuffer w = l.weight.data();
      for (int j = 0; j < out; j++) {
        boolean all = true;
        for (int i = 0; i < width && all; i++) {
          all = m.get(i * out + j) == 0f;
        }
        removed[j] = all;
        if (all) {
          for (int i : keptIn) {
            if (w.get(i * out + j) != 0f) {
              throw new IllegalStateException(l.name + ": unit " + j + " is pruned but its"
                  + " weight from input " + i + " is " + w.get(i * out + j)
                  + "; apply the masks before compacting");
            }
          }
        }
      }
      return removed;
    }

    /** Constants of removed units through the layer's batch norm and activation (eval mode). */
    private static float[] throughElementwise(LayerSource l, float[] constants, int width) {
      Tensor row = Tensor.zeros(1, width);
      row.setFrom(constants);
      if (l.gamma != null) {
        BatchNormKernel.forwardEval(row, 1, width, l.epsilon, l.gamma, l.beta, l.runningMean,
            l.runningVar, row);
      }
      if (l.activation != null) {
        activate(l.activation, l.slope, row, row, width);
      }
      return row.toFloatArray();
    }

    /** {@code b'_k = b_k + Σ_{removed j} c_j·W[j, k]} for the kept units {@code k}. */
    private static Tensor foldedBias(LayerSource l, int width, int out, boolean[] removedIn,
        float[] constants, int[] keptOut) {
      boolean anyRemoved = false;
      for (boolean r : removedIn) {
        anyRemoved |= r;
      }
      if (l.bias == null && !anyRemoved) {
        return null;
      }
      FloatBuffer w = l.weight.data();
      Tensor b = Tensor.zeros(keptOut.length);
      for (int c = 0; c < keptOut.length; c++) {
        int k = keptOut[c];
        double sum = l.bias == null ? 0 : l.bias.get(k);
        for (int j = 0; j < width; j++) {
          if (removedIn[j]) {
            sum += (double) constants[j] * w.get(j * out + k);
          }
        }
        b.set(c, (float) sum);
      }
      return b;
    }

    private static Tensor slice(Tensor weight, int out, int[] rows, int[] cols) {
      FloatBuffer w = weight.data();
      Tensor t = Tensor.zeros(rows.length, cols.length);
      for (int r = 0; r < rows.length; r++) {
        for (int c = 0; c < cols.length; c++) {
          t.set(r * cols.length + c, w.get(rows[r] * out + cols[c]));
        }
      }
      return t;
    }

    /** The entries of {@code values} at {@code indices}, in that order; null for null. */
    static Tensor pick(Tensor values, int[] indices) {
      if (values == null) {
        return null;
      }
      Tensor t = Tensor.zeros(indices.length);
      for (int c = 0; c < indices.length; c++) {
        t.set(c, values.get(indices[c]));
      }
      return t;
    }

    /** The indices not marked removed, ascending. */
    static int[] keptIndices(boolean[] removed) {
      int n = 0;
      for (boolean r : removed) {
        n += r ? 0 : 1;
      }
      int[] out = new int[n];
      for (int j = 0, c = 0; j < removed.length; j++) {
        if (!removed[j]) {
          out[c++] = j;
        }
      }
      return out;
    }

    private static int[] range(int n) {
      int[] out = new int[n];
      for (int i = 0; i < n; i++) {
        out[i] = i;
      }
      return out;
    }

    private static void checkShape(String what, Tensor t, int rows, int cols) {
      if (t.rank() != 2 || t.size(0) != rows || t.size(1) != cols) {
        throw new IllegalArgumentException(String.format(Locale.ROOT,
            "%s: expected [%d, %d], got %s", what, rows, cols, t));
      }
    }
  }

  static final class LayerSource {
    final String name;
    final int outputs;
    int[] conv; // out, kh, kw, sh, sw, ph, pw
    ImageStage.Pool pool;
    int[] window; // kh, kw, sh, sw, ph, pw
    boolean global;
    Tensor weight;
    Tensor bias;
    Tensor mask;
    Tensor gamma;
    Tensor beta;
    Tensor runningMean;
    Tensor runningVar;
    double epsilon = Double.NaN;
    Activation activation;
    float slope;

    LayerSource(String name, int outputs) {
      this.name = name;
      this.outputs = outputs;
    }
  }
}
