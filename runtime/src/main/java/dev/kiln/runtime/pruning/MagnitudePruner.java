package dev.kiln.runtime.pruning;

import dev.kiln.runtime.tensor.Tensor;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Gradual magnitude pruning of dense, convolution and attention-projection weights during
 * training: the masks of a generated trainer,
 * preallocated, with Zhu and Gupta's schedule ({@link PruningSchedule}) and PyTorch's selection
 * rules ({@link Pruning}).
 *
 * <p>A trainer calls, in each step:
 *
 * <ol>
 *   <li>{@link #maskGradients} after backward: the gradients of pruned entries become 0, as they
 *       are in PyTorch, where a pruned module computes {@code weight = weight_orig·mask} (so
 *       clipping and the gradient norm see what PyTorch sees);
 *   <li>{@link #afterUpdate} after the optimizer update (DESIGN.md step 6): at a pruning step the
 *       masks are recomputed for the scheduled sparsity; from {@code beginStep} on the masks are
 *       applied to the weights and to every optimizer buffer of those weights (momentum, Adam's
 *       moments: the {@code Optimizer.state()} entries named {@code <param>.<buffer>}), so pruned
 *       weights are exactly {@code +0.0} after every step and no momentum can revive them.
 * </ol>
 *
 * <p>Selection: {@link Scope#GLOBAL} ranks the entries (or units) of all pruned layers together,
 * as {@code prune.global_unstructured}; {@link Scope#PER_LAYER} ranks each layer alone, as {@code
 * prune.l1_unstructured} (or {@code prune.ln_structured}), each layer with its own final sparsity.
 * {@link Structure#NEURONS} prunes whole output units by their L2 norm: the columns of a dense
 * {@code [in, out]} weight (PyTorch's {@code dim = 0} of {@code nn.Linear.weight}), or the filters
 * {@code [in, kh, kw]} of a convolution weight {@code [out, in, kh, kw]} (output channels, {@code
 * prune.ln_structured(conv, 'weight', amount, n=2, dim=0)}) together with their bias entries, so a
 * pruned channel's pre-activation is exactly 0; the target then counts units. The target at a
 * pruning step is {@code round(s_t·n)} in total, entries already
 * pruned included (they rank first), so masks only grow.
 *
 * <p>Nothing is allocated after construction: ranking uses a preallocated copy of the keys and
 * an in-place selection. The masks are float32 tensors, registered in checkpoints by the trainer.
 */
public final class MagnitudePruner {
  /** Which entries are ranked together. */
  public enum Scope {
    /** All pruned layers together ({@code prune.global_unstructured}). */
    GLOBAL,
    /** Each layer alone ({@code prune.l1_unstructured} / {@code prune.ln_structured}). */
    PER_LAYER
  }

  /** What is pruned. */
  public enum Structure {
    /** Single weights, by {@code |w|}. */
    UNSTRUCTURED,
    /**
     * Whole output units by the L2 norm of their weights: dense weight columns, convolution
     * output channels (filter and bias).
     */
    NEURONS
  }

  private final Scope scope;
  private final Structure structure;
  private final String[] layers;
  private final String[] names;
  private final Tensor[] weights;
  private final Tensor[] gradients;
  private final Tensor[] masks;
  private final Tensor[][] states;
  private final PruningSchedule[] schedules;
  private final int[] rows;
  private final int[] units;
  private final int[] inner;
  private final Tensor[] biases;
  private final Tensor[] biasGradients;
  private final Tensor[][] biasStates;
  private final int[] keyOffsets;
  private final double[] keys;
  private final double[] scratch;
  private final Pruning.Selection selection = new Pruning.Selection();
  private long beginStep;

  private MagnitudePruner(Builder b) {
    int n = b.entries.size();
    if (n == 0) {
      throw new IllegalArgumentException("nothing to prune: add at least one weight");
    }
    scope = b.scope;
    structure = b.structure;
    layers = new String[n];
    names = new String[n];
    weights = new Tensor[n];
    gradients = new Tensor[n];
    masks = new Tensor[n];
    states = new Tensor[n][];
    schedules = new PruningSchedule[n];
    rows = new int[n];
    units = new int[n];
    inner = new int[n];
    biases = new Tensor[n];
    biasGradients = new Tensor[n];
    biasStates = new Tensor[n][];
    keyOffsets = new int[n + 1];
    for (int i = 0; i < n; i++) {
      Entry e = b.entries.get(i);
      layers[i] = e.layer;
      names[i] = e.name;
      weights[i] = e.weight;
      gradients[i] = e.gradient;
      boolean conv = e.weight.rank() == 4;
      // the [outer, slices, inner] view whose slices are the output units
      rows[i] = conv ? 1 : e.weight.size(0);
      units[i] = conv ? e.weight.size(0) : e.weight.size(1);
      inner[i] = conv ? e.weight.length() / units[i] : 1;
      masks[i] = Tensor.zeros(e.weight.array().shape());
      masks[i].fill(1f);
      if (structure == Structure.NEURONS && e.bias != null) {
        biases[i] = e.bias;
        biasGradients[i] = e.biasGradient;
        biasStates[i] = ownState(b.optimizerState, e.biasName, e.bias.length());
      }
      schedules[i] = Double.isNaN(e.finalSparsity) ? b.schedule
          : b.schedule.withFinalSparsity(e.finalSparsity);
      states[i] = ownState(b.optimizerState, e.name, e.weight.length());
      int perLayer = structure == Structure.NEURONS ? units[i] : e.weight.length();
      keyOffsets[i + 1] = keyOffsets[i] + perLayer;
    }
    keys = new double[keyOffsets[n]];
    scratch = new double[keyOffsets[n]];
    beginStep = b.schedule.planned() ? b.schedule.beginStep() : Long.MAX_VALUE;
  }

  /** The optimizer buffers named {@code <name>.<buffer>} with {@code length} elements. */
  private static Tensor[] ownState(Map<String, Tensor> state, String name, int length) {
    List<Tensor> own = new ArrayList<>();
    for (Map.Entry<String, Tensor> s : state.entrySet()) {
      if (s.getKey().startsWith(name + ".") && s.getValue().length() == length) {
        own.add(s.getValue());
      }
    }
    return own.toArray(new Tensor[0]);
  }

  /**
   * A builder over {@code schedule}.
   *
   * @param schedule the sparsity schedule; with {@link Scope#PER_LAYER} a layer may replace its
   *     final sparsity ({@link Builder#add(String, String, Tensor, Tensor, double)})
   */
  public static Builder builder(PruningSchedule schedule, Scope scope, Structure structure) {
    return new Builder(schedule, scope, structure);
  }

  /**
   * Fixes a schedule given in fractions of the run ({@link PruningSchedule#ofRun}) for a run of
   * {@code totalSteps} optimizer steps; the trainer's {@code planRun} calls it ({@code fit} plans
   * the run before its first step). A schedule in steps is left as it is. The masks are kept.
   *
   * @throws IllegalArgumentException unless {@code totalSteps} is at least 1
   */
  public void planRun(long totalSteps) {
    for (int i = 0; i < schedules.length; i++) {
      schedules[i] = schedules[i].forRun(totalSteps);
    }
    beginStep = schedules[0].beginStep();
  }

  /**
   * Throws unless the schedule's steps are known: a schedule in fractions of the run needs {@link
   * #planRun} first. Generated trainers call it before a step changes anything.
   *
   * @throws IllegalStateException naming {@code fit} and {@code planRun}
   */
  public void checkPlanned() {
    if (!schedules[0].planned()) {
      schedules[0].held(0); // throws with the schedule's message
    }
  }

  /**
   * After backward, before clipping: sets the gradients of pruned entries to 0. Does nothing
   * before {@code beginStep} (every mask is all ones then).
   *
   * @param step the step being taken ({@code iteration()}), from 0
   */
  public void maskGradients(long step) {
    checkPlanned();
    if (step < beginStep) {
      return;
    }
    for (int i = 0; i < weights.length; i++) {
      if (gradients[i] != null) {
        applyMask(masks[i], gradients[i]);
      }
      if (biasGradients[i] != null) {
        applyUnitMask(i, biasGradients[i]);
      }
    }
  }

  /**
   * After the optimizer update of step {@code step}: at a pruning step recomputes the masks and
   * zeroes the pruned entries of the weights' optimizer buffers; from {@code beginStep} on zeroes
   * the pruned weights.
   */
  public void afterUpdate(long step) {
    boolean changed = schedules[0].updatesAt(step);
    if (changed) {
      updateMasks(step);
    }
    if (step < beginStep) {
      return;
    }
    for (int i = 0; i < weights.length; i++) {
      applyMask(masks[i], weights[i]);
      if (changed) {
        // Newly pruned entries lose their buffers here. From then on their gradients are masked
        // (maskGradients), so every optimizer's update keeps a zero buffer and a zero weight at
        // exactly +0.0 (momentum: μ·0 + 0; Adam: m = v = 0, step 0/(0 + ε)); the test suite checks
        // this for SGD, Adam and RMSprop at every step.
        for (Tensor s : states[i]) {
          applyMask(masks[i], s);
        }
      }
      if (biases[i] != null) {
        applyUnitMask(i, biases[i]);
        if (changed) {
          for (Tensor s : biasStates[i]) {
            applyUnitMask(i, s);
          }
        }
      }
    }
  }

  /** {@code x[u] = 0} for each output unit {@code u} of weight {@code i} its mask prunes. */
  private void applyUnitMask(int i, Tensor x) {
    FloatBuffer m = masks[i].data();
    FloatBuffer v = x.data();
    for (int u = 0; u < units[i]; u++) {
      int keep = -(int) m.get(u * inner[i]);
      v.put(u, Float.intBitsToFloat(Float.floatToRawIntBits(v.get(u)) & keep));
    }
  }

  /**
   * Recomputes every mask for the sparsity the schedule holds at {@code step} ({@link
   * PruningSchedule#held}) from the current weights; does not touch the weights.
   */
  public void updateMasks(long step) {
    if (scope == Scope.GLOBAL) {
      int total = keyOffsets[weights.length];
      for (int i = 0; i < weights.length; i++) {
        fillKeys(i);
      }
      selection.select(keys, 0, scratch, total, Pruning.count(schedules[0].held(step), total));
      for (int i = 0; i < weights.length; i++) {
        assignMask(i);
      }
      return;
    }
    for (int i = 0; i < weights.length; i++) {
      int count = keyOffsets[i + 1] - keyOffsets[i];
      fillKeys(i);
      selection.select(keys, keyOffsets[i], scratch, count,
          Pruning.count(schedules[i].held(step), count));
      assignMask(i);
    }
  }

  private void fillKeys(int i) {
    if (structure == Structure.NEURONS) {
      Pruning.sliceKeys(weights[i], masks[i], rows[i], units[i], inner[i], keys, keyOffsets[i],
          null);
    } else {
      Pruning.magnitudeKeys(weights[i], masks[i], keys, keyOffsets[i]);
    }
  }

  private void assignMask(int i) {
    if (structure == Structure.NEURONS) {
      selection.assignSlices(keys, keyOffsets[i], masks[i], rows[i], units[i], inner[i]);
    } else {
      selection.assign(keys, keyOffsets[i], masks[i], weights[i].length());
    }
  }

  /** {@code x = 0} where {@code mask == 0} (as {@code +0.0}, also for NaN or infinite x). */
  private static void applyMask(Tensor mask, Tensor x) {
    FloatBuffer m = mask.data();
    FloatBuffer v = x.data();
    int n = x.length();
    for (int i = 0; i < n; i++) {
      // branch-free: the mask 1f/0f as all-ones/zero bits, so a kept value passes bit for bit
      v.put(i, Float.intBitsToFloat(Float.floatToRawIntBits(v.get(i)) & -(int) m.get(i)));
    }
  }

  /** Number of pruned weights. */
  public int size() {
    return weights.length;
  }

  /** The layer (field name) of pruned weight {@code i}. */
  public String layer(int i) {
    return layers[i];
  }

  /** The parameter name of pruned weight {@code i}, such as {@code hidden1.weight}. */
  public String name(int i) {
    return names[i];
  }

  /**
   * The live mask of weight {@code i}, shaped as the weight ({@code [in, out]} or {@code [out, in,
   * kh, kw]}), 1 = kept, 0 = pruned.
   */
  public Tensor mask(int i) {
    return masks[i];
  }

  /** The live masks by parameter name ({@code <layer>.weight}), in network order. */
  public Map<String, Tensor> masks() {
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (int i = 0; i < names.length; i++) {
      out.put(names[i], masks[i]);
    }
    return Collections.unmodifiableMap(out);
  }

  /** The schedule of weight {@code i} (its own final sparsity with {@link Scope#PER_LAYER}). */
  public PruningSchedule schedule(int i) {
    return schedules[i];
  }

  /** Each pruned layer's schedule, by layer name in network order (a new map). */
  public Map<String, PruningSchedule> schedules() {
    Map<String, PruningSchedule> out = new java.util.LinkedHashMap<>();
    for (int i = 0; i < size(); i++) {
      out.putIfAbsent(layer(i), schedule(i));
    }
    return out;
  }

  /** Which entries are ranked together. */
  public Scope scope() {
    return scope;
  }

  /** Whether single weights or whole units are pruned. */
  public Structure structure() {
    return structure;
  }

  /** The fraction of weight {@code i}'s entries its mask prunes, in [0, 1]. */
  public double sparsity(int i) {
    return (double) pruned(i) / masks[i].length();
  }

  /**
   * The fraction of pruned entries per layer (over all its pruned weights, such as the four
   * projections of an attention layer), by layer name in network order (a new map: not for the
   * training step).
   */
  public Map<String, Double> sparsity() {
    Map<String, long[]> counts = new LinkedHashMap<>();
    for (int i = 0; i < names.length; i++) {
      long[] c = counts.computeIfAbsent(layers[i], k -> new long[2]);
      c[0] += pruned(i);
      c[1] += masks[i].length();
    }
    Map<String, Double> out = new LinkedHashMap<>();
    counts.forEach((layer, c) -> out.put(layer, (double) c[0] / c[1]));
    return Collections.unmodifiableMap(out);
  }

  /** The fraction of pruned entries over all pruned weights together. */
  public double overallSparsity() {
    long pruned = 0;
    long total = 0;
    for (int i = 0; i < masks.length; i++) {
      pruned += pruned(i);
      total += masks[i].length();
    }
    return (double) pruned / total;
  }

  private int pruned(int i) {
    FloatBuffer m = masks[i].data();
    int n = masks[i].length();
    int z = 0;
    for (int e = 0; e < n; e++) {
      if (m.get(e) == 0f) {
        z++;
      }
    }
    return z;
  }

  /** Builds a {@link MagnitudePruner}; add weights in network order. */
  public static final class Builder {
    private final PruningSchedule schedule;
    private final Scope scope;
    private final Structure structure;
    private final List<Entry> entries = new ArrayList<>();
    private Map<String, Tensor> optimizerState = Map.of();

    private Builder(PruningSchedule schedule, Scope scope, Structure structure) {
      this.schedule = java.util.Objects.requireNonNull(schedule, "schedule");
      this.scope = java.util.Objects.requireNonNull(scope, "scope");
      this.structure = java.util.Objects.requireNonNull(structure, "structure");
    }

    /**
     * Adds a dense weight {@code [in, out]} (or a convolution weight {@code [out, in, kh, kw]}
     * without bias) with the schedule's final sparsity.
     */
    public Builder add(String layer, String name, Tensor weight, Tensor gradient) {
      return add(layer, name, weight, gradient, Double.NaN);
    }

    /**
     * Adds a dense weight {@code [in, out]}, or a convolution weight {@code [out, in, kh, kw]}
     * without bias.
     *
     * @param name its parameter name ({@code <layer>.weight}), which prefixes its optimizer state
     * @param gradient its gradient (same shape), or null when the trainer has none
     * @param finalSparsity this layer's own final sparsity, or NaN for the schedule's
     * @throws IllegalArgumentException for a weight that is neither 2-d nor 4-d, a gradient of
     *     another size, or a layer target under {@link Scope#GLOBAL}
     */
    public Builder add(String layer, String name, Tensor weight, Tensor gradient,
        double finalSparsity) {
      return addEntry(new Entry(layer, name, weight, gradient, finalSparsity, null, null, null));
    }

    /**
     * Adds a convolution weight {@code [out, in, kh, kw]} with its bias {@code [out]}: under
     * {@link Structure#NEURONS} a pruned output channel's bias entry (its gradient and optimizer
     * buffers, named {@code <biasName>.<buffer>}) is zeroed with its filter; unstructured pruning
     * leaves biases alone.
     *
     * @param bias the bias {@code [out]}, or null for a convolution without one
     * @param biasGradient its gradient, or null
     * @param finalSparsity this layer's own final sparsity, or NaN for the schedule's
     * @throws IllegalArgumentException for a weight that is not 4-d, a bias or gradient of
     *     another size, or a layer target under {@link Scope#GLOBAL}
     */
    public Builder addConvolution(String layer, String name, Tensor weight, Tensor gradient,
        String biasName, Tensor bias, Tensor biasGradient, double finalSparsity) {
      if (weight.rank() != 4) {
        throw new IllegalArgumentException(name + ": expected a 4-d [out, in, kh, kw] weight,"
            + " got " + weight);
      }
      if (bias != null && bias.length() != weight.size(0)) {
        throw new IllegalArgumentException(biasName + ": expected " + weight.size(0)
            + " entries (one per output channel), got " + bias.length());
      }
      if (biasGradient != null && (bias == null || biasGradient.length() != bias.length())) {
        throw new IllegalArgumentException(biasName + ": gradient does not match the bias");
      }
      return addEntry(new Entry(layer, name, weight, gradient, finalSparsity, biasName, bias,
          biasGradient));
    }

    private Builder addEntry(Entry e) {
      String name = e.name;
      Tensor weight = e.weight;
      Tensor gradient = e.gradient;
      double finalSparsity = e.finalSparsity;
      if (weight.rank() != 2 && weight.rank() != 4) {
        throw new IllegalArgumentException(name + ": expected a 2-d [in, out] or 4-d [out, in,"
            + " kh, kw] weight, got " + weight);
      }
      if (gradient != null && gradient.length() != weight.length()) {
        throw new IllegalArgumentException(name + ": gradient has " + gradient.length()
            + " elements, weight " + weight.length());
      }
      if (!Double.isNaN(finalSparsity) && scope == Scope.GLOBAL) {
        throw new IllegalArgumentException(name + ": a layer's own final sparsity needs"
            + " PER_LAYER scope");
      }
      entries.add(e);
      return this;
    }

    /**
     * The optimizer's buffers by name ({@code Optimizer.state()}): each entry named {@code
     * <param>.<buffer>} with a pruned weight's size is masked with that weight.
     */
    public Builder optimizerState(Map<String, Tensor> state) {
      this.optimizerState = java.util.Objects.requireNonNull(state, "state");
      return this;
    }

    /**
     * The pruner, its masks all ones (nothing pruned before {@code beginStep}).
     *
     * @throws IllegalArgumentException if no weight was added
     */
    public MagnitudePruner build() {
      return new MagnitudePruner(this);
    }
  }

  private record Entry(String layer, String name, Tensor weight, Tensor gradient,
      double finalSparsity, String biasName, Tensor bias, Tensor biasGradient) {}
}
